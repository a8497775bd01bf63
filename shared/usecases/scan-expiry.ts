/**
 * The daily expiry sweep: announces each newly crossed threshold (`certificate.expiring`) and each
 * certificate past its notAfter (`certificate.expired`).
 *
 * It only reads the inventory: onCertificateEvent, the inventory's single writer, records the announced
 * thresholds and the new state when it handles these events. Running the sweep twice before they are
 * handled publishes the same event ids again, which the queue and the ledger drop.
 */
import { createEvent } from "../contracts/events.ts";
import type { CertificateRecord } from "../contracts/rows.ts";
import { hasExpired, notAfterOf } from "../domain/certificate-facts.ts";
import { daysLeft, dueThresholds } from "../domain/expiry.ts";
import { CursorNames, type Deps, eventSource } from "./deps.ts";
import { isRetired, type SweepResult, sweep } from "./scan-inventory.ts";

export type ScanExpiryDeps = Pick<
  Deps,
  "certificates" | "audit" | "bus" | "clock" | "logger" | "cursors" | "settings"
>;

/** Sweeps the inventory at `now`. */
export async function scanExpiry(deps: ScanExpiryDeps, input: { now: Date }): Promise<SweepResult> {
  const thresholds = deps.settings.expiryThresholdsDays;
  const result = await sweep(deps, deps.certificates.scan(), (record) =>
    expiryEvents(record, input.now, thresholds),
  );
  await deps.cursors.set(CursorNames.scanExpiryLastRun, input.now.toISOString(), input.now);
  deps.logger.info("expiry scan done", { ...result });
  return result;
}

/** What one certificate's expiry asks for at `now`: nothing, one threshold announcement, or expiry. */
export function expiryEvents(record: CertificateRecord, now: Date, thresholds: readonly number[]) {
  const notAfter = notAfterOf(record);
  if (!notAfter || isRetired(record) || record.state === "expired") return [];
  const options = { source: eventSource("scanExpiry"), time: now };
  const ids = { userId: record.userId, thumbprint: record.thumbprint };
  if (hasExpired(notAfter, now))
    return [createEvent("certificate.expired", { ...ids, notAfter: notAfter.toISOString() }, options)];
  const due = dueThresholds({ notAfter, now, thresholds, announced: record.thresholdsAnnounced });
  if (due.announce === undefined) return [];
  const data = {
    ...ids,
    notAfter: notAfter.toISOString(),
    thresholdDays: due.announce,
    daysLeft: daysLeft(notAfter, now),
  };
  return [createEvent("certificate.expiring", data, options)];
}
