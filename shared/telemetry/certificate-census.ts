/**
 * The inventory's metrics from a sweep that already reads every certificate (the daily expiry scan): the
 * count in each state and each live certificate's days to expiry. Counting along costs nothing extra,
 * where a gauge reading the whole inventory at every export would read it every minute.
 */
import { LifecycleState } from "../contracts/events.ts";
import type { CertificateRecord } from "../contracts/rows.ts";
import { hasExpired, notAfterOf } from "../domain/certificate-facts.ts";
import { daysLeft } from "../domain/expiry.ts";
import { isRetired } from "../usecases/scan-inventory.ts";
import { recordCertificateStates, recordDaysToExpiry } from "./metrics.ts";

export interface CertificateCensus {
  /** Counts one certificate of the sweep. */
  add(record: Pick<CertificateRecord, "state" | "notAfter">): void;
  /** Records what was counted: call once, after the sweep. */
  record(): void;
}

/** A census of the certificates seen at `now`. */
export function certificateCensus(now: Date): CertificateCensus {
  const byState: Record<string, number> = Object.fromEntries(LifecycleState.options.map((s) => [s, 0]));
  const days: number[] = [];
  return {
    add(record) {
      byState[record.state] = (byState[record.state] ?? 0) + 1;
      const notAfter = notAfterOf(record);
      if (notAfter && !isRetired(record) && !hasExpired(notAfter, now)) days.push(daysLeft(notAfter, now));
    },
    record() {
      recordCertificateStates(byState);
      for (const d of days) recordDaysToExpiry(d);
    },
  };
}
