/**
 * Which notices a change to a certificate deserves: the `notification.requested` data to emit, given the record
 * before and after the change. Pure; the notification ledger (not this file) makes each notice go out at most
 * once per certificate, reason and threshold, however often the same change is processed.
 *
 * Rules, in order:
 * 1. Nobody is told anything about a deleted or disabled user, nor about a removed certificate.
 * 2. Entering `revoked` → `revoked` (always: a revocation may mean a compromised key, the user must know).
 * 3. Entering `expired` → `expired`, unless a replacement for every purpose is already in place.
 * 4. Entering `invalid` → `validationFailed`, with the blocking problems. Staying invalid says nothing new.
 *    Not when every blocking problem is the CA's to fix (its CRL endpoint is down, stale or broken): the
 *    user can do nothing about it, and ops are alerted through crl.unreachable instead.
 * 5. A newly announced expiry threshold on a usable (`valid`/`expiring`) certificate → `expiring` for that
 *    threshold (the smallest newly crossed one, as `dueThresholds` decides), unless a replacement for every
 *    purpose is already in place: a notice asks the user to act, and there is nothing to do.
 */
import type { EventData } from "../contracts/events.ts";
import type { CertificateRecord, UserRecord } from "../contracts/rows.ts";
import { blockingProblems, purposesOf } from "./certificate-facts.ts";
import { findReplacement } from "./continuity.ts";
import { thresholdToAnnounce } from "./expiry.ts";
import { uniqueProblems } from "./lifecycle.ts";

export type NotificationRequest = EventData<"notification.requested">;

/** Problems only the issuing CA can fix: telling the user would only alarm them. */
const CA_SIDE_PROBLEMS: ReadonlySet<string> = new Set(["CRL_UNREACHABLE", "CRL_STALE", "CRL_INVALID"]);

export interface NotificationPolicyInput {
  /** The record before the change; undefined for a certificate seen for the first time. */
  readonly previous?: Pick<CertificateRecord, "state" | "thresholdsAnnounced">;
  /** The record after the change, as stored. */
  readonly next: CertificateRecord;
  /** The certificate's owner; undefined when not synced yet (then treated as active). */
  readonly user?: Pick<UserRecord, "accountEnabled" | "deleted">;
  /** All the user's certificates (the next record among them or not), to look for a replacement. */
  readonly certificates: readonly CertificateRecord[];
  readonly now: Date;
}

/** Whether every purpose of `record` has a working, longer-lasting successor. */
export function hasReplacement(
  record: CertificateRecord,
  certificates: readonly CertificateRecord[],
  now: Date,
): boolean {
  return purposesOf(record.purpose).every((p) => findReplacement(record, p, certificates, now) !== undefined);
}

const silent = ({ user, next }: NotificationPolicyInput) =>
  user?.deleted === true || user?.accountEnabled === false || next.state === "removed";

function expiringNotice(input: NotificationPolicyInput): NotificationRequest[] {
  const { previous, next } = input;
  if (next.state !== "valid" && next.state !== "expiring") return [];
  const before = previous?.thresholdsAnnounced ?? [];
  const threshold = thresholdToAnnounce(
    next.thresholdsAnnounced.filter((d) => !before.includes(d)),
    before,
  );
  if (threshold === undefined || hasReplacement(next, input.certificates, input.now)) return [];
  return [
    {
      userId: next.userId,
      thumbprint: next.thumbprint,
      reason: "expiring",
      thresholdDays: threshold,
      ...(next.notAfter ? { notAfter: next.notAfter } : {}),
    },
  ];
}

function transitionNotice(input: NotificationPolicyInput): NotificationRequest[] {
  const { previous, next } = input;
  if (previous?.state === next.state) return [];
  const base = {
    userId: next.userId,
    thumbprint: next.thumbprint,
    ...(next.notAfter ? { notAfter: next.notAfter } : {}),
  };
  switch (next.state) {
    case "revoked":
      return [{ ...base, reason: "revoked" }];
    case "expired":
      return hasReplacement(next, input.certificates, input.now) ? [] : [{ ...base, reason: "expired" }];
    case "invalid": {
      const problems = uniqueProblems([
        ...blockingProblems(next, "signing"),
        ...blockingProblems(next, "encryption"),
      ]);
      if (problems.every((p) => CA_SIDE_PROBLEMS.has(p.code))) return [];
      return [{ ...base, reason: "validationFailed", problems: [...problems] }];
    }
    default:
      return [];
  }
}

/** The notices to request for a change from `previous` to `next`; empty when the change deserves none. */
export function notificationsFor(input: NotificationPolicyInput): NotificationRequest[] {
  if (silent(input)) return [];
  return [...transitionNotice(input), ...expiringNotice(input)];
}
