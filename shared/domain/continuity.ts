/**
 * Continuity: before a working certificate expires, is its successor already in place? For encryption this is
 * what keeps a user's S/MIME alive — a newer imported certificate (same key history on every device, DESIGN.md
 * rule 5) must be delivered before the old one ends, or the user loses encryption that day. The ops alert
 * "users losing S/MIME within 7 days with no replacement" and the notification policy ("no expiring notice when
 * a replacement exists") both ask this.
 */
import type { CertificateRecord } from "../contracts/rows.ts";
import {
  hasExpired,
  isImported,
  notAfterOf,
  PURPOSES,
  type Purpose,
  servesPurpose,
} from "./certificate-facts.ts";
import { daysLeft, isWithinDays } from "./expiry.ts";

/** What continuity reads of a record: of each verdict only whether it is ready (a sweep keeps no more). */
export type Candidate = Pick<
  CertificateRecord,
  "thumbprint" | "purpose" | "state" | "sources" | "notAfter" | "platform"
> & {
  readonly signing?: { readonly ready: boolean } | undefined;
  readonly encryption?: { readonly ready: boolean } | undefined;
};

/** Decided and not lost: `invalid` included, because the verdict of the asked purpose decides. */
const USABLE_STATES: readonly Candidate["state"][] = ["valid", "expiring", "invalid"];

/**
 * Working for `purpose` now: validated and not revoked, removed or expired; ready for the purpose by its last
 * verdict; not past notAfter; and, for encryption, imported. Judged per purpose, as readiness is: a dual-use
 * certificate that is `invalid` because it can't sign still encrypts.
 */
export function isUsableFor(record: Candidate, purpose: Purpose, now: Date): boolean {
  const notAfter = notAfterOf(record);
  return (
    USABLE_STATES.includes(record.state) &&
    servesPurpose(record.purpose, purpose) &&
    record[purpose]?.ready === true &&
    notAfter !== undefined &&
    !hasExpired(notAfter, now) &&
    (purpose !== "encryption" || isImported(record))
  );
}

/**
 * A replacement for `record` and `purpose` among `certificates`: another certificate usable for the purpose now,
 * reaching the same platforms, that lasts longer. Of several, the one that lasts longest.
 */
export function findReplacement<C extends Candidate>(
  record: Candidate,
  purpose: Purpose,
  certificates: readonly C[],
  now: Date,
): C | undefined {
  const ends = notAfterOf(record)?.getTime() ?? Number.NEGATIVE_INFINITY;
  return certificates
    .filter(
      (c) =>
        c.thumbprint !== record.thumbprint &&
        (c.platform === undefined || c.platform === record.platform) &&
        isUsableFor(c, purpose, now) &&
        (notAfterOf(c)?.getTime() ?? 0) > ends,
    )
    .sort((a, b) => (notAfterOf(b)?.getTime() ?? 0) - (notAfterOf(a)?.getTime() ?? 0))[0];
}

export type Continuity =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Thumbprint of the working encryption certificate that ends with nothing after it. */
      readonly expiring: string;
      readonly notAfter: string;
      readonly daysLeft: number;
    };

export interface ContinuityInput {
  /** All the user's certificate records. */
  readonly certificates: readonly Candidate[];
  readonly now: Date;
  /**
   * How far ahead to look: the largest expiry threshold for the pipeline's own checks, 7 for the ops alert.
   */
  readonly withinDays: number;
}

/**
 * Encryption continuity for one user: every working encryption certificate that ends within `withinDays` has a
 * newer working imported one. When not, names the certificate that ends first without a successor. A user with
 * no working encryption certificate at all has nothing to lose here (readiness reports that).
 */
export function encryptionContinuity(input: ContinuityInput): Continuity {
  const { certificates, now, withinDays } = input;
  const uncovered = certificates
    .filter((c) => isUsableFor(c, "encryption", now))
    .filter((c) => isWithinDays(notAfterOf(c)!, now, withinDays))
    .filter((c) => findReplacement(c, "encryption", certificates, now) === undefined)
    .sort((a, b) => notAfterOf(a)!.getTime() - notAfterOf(b)!.getTime());
  const first = uncovered[0];
  if (!first) return { ok: true };
  const notAfter = notAfterOf(first)!;
  return {
    ok: false,
    expiring: first.thumbprint,
    notAfter: notAfter.toISOString(),
    daysLeft: daysLeft(notAfter, now),
  };
}

/** A user about to lose encryption: the certificate that ends first without a successor. */
export interface ContinuityGap {
  readonly userId: string;
  readonly userPrincipalName: string;
  readonly expiring: string;
  readonly notAfter: string;
  readonly daysLeft: number;
}

/**
 * Every user in an inventory who loses encryption within `withinDays` with no successor in place, soonest
 * first (the ops alert and the status page). Records of all users, in any order.
 */
export function continuityGaps(
  records: Iterable<Candidate & Pick<CertificateRecord, "userId" | "userPrincipalName">>,
  now: Date,
  withinDays: number,
): ContinuityGap[] {
  const gaps: ContinuityGap[] = [];
  for (const [userId, certificates] of groupByUser(records)) {
    const found = encryptionContinuity({ certificates, now, withinDays });
    if (found.ok) continue;
    const { expiring, notAfter, daysLeft } = found;
    const userPrincipalName = certificates[0]!.userPrincipalName;
    gaps.push({ userId, userPrincipalName, expiring, notAfter, daysLeft });
  }
  return gaps.sort((a, b) => a.notAfter.localeCompare(b.notAfter) || a.userId.localeCompare(b.userId));
}

/** The days ahead the ops alert "users losing S/MIME within 7 days with no replacement" looks. */
export const CONTINUITY_ALERT_DAYS = 7;

/** One user and purpose at risk: the working certificate that ends first with no successor delivered. */
export interface ContinuityRisk {
  readonly userId: string;
  readonly userPrincipalName: string;
  readonly purpose: Purpose;
  readonly thumbprint: string;
  readonly notAfter: string;
  readonly daysLeft: number;
}

type OwnedCandidate = Candidate & Pick<CertificateRecord, "userId" | "userPrincipalName">;

/**
 * Per user and purpose, the working certificate that ends within `withinDays` with no working, longer-lasting
 * successor for the same platform: that day the user can no longer sign (or encrypt) on that phone. Soonest
 * first. Records of all users, in any order; a user with no working certificate for a purpose has nothing to
 * lose there (readiness reports that).
 */
export function continuityRisks(
  records: Iterable<OwnedCandidate>,
  now: Date,
  withinDays: number,
): ContinuityRisk[] {
  const risks: ContinuityRisk[] = [];
  for (const certificates of groupByUser(records).values()) {
    for (const purpose of PURPOSES) {
      const first = certificates
        .filter((c) => isUsableFor(c, purpose, now) && isWithinDays(notAfterOf(c)!, now, withinDays))
        .filter((c) => findReplacement(c, purpose, certificates, now) === undefined)
        .sort((a, b) => notAfterOf(a)!.getTime() - notAfterOf(b)!.getTime())[0];
      if (!first) continue;
      const notAfter = notAfterOf(first)!;
      risks.push({
        userId: first.userId,
        userPrincipalName: first.userPrincipalName,
        purpose,
        thumbprint: first.thumbprint,
        notAfter: notAfter.toISOString(),
        daysLeft: daysLeft(notAfter, now),
      });
    }
  }
  return risks.sort(
    (a, b) =>
      a.notAfter.localeCompare(b.notAfter) ||
      a.userId.localeCompare(b.userId) ||
      a.purpose.localeCompare(b.purpose),
  );
}

function groupByUser<C extends OwnedCandidate>(records: Iterable<C>): Map<string, C[]> {
  const byUser = new Map<string, C[]>();
  for (const record of records) {
    const list = byUser.get(record.userId);
    if (list) list.push(record);
    else byUser.set(record.userId, [record]);
  }
  return byUser;
}
