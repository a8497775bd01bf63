/**
 * The daily expiry sweep: announces each newly crossed threshold (`certificate.expiring`) and each
 * certificate past its notAfter (`certificate.expired`).
 *
 * It only reads the inventory: onCertificateEvent, the inventory's single writer, records the announced
 * thresholds and the new state when it handles these events. Running the sweep twice before they are
 * handled publishes the same event ids again, which the queue and the ledger drop.
 *
 * It also logs, per user and purpose whose working certificate ends within 7 days with no successor delivered,
 * one `smime.continuityAtRisk` line: the ops alert "users losing S/MIME within 7 days with no replacement"
 * (infra/modules/alerts.bicep) matches it. Only what continuity reads of a record is kept during the sweep, so
 * a large inventory is not held in memory.
 */
import { createEvent } from "../contracts/events.ts";
import type { CertificateRecord } from "../contracts/rows.ts";
import { hasExpired, notAfterOf, PURPOSES } from "../domain/certificate-facts.ts";
import { type Candidate, CONTINUITY_ALERT_DAYS, continuityRisks, isUsableFor } from "../domain/continuity.ts";
import { daysLeft, dueThresholds } from "../domain/expiry.ts";
import { departure } from "../domain/revocation-advice.ts";
import { certificateCensus } from "../telemetry/certificate-census.ts";
import { CursorNames, type Deps, eventSource } from "./deps.ts";
import { isRetired, type SweepResult, sweep } from "./scan-inventory.ts";

export type ScanExpiryDeps = Pick<
  Deps,
  "certificates" | "users" | "audit" | "bus" | "clock" | "logger" | "cursors" | "settings"
>;

/** Sweeps the inventory at `now`. */
export async function scanExpiry(deps: ScanExpiryDeps, input: { now: Date }): Promise<SweepResult> {
  const thresholds = deps.settings.expiryThresholdsDays;
  const working: ContinuityCandidate[] = [];
  const census = certificateCensus(input.now);
  const result = await sweep(deps, deps.certificates.scan(), (record) => {
    census.add(record);
    const kept = continuityCandidate(record, input.now);
    if (kept) working.push(kept);
    return expiryEvents(record, input.now, thresholds);
  });
  await logContinuityRisks(deps, working, input.now);
  census.record();
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

type ContinuityCandidate = Candidate & Pick<CertificateRecord, "userId" | "userPrincipalName">;

/** What continuity needs of a record working for some purpose now; undefined for one that works for none. */
function continuityCandidate(record: CertificateRecord, now: Date): ContinuityCandidate | undefined {
  if (!PURPOSES.some((p) => isUsableFor(record, p, now))) return undefined;
  const { userId, userPrincipalName, thumbprint, purpose, state, sources, notAfter, platform } = record;
  return {
    userId,
    userPrincipalName,
    thumbprint,
    purpose,
    state,
    sources,
    notAfter,
    platform,
    signing: record.signing && { ready: record.signing.ready },
    encryption: record.encryption && { ready: record.encryption.ready },
  };
}

/**
 * One line per user and purpose at risk; `message` is the key the alert's query matches exactly. A departed
 * (disabled or deleted) user is no one to re-provision: their certificates are up for revocation instead.
 */
async function logContinuityRisks(
  deps: Pick<ScanExpiryDeps, "logger" | "users">,
  working: ContinuityCandidate[],
  now: Date,
) {
  for (const risk of continuityRisks(working, now, CONTINUITY_ALERT_DAYS)) {
    const user = (await deps.users.get(risk.userId))?.value;
    if (user && departure(user)) continue;
    deps.logger.warn("smime.continuityAtRisk", {
      userId: risk.userId,
      upn: risk.userPrincipalName,
      purpose: risk.purpose,
      thumbprint: risk.thumbprint,
      notAfter: risk.notAfter,
      daysLeft: risk.daysLeft,
    });
  }
}
