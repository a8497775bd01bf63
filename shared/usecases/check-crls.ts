/**
 * The hourly CRL sweep: every distinct distribution point of the inventory is fetched the way Exchange
 * Online fetches it (from the internet, through the engine's guarded and cached fetcher). Its health is
 * recorded; an outage is announced once when it begins (`crl.unreachable`) and once when it ends
 * (`crl.recovered`), and the certificates depending on it are re-validated both times, so their verdict
 * follows the endpoint. A certificate the CRL lists that the inventory does not know as revoked gets
 * `certificate.revoked`. Every run also logs one `crl.unreachable` line per endpoint still down, with the
 * outage's start: the ops alert (infra/modules/alerts.bicep) fires on an outage older than an hour, which
 * the one-off event alone cannot show once the log window has moved past it.
 */
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import { createEvent } from "../contracts/events.ts";
import type { CertificateRecord, CrlHealthRecord } from "../contracts/rows.ts";
import { ConflictError } from "../errors.ts";
import { parseCertificate } from "../pki/certificate.ts";
import { type Crl, reasonName } from "../pki/crl.ts";
import type { CrlFetchResult } from "../pki/revocation.ts";
import { recordCrlFetchFailure } from "../telemetry/metrics.ts";
import { type CrlOutageChange, nextCrlHealth } from "./crl-health.ts";
import { CursorNames, type Deps, eventSource } from "./deps.ts";
import { publishEvents } from "./publish-events.ts";
import { isRetired } from "./scan-inventory.ts";

export type CheckCrlsDeps = Pick<
  Deps,
  "certificates" | "crlHealth" | "audit" | "bus" | "clock" | "logger" | "cursors" | "pki"
>;

export interface CheckCrlsResult {
  /** Distinct CRL URLs checked. */
  readonly checked: number;
  readonly unreachable: number;
  /** Certificates newly found on a CRL. */
  readonly revoked: number;
  /** URLs whose check threw (logged). */
  readonly failed: number;
}

/** CRLs fetched at once: enough to overlap slow endpoints, few enough to be polite to one CA. */
const CONCURRENCY = 8;
const SOURCE = eventSource("checkCrls");

/** Checks every CRL URL of the inventory at `now`. */
export async function checkCrls(deps: CheckCrlsDeps, input: { now: Date }): Promise<CheckCrlsResult> {
  const byUrl = await certificatesByCrl(deps.certificates.scan());
  const outcomes = await mapLimit([...byUrl], CONCURRENCY, async ([url, records]) => {
    try {
      return await checkOne(deps, url, records, input.now);
    } catch (error) {
      deps.logger.error("CRL check failed", { url, error });
      return undefined;
    }
  });
  const done = outcomes.filter((o) => o !== undefined);
  await deps.cursors.set(CursorNames.checkCrlsLastRun, input.now.toISOString(), input.now);
  const result = {
    checked: byUrl.size,
    unreachable: done.filter((o) => o.status === "unreachable").length,
    revoked: done.reduce((n, o) => n + o.revoked, 0),
    failed: outcomes.length - done.length,
  };
  deps.logger.info("CRL check done", { ...result });
  return result;
}

/** Every http(s) CRL URL of a live certificate's chain, with the certificates that depend on it. */
export async function certificatesByCrl(
  records: AsyncIterable<CertificateRecord>,
): Promise<Map<string, CertificateRecord[]>> {
  const byUrl = new Map<string, CertificateRecord[]>();
  for await (const record of records) {
    if (isRetired(record) || record.state === "expired") continue;
    for (const url of new Set(record.crlUrls)) {
      const list = byUrl.get(url) ?? [];
      list.push(record);
      byUrl.set(url, list);
    }
  }
  return byUrl;
}

async function checkOne(deps: CheckCrlsDeps, url: string, records: readonly CertificateRecord[], now: Date) {
  const fetched = await deps.pki.fetchCrl(url);
  if (!fetched.ok) recordCrlFetchFailure(url);
  const previous = await deps.crlHealth.get(url);
  const { record, change } = nextCrlHealth(url, previous?.value, fetched, now);
  // A CRL already seen healthy in this very issue lists nobody new: every certificate on it was validated
  // against it (or was listed, and announced, when it was first seen). Re-reading it only costs a parse per
  // certificate, so it is skipped.
  const seen = previous?.value.status === "healthy" && previous.value.thisUpdate === record.thisUpdate;
  const revocations = record.status === "invalid" || seen ? [] : revokedOnCrl(fetched, records, now, deps);
  const events = [...outageEvents(url, change, records, now), ...revocations];
  // Announce first, record second: a crash in between re-announces on the next run (same outage start,
  // so the same event ids), where the other order would leave an outage recorded but never announced.
  await publishEvents(deps, events);
  await putHealth(deps, record, previous?.etag);
  if (record.status === "unreachable") logStillDown(deps, record);
  return { status: record.status, revoked: revocations.length };
}

/** The line the "CRL endpoint unreachable for an hour" alert matches; `message` is its exact key. */
function logStillDown(deps: Pick<CheckCrlsDeps, "logger">, record: CrlHealthRecord): void {
  deps.logger.warn("crl.unreachable", {
    url: record.url,
    since: record.downSince ?? record.lastCheckedAt,
    reason: record.lastError ?? "unreachable",
  });
}

async function putHealth(deps: CheckCrlsDeps, record: CrlHealthRecord, etag: string | undefined) {
  try {
    await deps.crlHealth.put(record, etag === undefined ? { ifAbsent: true } : { ifMatch: etag });
  } catch (error) {
    // Another check of the same URL wrote first; its record is as fresh as this one.
    if (!(error instanceof ConflictError)) throw error;
    deps.logger.warn("CRL health written concurrently; keeping the other write", { url: record.url });
  }
}

/** The outage's announcement and a re-validation of every certificate depending on the URL. */
function outageEvents(
  url: string,
  change: CrlOutageChange | undefined,
  records: readonly CertificateRecord[],
  now: Date,
): CloudEventEnvelope[] {
  if (!change) return [];
  const options = { source: SOURCE, time: now };
  const announced =
    change.kind === "down"
      ? createEvent("crl.unreachable", { url, reason: change.reason, since: change.since }, options)
      : createEvent(
          "crl.recovered",
          { url, downSince: change.since, recoveredAt: now.toISOString() },
          options,
        );
  // requestedAt is the outage's start: a retried run asks for the same re-validations (same event ids).
  const reason = `${announced.type} ${url}`;
  const revalidations = records.map((r) =>
    createEvent(
      "certificate.revalidationRequested",
      { userId: r.userId, thumbprint: r.thumbprint, reason, requestedAt: change.since },
      options,
    ),
  );
  return [announced, ...revalidations];
}

/**
 * Certificates of `records` the fetched CRL lists. The lookup alone does not verify the CRL's signature;
 * the event only makes onCertificateEvent re-validate, and the engine, which does verify it, decides.
 */
function revokedOnCrl(
  fetched: CrlFetchResult,
  records: readonly CertificateRecord[],
  now: Date,
  deps: Pick<CheckCrlsDeps, "logger">,
): CloudEventEnvelope[] {
  if (!fetched.ok) return [];
  const out: CloudEventEnvelope[] = [];
  for (const record of records) {
    try {
      const event = revocationOf(fetched.crl, record, now);
      if (event) out.push(event);
    } catch (error) {
      deps.logger.warn("certificate not looked up on its CRL", { thumbprint: record.thumbprint, error });
    }
  }
  return out;
}

function revocationOf(crl: Crl, record: CertificateRecord, now: Date): CloudEventEnvelope | undefined {
  if (!record.certificate) return undefined;
  const certificate = parseCertificate(Buffer.from(record.certificate, "base64"));
  const entry = crl.lookupSerial(certificate.serialNumberBytes, certificate.issuer);
  if (!entry) return undefined;
  return createEvent(
    "certificate.revoked",
    {
      userId: record.userId,
      thumbprint: record.thumbprint,
      serialNumber: certificate.serialNumber,
      revokedAt: entry.revocationDate.toISOString(),
      ...(entry.reason !== undefined && { reason: reasonName(entry.reason) }),
      detectedBy: "crl",
    },
    { source: SOURCE, time: now },
  );
}

/** Runs `work` over `items` with at most `limit` in flight; results in input order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
