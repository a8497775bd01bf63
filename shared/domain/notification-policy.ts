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
 *    So too for a certificate Intune delivered but only describes (a SCEP signing certificate: Intune gives its
 *    end date, no bytes to validate, so it stays `discovered` without a verdict): it ends all the same. Its
 *    replacement may be described the same way: a newer such certificate for the purpose and platform counts.
 */
import type { EventData } from "../contracts/events.ts";
import type { CertificateRecord, UserRecord } from "../contracts/rows.ts";
import {
  blockingProblems,
  hasExpired,
  type Purpose,
  purposesOf,
  servesPurpose,
} from "./certificate-facts.ts";
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

/**
 * Known from Intune's metadata alone: delivered (a failed or pending delivery would carry Intune's verdict), its
 * end date known, nothing to validate yet.
 */
function describedOnly(record: CertificateRecord): boolean {
  return (
    record.state === "discovered" &&
    record.signing === undefined &&
    record.encryption === undefined &&
    record.notAfter !== undefined
  );
}

/** A newer described-only certificate for `purpose` on the record's platform, not yet ended. */
function describedSuccessor(
  record: CertificateRecord,
  purpose: Purpose,
  certificates: readonly CertificateRecord[],
  now: Date,
): boolean {
  const ends = Date.parse(record.notAfter ?? "");
  return certificates.some(
    (c) =>
      c.thumbprint !== record.thumbprint &&
      describedOnly(c) &&
      servesPurpose(c.purpose, purpose) &&
      (c.platform === undefined || c.platform === record.platform) &&
      Date.parse(c.notAfter ?? "") > ends &&
      !hasExpired(new Date(c.notAfter ?? ""), now),
  );
}

/** A replacement for every purpose: working, or (for a described-only certificate) described the same way. */
function replacedForAll(record: CertificateRecord, certificates: readonly CertificateRecord[], now: Date) {
  return purposesOf(record.purpose).every(
    (p) =>
      findReplacement(record, p, certificates, now) !== undefined ||
      (describedOnly(record) && describedSuccessor(record, p, certificates, now)),
  );
}

const silent = ({ user, next }: NotificationPolicyInput) =>
  user?.deleted === true || user?.accountEnabled === false || next.state === "removed";

function expiringNotice(input: NotificationPolicyInput): NotificationRequest[] {
  const { previous, next } = input;
  if (next.state !== "valid" && next.state !== "expiring" && !describedOnly(next)) return [];
  const before = previous?.thresholdsAnnounced ?? [];
  const threshold = thresholdToAnnounce(
    next.thresholdsAnnounced.filter((d) => !before.includes(d)),
    before,
  );
  if (threshold === undefined || replacedForAll(next, input.certificates, input.now)) return [];
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
