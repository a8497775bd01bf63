/**
 * checkCrls: hourly, at minute 7 (off the hour the CAs' own CRL publishing and other tenants' checks
 * crowd): the health of every CRL endpoint the inventory depends on, and revocations found on them.
 */
import type { InvocationContext, Timer, TimerTriggerOptions } from "@azure/functions";
import { checkCrls as check } from "../shared/usecases/check-crls.ts";
import { depsFor } from "./invocation.ts";

export const checkCrlsOptions = { schedule: "0 7 * * * *" } satisfies TimerTriggerOptions;

export async function checkCrls(timer: Timer, context: InvocationContext): Promise<void> {
  const deps = depsFor(context, { isPastDue: timer.isPastDue });
  await check(deps, { now: deps.clock.now() });
}
