/**
 * The notification ledger as a protocol: claim a notice before sending it, mark it sent (or failed) after.
 * One record per user, subject, reason, threshold and channel makes "at most once" a fact.
 *
 * A crash between claim and send must not lose the notice: a claim is a lease. One older than
 * `STALE_CLAIM_MS` without an outcome is taken over by the next delivery (the bus redelivers the message when
 * the crashed invocation's lock expires). Ten minutes is well past the notifications queue's one-minute lock
 * and a Graph call's own retries, so a live sender is never overtaken, and short enough that the queue's ten
 * deliveries with back-off outlast it. A claim given back after a transient failure (`release`) may be taken at
 * once: nothing went out. A `dryRun` record does not stop a real send once dry-run is switched off.
 */
import type { NotificationKey, NotificationRecord } from "../contracts/rows.ts";
import { RetryableError } from "../errors.ts";
import type { NotificationLedger } from "../ports.ts";

export const STALE_CLAIM_MS = 10 * 60_000;

export type ClaimResult =
  /** This delivery holds the claim: send, then `finish`. */
  | { readonly claimed: true; readonly record: NotificationRecord }
  /** Someone already settled it (sent, failed, or dry-run recorded in dry-run mode): send nothing. */
  | { readonly claimed: false; readonly record: NotificationRecord };

const RELEASED = "released: ";

/**
 * Claims the notice `key` at `now` (status `claimed`, or `dryRun` in dry-run mode, which settles it at once).
 * @throws RetryableError while another delivery holds a fresh claim (it is sending right now, or just died)
 */
export async function claimNotice(
  ledger: NotificationLedger,
  key: NotificationKey,
  now: Date,
  dryRun: boolean,
): Promise<ClaimResult> {
  const record: NotificationRecord = {
    ...key,
    status: dryRun ? "dryRun" : "claimed",
    claimedAt: now.toISOString(),
    ...(dryRun ? { sentAt: now.toISOString() } : {}),
  };
  if (await ledger.claim(record)) return { claimed: true, record };
  const existing = await ledger.get(key);
  if (!existing) throw new RetryableError(`notification ${describe(key)}: claim lost and record gone; retry`);
  const { value, etag } = existing;
  if (!canTakeOver(value, now, dryRun)) {
    if (value.status !== "claimed") return { claimed: false, record: value };
    const age = now.getTime() - Date.parse(value.claimedAt);
    throw new RetryableError(
      `notification ${describe(key)} is being sent by another delivery (claimed ${value.claimedAt})`,
      Math.max(1000, STALE_CLAIM_MS - age),
    );
  }
  // A conditional write: of two deliveries taking over the same stale claim, one wins, the other retries.
  await ledger.put(record, { ifMatch: etag });
  return { claimed: true, record };
}

function canTakeOver(value: NotificationRecord, now: Date, dryRun: boolean): boolean {
  if (value.status === "dryRun") return !dryRun;
  if (value.status !== "claimed") return false;
  if (value.error?.startsWith(RELEASED)) return true;
  return now.getTime() - Date.parse(value.claimedAt) >= STALE_CLAIM_MS;
}

/** Records the outcome of a claimed notice. */
export async function finishNotice(
  ledger: NotificationLedger,
  claimed: NotificationRecord,
  outcome:
    | { readonly status: "sent"; readonly at: Date }
    | { readonly status: "failed"; readonly error: string },
): Promise<NotificationRecord> {
  const { error: _previous, ...rest } = claimed;
  const record: NotificationRecord =
    outcome.status === "sent"
      ? { ...rest, status: "sent", sentAt: outcome.at.toISOString() }
      : { ...rest, status: "failed", error: outcome.error };
  await ledger.put(record, { force: true });
  return record;
}

/** Gives a claim back after a transient failure or a deferral: nothing was sent, the next delivery may send. */
export async function releaseNotice(
  ledger: NotificationLedger,
  claimed: NotificationRecord,
  why: string,
): Promise<void> {
  await ledger.put({ ...claimed, status: "claimed", error: `${RELEASED}${why}` }, { force: true });
}

const describe = (k: NotificationKey) =>
  `${k.reason}/${k.thresholdDays}/${k.channel} of ${k.subjectId} for ${k.userId}`;
