/**
 * The shape every inventory sweep (expiry, CRLs, re-validation) shares: look at each certificate on its own,
 * so that one bad record is logged and counted instead of stopping the sweep, and publish what the sweep
 * found in bounded batches.
 */
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import type { CertificateRecord } from "../contracts/rows.ts";
import type { Deps } from "./deps.ts";
import { type PublishDeps, publishEvents } from "./publish-events.ts";

/** Events per publishEvents call: one audit batch and a few Service Bus batches. */
const PUBLISH_CHUNK = 500;

export interface SweepResult {
  /** Certificates looked at. */
  readonly scanned: number;
  /** Events published. */
  readonly published: number;
  /** Certificates whose handling threw (logged with the error). */
  readonly failed: number;
}

/**
 * Calls `decide` for each record (or each record `records` yields) and publishes the events it returns.
 * A record whose `decide` throws is logged and counted in `failed`; a publish failure propagates (the
 * timer run fails and is retried next time: every event id is derived from content, so nothing doubles).
 */
export async function sweep(
  deps: PublishDeps & Pick<Deps, "logger">,
  records: AsyncIterable<CertificateRecord> | Iterable<CertificateRecord>,
  decide: (record: CertificateRecord) => readonly CloudEventEnvelope[],
): Promise<SweepResult> {
  let scanned = 0;
  let published = 0;
  let failed = 0;
  let pending: CloudEventEnvelope[] = [];
  const flush = async () => {
    await publishEvents(deps, pending);
    published += pending.length;
    pending = [];
  };
  for await (const record of records) {
    scanned++;
    try {
      pending.push(...decide(record));
    } catch (error) {
      failed++;
      deps.logger.error("certificate skipped by the sweep", {
        userId: record.userId,
        thumbprint: record.thumbprint,
        error,
      });
    }
    if (pending.length >= PUBLISH_CHUNK) await flush();
  }
  await flush();
  return { scanned, published, failed };
}

/** States whose certificates no sweep acts on any more. */
export const isRetired = (record: Pick<CertificateRecord, "state">): boolean =>
  record.state === "removed" || record.state === "revoked";
