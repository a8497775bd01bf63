/**
 * Time left on a certificate: whole days, the thresholds a certificate has newly crossed, and the dashboard's
 * expiry buckets. Pure: `now` is always a parameter.
 */
import type { CertificateRecord } from "../contracts/rows.ts";
import { DAY_MS, hasExpired, notAfterOf } from "./certificate-facts.ts";

/** Whole days left until `notAfter`, rounded down: 6.9 days left is 6; negative once expired. */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/** Whether `notAfter` is at most `days` × 24 h away (and not past): the certificate is "within `days`". */
export function isWithinDays(notAfter: Date, now: Date, days: number): boolean {
  return !hasExpired(notAfter, now) && notAfter.getTime() - now.getTime() <= days * DAY_MS;
}

export interface DueThresholdsInput {
  readonly notAfter: Date;
  readonly now: Date;
  /** The configured thresholds in days (any order). */
  readonly thresholds: readonly number[];
  /** Thresholds already announced for this certificate (`CertificateRecord.thresholdsAnnounced`). */
  readonly announced: readonly number[];
}

export interface DueThresholds {
  /** Every threshold crossed and not yet announced: add them all to `thresholdsAnnounced`. */
  readonly crossed: readonly number[];
  /** The one threshold to announce now (a `certificate.expiring` event and notice), if any. */
  readonly announce: number | undefined;
}

/**
 * The thresholds a certificate has newly crossed at `now`, and which one of them to announce.
 *
 * Each threshold is announced at most once per certificate. When several are crossed at once (the pipeline was
 * down, the certificate was discovered late, or it was issued with little time left), only the **smallest** is
 * announced and all are recorded: a notice saying "expires within 30 days" when 5 days are left understates the
 * urgency, and three notices in one morning are noise. For the same reason nothing is announced when a smaller
 * threshold was already announced (a threshold added to the setting later must not send a "30 days" notice
 * after the "7 days" one). An expired certificate crosses nothing: its `certificate.expired` notice says it.
 */
export function dueThresholds(input: DueThresholdsInput): DueThresholds {
  const { notAfter, now, thresholds, announced } = input;
  if (hasExpired(notAfter, now)) return { crossed: [], announce: undefined };
  const crossed = [...new Set(thresholds)]
    .filter((days) => !announced.includes(days) && isWithinDays(notAfter, now, days))
    .sort((a, b) => b - a);
  return { crossed, announce: thresholdToAnnounce(crossed, announced) };
}

/**
 * Of newly crossed thresholds, the one to announce: the smallest, unless an even smaller one was announced
 * before. Shared by `dueThresholds` and the notification policy so that both always agree.
 */
export function thresholdToAnnounce(
  newlyCrossed: readonly number[],
  announced: readonly number[],
): number | undefined {
  if (newlyCrossed.length === 0) return undefined;
  const smallest = Math.min(...newlyCrossed);
  return announced.some((days) => days <= smallest) ? undefined : smallest;
}

/** Counts of certificates by time left; each certificate in exactly one bucket (a histogram, not a running sum). */
export interface ExpiryBuckets {
  /** notAfter has passed (state `expired`, or not rescanned yet). */
  readonly expired: number;
  /** At most 1 day left. */
  readonly within1Day: number;
  /** More than 1, at most 7 days left. */
  readonly within7Days: number;
  /** More than 7, at most 14 days left. */
  readonly within14Days: number;
  /** More than 14, at most 30 days left. */
  readonly within30Days: number;
  /** More than 30, at most 90 days left. */
  readonly within90Days: number;
  /** More than 90 days left. */
  readonly later: number;
  /** notAfter not known yet (Intune metadata without the certificate). */
  readonly unknown: number;
}

const BUCKETS: readonly (readonly [keyof ExpiryBuckets, number])[] = [
  ["within1Day", 1],
  ["within7Days", 7],
  ["within14Days", 14],
  ["within30Days", 30],
  ["within90Days", 90],
];

function bucketOf(notAfter: Date | undefined, now: Date): keyof ExpiryBuckets {
  if (notAfter === undefined) return "unknown";
  if (hasExpired(notAfter, now)) return "expired";
  return BUCKETS.find(([, days]) => isWithinDays(notAfter, now, days))?.[0] ?? "later";
}

/**
 * The dashboard's expiry histogram (`GET status`). Removed and revoked certificates are left out: their expiry
 * no longer matters to anyone.
 */
export function expiryBuckets(
  records: Iterable<Pick<CertificateRecord, "notAfter" | "state">>,
  now: Date,
): ExpiryBuckets {
  const counts: Record<keyof ExpiryBuckets, number> = {
    expired: 0,
    within1Day: 0,
    within7Days: 0,
    within14Days: 0,
    within30Days: 0,
    within90Days: 0,
    later: 0,
    unknown: 0,
  };
  for (const record of records) {
    if (record.state === "removed" || record.state === "revoked") continue;
    counts[bucketOf(notAfterOf(record), now)] += 1;
  }
  return counts;
}

/** One week of the dashboard's expiry timeline: certificates whose notAfter falls in (from, to]. */
export interface ExpiryWeek {
  readonly from: string;
  readonly to: string;
  readonly count: number;
}

/** The timeline's horizon: the next 90 days, in weeks (the last one is shorter). */
export const EXPIRY_TIMELINE_DAYS = 90;

/**
 * The dashboard's expiry timeline (`GET status`): certificates expiring in each week of the next 90 days,
 * the last week cut at day 90. As in `expiryBuckets`, removed, revoked, expired and undated certificates
 * are left out: the timeline shows what is still coming.
 */
export function expiryTimeline(
  records: Iterable<Pick<CertificateRecord, "notAfter" | "state">>,
  now: Date,
): ExpiryWeek[] {
  const start = now.getTime();
  const horizon = start + EXPIRY_TIMELINE_DAYS * DAY_MS;
  const weeks: { from: number; to: number; count: number }[] = [];
  for (let from = start; from < horizon; from += 7 * DAY_MS)
    weeks.push({ from, to: Math.min(from + 7 * DAY_MS, horizon), count: 0 });
  for (const record of records) {
    if (record.state === "removed" || record.state === "revoked") continue;
    const at = notAfterOf(record)?.getTime();
    if (at === undefined || at <= start || at > horizon) continue;
    const week = weeks[Math.min(weeks.length - 1, Math.floor((at - start - 1) / (7 * DAY_MS)))];
    if (week) week.count += 1;
  }
  return weeks.map((w) => ({
    from: new Date(w.from).toISOString(),
    to: new Date(w.to).toISOString(),
    count: w.count,
  }));
}
