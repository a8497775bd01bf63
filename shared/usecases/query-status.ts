/**
 * `GET status`: what ops look at first — certificates by state, how many expire soon, which CRL endpoints
 * are down, whether the queues are backing up or dead-lettering, and when each sweep last ran.
 */
import type { LifecycleState } from "../contracts/events.ts";
import { type QueueKey, Queues } from "../contracts/queues.ts";
import type { CertificateRecord, CrlHealthRecord } from "../contracts/rows.ts";
import { type ExpiryBuckets, type ExpiryWeek, expiryBuckets, expiryTimeline } from "../domain/expiry.ts";
import { recordCertificateStates } from "../telemetry/metrics.ts";
import { CursorNames, type Deps } from "./deps.ts";

export type QueryStatusDeps = Pick<Deps, "certificates" | "crlHealth" | "queueStats" | "cursors" | "clock">;

type StateName = (typeof LifecycleState.options)[number];

export type QueueDepth =
  | { readonly active: number; readonly scheduled: number; readonly deadLetter: number }
  /** The depth could not be read (e.g. no Manage right on the namespace); the rest of the status still is. */
  | { readonly error: string };

export interface StatusReport {
  readonly generatedAt: string;
  readonly certificates: { readonly total: number; readonly byState: Record<StateName, number> };
  readonly expiring: ExpiryBuckets;
  /** Certificates expiring in each week of the next 90 days (the dashboard's timeline). */
  readonly expiryTimeline: readonly ExpiryWeek[];
  readonly crls: {
    readonly total: number;
    readonly byStatus: Record<CrlHealthRecord["status"], number>;
    readonly endpoints: readonly CrlHealthRecord[];
  };
  /** By queue name (certificate-events, notifications, reprovision). */
  readonly queues: Record<string, QueueDepth>;
  /** Last completed run of each sweep and sync, ISO time; null when it never ran. */
  readonly lastRuns: Record<string, string | null>;
}

const LAST_RUNS = {
  scanExpiry: CursorNames.scanExpiryLastRun,
  checkCrls: CursorNames.checkCrlsLastRun,
  syncIntune: CursorNames.syncIntuneLastRun,
  syncUsers: CursorNames.syncUsersLastRun,
} as const;

/** The status at the clock's now. Reads the whole inventory once. */
export async function queryStatus(deps: QueryStatusDeps): Promise<StatusReport> {
  const now = deps.clock.now();
  const records: Pick<CertificateRecord, "state" | "notAfter">[] = [];
  for await (const r of deps.certificates.scan()) records.push({ state: r.state, notAfter: r.notAfter });
  const [crls, queues, lastRuns] = await Promise.all([
    deps.crlHealth.list(),
    queueDepths(deps),
    lastRunTimes(deps),
  ]);
  const byState = countStates(records);
  recordCertificateStates(byState);
  return {
    generatedAt: now.toISOString(),
    certificates: { total: records.length, byState },
    expiring: expiryBuckets(records, now),
    expiryTimeline: expiryTimeline(records, now),
    crls: { total: crls.length, byStatus: countCrlStatus(crls), endpoints: crls },
    queues,
    lastRuns,
  };
}

function countStates(records: readonly Pick<CertificateRecord, "state">[]): Record<StateName, number> {
  const counts = Object.fromEntries(
    (["discovered", "valid", "invalid", "expiring", "expired", "revoked", "removed"] as const).map((s) => [
      s,
      0,
    ]),
  ) as Record<StateName, number>;
  for (const r of records) counts[r.state]++;
  return counts;
}

function countCrlStatus(crls: readonly CrlHealthRecord[]): Record<CrlHealthRecord["status"], number> {
  const counts = { healthy: 0, unreachable: 0, stale: 0, invalid: 0 };
  for (const c of crls) counts[c.status]++;
  return counts;
}

async function queueDepths(deps: QueryStatusDeps): Promise<Record<string, QueueDepth>> {
  const keys = Object.keys(Queues) as QueueKey[];
  const depths = await Promise.all(
    keys.map(async (key): Promise<QueueDepth> => {
      try {
        return await deps.queueStats.depth(key);
      } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
  return Object.fromEntries(keys.map((key, i) => [Queues[key].name, depths[i]!]));
}

async function lastRunTimes(deps: QueryStatusDeps): Promise<Record<string, string | null>> {
  const entries = await Promise.all(
    Object.entries(LAST_RUNS).map(async ([name, cursor]) => [
      name,
      (await deps.cursors.get(cursor))?.value ?? null,
    ]),
  );
  return Object.fromEntries(entries);
}
