/**
 * syncIntune: polls Intune (Graph has no change notifications for Intune resources) and announces what
 * changed since the inventory last heard: `certificate.discovered` for new or changed certificates,
 * `certificate.revoked` when Intune revoked one, `certificate.removed` when a complete listing no longer names
 * one the inventory has from Intune alone. An unchanged tenant publishes nothing.
 *
 * Idempotent by construction: event ids derive from content (a discovery's includes the fingerprint of what
 * Intune said), so a sync retried after a crash republishes the same ids, which the ledger and the queue drop.
 *
 * Memory stays bounded for a 100,000-certificate tenant: the inventory is read as compact entries, Intune's
 * observations are folded into one small entry per certificate as the pages arrive, and events are published
 * in batches as the diff produces them.
 */
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import { createEvent } from "../contracts/events.ts";
import {
  eventsFor,
  foldObservation,
  type IntuneCertificate,
  type IntuneEvent,
  removalsFor,
} from "../domain/intune-diff.ts";
import type { IntuneCertificates } from "../ports.ts";
import { CursorNames, type Deps, eventSource } from "./deps.ts";
import { ByUser } from "./intune-by-user.ts";
import { loadIntuneInventory, loadUserResolver } from "./intune-inventory.ts";
import { isComplete, type ListingPath, listObservations, newStats } from "./intune-listing.ts";
import { publishEvents } from "./publish-events.ts";

export type SyncIntuneDeps = Pick<
  Deps,
  "certificates" | "users" | "cursors" | "audit" | "bus" | "clock" | "logger"
> & {
  readonly graph: IntuneCertificates;
};

export interface SyncIntuneOptions {
  /**
   * `auto` (default): the export when the last complete sync counted at least `exportThreshold` device
   * states, else the Graph listing. The first sync of a tenant always lists through Graph, and learns its size.
   */
  readonly mode?: "auto" | ListingPath;
  /** Device states from which `auto` uses the export (default 20,000: 20 pages of 1,000 and more). */
  readonly exportThreshold?: number;
  /** Events per publish (default 500). */
  readonly batchSize?: number;
  /** How long an export job may run before the Graph listing is used instead (default 10 minutes). */
  readonly exportTimeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly traceparent?: string;
}

export interface SyncIntuneResult {
  readonly path: ListingPath;
  /** Whether the listing was complete: only then were removals announced and the sync time recorded. */
  readonly complete: boolean;
  readonly states: number;
  readonly pfx: number;
  readonly certificates: number;
  readonly discovered: number;
  readonly revoked: number;
  readonly removed: number;
  readonly unattributed: number;
  /** Device states Intune reports failed or pending with no certificate issued yet (see intune-observations). */
  readonly unissued: number;
  readonly rejected: number;
  readonly failures: readonly string[];
}

/** The cursor keeping the last complete sync's count of device states, for the path decision. */
export const INTUNE_STATE_COUNT_CURSOR = "intune.deviceStateCount";

const SOURCE = eventSource("syncIntune");
const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One sync. Throws only when nothing can be listed (the certificate profiles are unreadable: a RetryableError
 * or PermanentError from the gateway); a part that fails later makes the sync partial, reported in the result.
 */
export async function syncIntune(
  deps: SyncIntuneDeps,
  options: SyncIntuneOptions = {},
): Promise<SyncIntuneResult> {
  const now = deps.clock.now();
  const path = await choosePath(deps, options);
  const resolve = await loadUserResolver(deps.users);
  const inventory = await loadIntuneInventory(deps.certificates, resolve);
  const stats = newStats(path);
  const snapshot = new ByUser<IntuneCertificate>();
  const listing = listObservations(
    deps,
    resolve,
    { path, sleep: options.sleep ?? sleepFor, exportTimeoutMs: options.exportTimeoutMs ?? 600_000 },
    stats,
  );
  for await (const o of listing) {
    const folded = foldObservation(snapshot.get(o.userId, o.thumbprint), o);
    if (folded) snapshot.set(folded);
  }
  const complete = isComplete(stats);
  const certificates = snapshot.size;
  const publisher = batchPublisher(deps, now, options);
  for (const certificate of snapshot.values()) {
    const { userId, thumbprint } = certificate;
    await publisher.add(eventsFor(certificate, inventory.get(userId, thumbprint), complete));
    inventory.delete(userId, thumbprint); // what is left is what Intune did not name
    snapshot.delete(userId, thumbprint); // its events are made: memory shrinks as the publishing goes on
  }
  const unattributed = stats.unattributed;
  await publisher.add(
    removalsFor(inventory.values(), (k) => unattributed.has(k.slice(k.indexOf("|") + 1)), complete),
  );
  await publisher.flush();
  if (complete) {
    await deps.cursors.set(INTUNE_STATE_COUNT_CURSOR, String(stats.states), now);
    await deps.cursors.set(CursorNames.syncIntuneLastRun, now.toISOString(), now);
  }
  const result: SyncIntuneResult = {
    path: stats.path,
    complete,
    states: stats.states,
    pfx: stats.pfx,
    certificates,
    ...publisher.counts,
    unattributed: unattributed.size,
    unissued: stats.unissued,
    rejected: stats.rejected,
    failures: stats.failures,
  };
  deps.logger[complete ? "info" : "warn"]("Intune synced", {
    ...result,
    failures: stats.failures.join("; "),
  });
  return result;
}

async function choosePath(deps: SyncIntuneDeps, options: SyncIntuneOptions): Promise<ListingPath> {
  const mode = options.mode ?? "auto";
  if (mode !== "auto") return mode;
  const last = Number((await deps.cursors.get(INTUNE_STATE_COUNT_CURSOR))?.value ?? 0);
  return last >= (options.exportThreshold ?? 20_000) ? "export" : "graph";
}

/** Collects events and publishes them (ledger, then queue) whenever a batch is full. */
function batchPublisher(deps: SyncIntuneDeps, now: Date, options: SyncIntuneOptions) {
  const size = options.batchSize ?? 500;
  const envelope = {
    source: SOURCE,
    time: now,
    ...(options.traceparent && { traceparent: options.traceparent }),
  };
  let batch: CloudEventEnvelope[] = [];
  const counts = { discovered: 0, revoked: 0, removed: 0 };
  const flush = async () => {
    if (batch.length === 0) return;
    const sending = batch;
    batch = [];
    await publishEvents(deps, sending);
  };
  return {
    counts,
    flush,
    async add(events: readonly IntuneEvent[]) {
      for (const e of events) {
        batch.push(createEvent(e.type, e.data, envelope));
        if (e.type === "certificate.discovered") counts.discovered++;
        else if (e.type === "certificate.revoked") counts.revoked++;
        else counts.removed++;
      }
      if (batch.length >= size) await flush();
    },
  };
}
