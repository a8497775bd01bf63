/**
 * syncIntune: every 30 minutes at minutes 7 and 37 (off the hour and the other timers' minutes), then a random
 * wait of up to 90 s: Graph offers no change notifications for Intune, so Intune is polled, and the jitter keeps
 * many deployments from meeting Intune's throttling (about 1,000 requests per 20 s per app) at the same second.
 * The first sync of a deployment (nothing synced yet) and a late run start at once.
 */
import type { InvocationContext, Timer, TimerTriggerOptions } from "@azure/functions";
import { CursorNames } from "../shared/usecases/deps.ts";
import { syncIntune as sync } from "../shared/usecases/sync-intune.ts";
import { graphDepsFor } from "./sync-users.ts";

export const syncIntuneOptions = { schedule: "0 7,37 * * * *" } satisfies TimerTriggerOptions;

/** The longest jitter before a scheduled sync. */
export const SYNC_INTUNE_JITTER_MS = 90_000;

export async function syncIntune(timer: Timer, context: InvocationContext): Promise<void> {
  const deps = graphDepsFor(context, { isPastDue: timer.isPastDue });
  const synced = await deps.cursors.get(CursorNames.syncIntuneLastRun);
  if (synced && !timer.isPastDue) await wait(Math.floor(Math.random() * SYNC_INTUNE_JITTER_MS));
  const traceparent = context.traceContext?.traceParent;
  const result = await sync(deps, traceparent ? { traceparent } : {});
  context.info(
    `path=${result.path} complete=${result.complete} states=${result.states} discovered=${result.discovered} revoked=${result.revoked} removed=${result.removed}`,
  );
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
