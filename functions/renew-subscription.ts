/**
 * renewSubscription: every 10 minutes (minute 2, 12, …) and at start (a new deployment gets its
 * subscription at once; the check costs a few cursor reads when nothing is due): keeps the users
 * change-notification subscription alive and acts on the lifecycle notifications graphLifecycle recorded
 * (reauthorize, recreate, resync by delta). Ten minutes bounds how long a lifecycle notification waits.
 */
import type { InvocationContext, Timer, TimerTriggerOptions } from "@azure/functions";
import { manageSubscription } from "../shared/usecases/manage-subscription.ts";
import { graphDepsFor } from "./sync-users.ts";

export const renewSubscriptionOptions = {
  schedule: "0 2,12,22,32,42,52 * * * *",
  runOnStartup: true,
} satisfies TimerTriggerOptions;

export async function renewSubscription(timer: Timer, context: InvocationContext): Promise<void> {
  await manageSubscription(graphDepsFor(context, { isPastDue: timer.isPastDue }));
}
