/**
 * One directory observation of a user applied to the pipeline: the shared step of syncUsers (a delta entry)
 * and of a change notification's refresh (a fresh read of one user).
 */
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import { createEvent } from "../contracts/events.ts";
import type { UserRecord } from "../contracts/rows.ts";
import { withConflictRetry } from "./conflict-retry.ts";
import type { Deps } from "./deps.ts";
import { eventSource } from "./deps.ts";
import { type DirectoryUser, decideUserChange, type UserChange } from "./graph-user-changes.ts";
import { mergeableUser, mergeEventsFor } from "./graph-user-rekey.ts";
import { publishEvents } from "./publish-events.ts";
import { refreshReadiness } from "./refresh-readiness.ts";

export type ApplyDirectoryUserDeps = Pick<
  Deps,
  "users" | "certificates" | "audit" | "bus" | "clock" | "logger" | "cursors"
>;

export interface AppliedUser {
  /** The record was written (new, or a stored field changed). */
  readonly written: boolean;
  readonly changes: readonly UserChange["change"][];
  /** A user registered by hand under an id derived from the UPN, merged into this directory user. */
  readonly mergedFrom?: string;
}

/**
 * Stores what the directory says of one user and announces what matters.
 *
 * Order, so that a crash anywhere is repaired by running again: the `user.changed` events (and a merge's
 * certificate events) are published **before** the record is written — a rerun that finds the record
 * unchanged would otherwise announce nothing. The write is conditional on the ETag read; a lost race (the
 * certificate processor writes the same record) is redone from a fresh read, whose decision publishes the
 * same event ids again (dropped as duplicates). Last, the user's readiness summary is recomputed when the
 * account's state changed: the processor recomputes it too, but may have done so before this write.
 */
export async function applyDirectoryUser(
  deps: ApplyDirectoryUserDeps,
  observed: DirectoryUser,
  now: Date,
  producer: string,
): Promise<AppliedUser> {
  const options = { source: eventSource(producer), time: now };
  const outcome = await withConflictRetry(`user ${observed.id}`, async () => {
    const stored = await deps.users.get(observed.id);
    const merge = await mergeableUser(deps, observed);
    const decision = decideUserChange(stored?.value, observed, now);
    const events: CloudEventEnvelope[] = decision.changes.map((c) => createEvent("user.changed", c, options));
    if (merge) events.push(...(await mergeEventsFor(deps, merge, observed.id, options)));
    await publishEvents(deps, events);
    if (merge) await retire(deps, merge, observed.id, now);
    // After a merge the directory user is written even when unchanged: the write takes the UPN back.
    const record =
      decision.record ?? (merge && stored ? { ...stored.value, updatedAt: now.toISOString() } : undefined);
    if (record) await deps.users.put(record, stored ? { ifMatch: stored.etag } : { ifAbsent: true });
    return { decision: { ...decision, ...(record && { record }) }, mergedFrom: merge?.userId };
  });
  const { decision, mergedFrom } = outcome;
  const record = decision.record;
  if (record && decision.changes.some((c) => c.change !== "primarySmtpChanged"))
    await refreshReadiness(deps, record, now);
  if (decision.changes.length > 0 || mergedFrom)
    deps.logger.info("directory user changed", {
      userId: observed.id,
      changes: decision.changes.map((c) => c.change),
      ...(mergedFrom && { mergedFrom }),
    });
  return {
    written: record !== undefined,
    changes: decision.changes.map((c) => c.change),
    ...(mergedFrom && { mergedFrom }),
  };
}

/**
 * The merged user's record is kept (its audit history names it) but marked deleted, so it leaves the user
 * list; written before the directory user, so that the UPN lookup ends pointing at the directory user.
 */
async function retire(deps: ApplyDirectoryUserDeps, merged: UserRecord, into: string, now: Date) {
  const current = await deps.users.get(merged.userId);
  if (!current || current.value.deleted) return;
  deps.logger.info("manually registered user merged into the directory user", {
    userId: merged.userId,
    into,
  });
  await deps.users.put(
    { ...current.value, deleted: true, updatedAt: now.toISOString() },
    { ifMatch: current.etag },
  );
}
