/**
 * scanExpiry: daily, announces expiry thresholds and expiries. 02:17 UTC: off the hour, when the
 * Graph and notification traffic of the hour's other jobs has passed, and before the working day in Europe.
 */
import type { InvocationContext, Timer, TimerTriggerOptions } from "@azure/functions";
import { scanExpiry as scan } from "../shared/usecases/scan-expiry.ts";
import { depsFor } from "./invocation.ts";

export const scanExpiryOptions = { schedule: "0 17 2 * * *" } satisfies TimerTriggerOptions;

export async function scanExpiry(timer: Timer, context: InvocationContext): Promise<void> {
  const deps = depsFor(context, { isPastDue: timer.isPastDue });
  await scan(deps, { now: deps.clock.now() });
}
