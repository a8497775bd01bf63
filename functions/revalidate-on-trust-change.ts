/**
 * revalidateOnTrustChange: every 15 minutes, and at start (a deployment is when a new trust store usually
 * arrives; the check costs one read when nothing changed): re-validates the whole inventory when the
 * trust store's fingerprint differs from the one it was last re-validated against.
 */
import type { InvocationContext, Timer, TimerTriggerOptions } from "@azure/functions";
import { revalidateOnTrustChange as revalidate } from "../shared/usecases/revalidate-all.ts";
import { depsFor } from "./invocation.ts";

export const revalidateOnTrustChangeOptions = {
  schedule: "0 */15 * * * *",
  runOnStartup: true,
} satisfies TimerTriggerOptions;

export async function revalidateOnTrustChange(timer: Timer, context: InvocationContext): Promise<void> {
  const deps = depsFor(context, { isPastDue: timer.isPastDue });
  await revalidate(deps, { now: deps.clock.now() });
}
