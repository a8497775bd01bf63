/**
 * Everything Intune says about S/MIME certificates, as a stream of observations, by one of two paths:
 * - **graph**: the user's imported PFX list, then every S/MIME certificate profile's per-device states, their
 *   users found through the all-profiles listing (joined on the thumbprint: the per-profile states name no
 *   UPN). Two listings of the states, paged; polite to a small or medium tenant.
 * - **export**: the PFX list, then the `AllDeviceCertificates` report: one export job, polled with back-off,
 *   its ZIP streamed and read row by row — one download instead of thousands of pages, for large tenants.
 * Each part that fails is recorded and the listing goes on, but it is then not **complete**, and nothing may
 * be concluded from what it did not name. An export that cannot be had falls back to the graph path.
 */

import { exportRows } from "../adapters/intune-export/index.ts";
import type { CertificateProfile, DeviceManagementExportJob } from "../contracts/graph.ts";
import type { IntuneObservation } from "../domain/intune-diff.ts";
import type { IntuneCertificates, Logger } from "../ports.ts";
import {
  EXPORT_COLUMNS,
  ExportRow,
  exportObservation,
  type ProfileFacts,
  pfxObservation,
  type ResolveUser,
  stateObservation,
} from "./intune-observations.ts";

export type ListingPath = "graph" | "export";

/** What the listing met, filled in as it goes. */
export interface ListingStats {
  path: ListingPath;
  /** Device certificate states (or export rows) read. */
  states: number;
  pfx: number;
  /** Items Graph sent that broke their schema, or rows that did not parse. */
  rejected: number;
  /** Issued certificates whose user could not be told: never removed on the strength of this listing. */
  readonly unattributed: Set<string>;
  /** Device states failed or pending before any certificate was issued (no thumbprint to attach them to). */
  unissued: number;
  /** What failed, in words; empty when the listing is complete. */
  readonly failures: string[];
}

export interface ListingOptions {
  readonly path: ListingPath;
  /** Waits between export polls; tests pass one that does not wait. */
  readonly sleep: (ms: number) => Promise<void>;
  /** How long an export job may take before the graph path is used instead. */
  readonly exportTimeoutMs: number;
}

export type IntuneListingDeps = {
  readonly graph: IntuneCertificates;
  readonly logger: Logger;
};

export const newStats = (path: ListingPath): ListingStats => ({
  path,
  states: 0,
  pfx: 0,
  rejected: 0,
  unattributed: new Set(),
  unissued: 0,
  failures: [],
});

/** Whether nothing failed: only then may absence from the listing mean removal. */
export const isComplete = (s: ListingStats): boolean => s.failures.length === 0 && s.rejected === 0;

/**
 * The observations, in listing order. The profiles must be readable (without them no state can be placed):
 * that failure is thrown; any later one is recorded in `stats.failures`.
 */
export async function* listObservations(
  deps: IntuneListingDeps,
  resolve: ResolveUser,
  options: ListingOptions,
  stats: ListingStats,
): AsyncGenerator<IntuneObservation> {
  const profiles = await deps.graph.certificateProfiles();
  yield* guarded(stats, "userPfxCertificates", pfxList(deps, resolve, stats));
  if (options.path === "export") {
    const done = yield* exportPath(deps, profiles, resolve, options, stats);
    if (done) return;
    stats.path = "graph";
  }
  yield* graphPath(deps, profiles, resolve, stats);
}

async function* pfxList(deps: IntuneListingDeps, resolve: ResolveUser, stats: ListingStats) {
  for await (const page of deps.graph.pfxCertificates()) {
    stats.rejected += page.rejected.length;
    for (const pfx of page.items) {
      stats.pfx++;
      const o = pfxObservation(pfx, resolve);
      if (o) yield o;
    }
  }
}

async function* graphPath(
  deps: IntuneListingDeps,
  profiles: readonly CertificateProfile[],
  resolve: ResolveUser,
  stats: ListingStats,
): AsyncGenerator<IntuneObservation> {
  const upns = new Map<string, string>();
  await attempt(stats, "deviceConfigurationsAllManagedDeviceCertificateStates", () =>
    userOfThumbprint(deps, upns, resolve, stats),
  );
  for (const profile of profiles)
    yield* guarded(
      stats,
      `managedDeviceCertificateStates of ${profile.displayName ?? profile.id}`,
      profileStates(deps, profile, (t) => upns.get(t), resolve, stats),
    );
}

/** Thumbprint → UPN from the all-profiles listing: a thumbprint and a shared UPN per certificate. */
async function userOfThumbprint(
  deps: IntuneListingDeps,
  upns: Map<string, string>,
  names: ResolveUser,
  stats: ListingStats,
): Promise<void> {
  for await (const page of deps.graph.allCertificateStates()) {
    stats.rejected += page.rejected.length;
    for (const s of page.items)
      if (s.certificateThumbprint && s.userPrincipalName)
        upns.set(s.certificateThumbprint, names.intern(s.userPrincipalName));
  }
}

async function* profileStates(
  deps: IntuneListingDeps,
  profile: CertificateProfile,
  upnOf: (thumbprint: string) => string | undefined,
  resolve: ResolveUser,
  stats: ListingStats,
) {
  for await (const page of deps.graph.certificateStates(profile)) {
    stats.rejected += page.rejected.length;
    for (const state of page.items) {
      stats.states++;
      const o = stateObservation(state, profile, upnOf, resolve);
      if (o === "unattributed") stats.unattributed.add(state.certificateThumbprint ?? "");
      else if (o === "unissued") stats.unissued++;
      else if (o) yield o;
    }
  }
}

/**
 * The export path's device states. True when the report was read to its end; false when no export could be
 * had (the job failed, timed out, or its download was unreadable before any row) — the graph path then lists
 * the states instead. A download that breaks after rows were read is recorded as a failure: the rows read
 * stand, the listing is partial.
 */
async function* exportPath(
  deps: IntuneListingDeps,
  profiles: readonly CertificateProfile[],
  resolve: ResolveUser,
  options: ListingOptions,
  stats: ListingStats,
): AsyncGenerator<IntuneObservation, boolean> {
  const byId = new Map<string, ProfileFacts>(profiles.map((p) => [p.id, p]));
  let rows = 0;
  try {
    const job = await finishedExport(deps, options);
    for await (const raw of exportRows(deps.graph.downloadExport(job.url))) {
      rows++;
      stats.states++;
      const row = ExportRow.safeParse(raw);
      if (!row.success) {
        stats.rejected++;
        continue;
      }
      const o = exportObservation(row.data, byId, resolve);
      if (o === "unattributed") stats.unattributed.add(row.data.Thumbprint ?? "");
      else if (o === "unissued") stats.unissued++;
      else if (o) yield o;
    }
    return true;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (rows === 0) {
      deps.logger.warn("Intune export unavailable: listing device states through Graph instead", { reason });
      return false;
    }
    stats.failures.push(`AllDeviceCertificates export after ${rows} rows: ${reason}`);
    return true;
  }
}

/** Starts the AllDeviceCertificates export and polls it with doubling waits (2 s up to 30 s) until done. */
async function finishedExport(
  deps: IntuneListingDeps,
  options: ListingOptions,
): Promise<DeviceManagementExportJob & { url: string }> {
  let job = await deps.graph.startExport({
    reportName: "AllDeviceCertificates",
    format: "csv",
    select: [...EXPORT_COLUMNS],
  });
  let waited = 0;
  for (let delay = 2_000; ; delay = Math.min(delay * 2, 30_000)) {
    if (job.status === "completed" && job.url) return { ...job, url: job.url };
    if (job.status === "failed") throw new Error(`export job ${job.id} failed`);
    if (waited >= options.exportTimeoutMs)
      throw new Error(`export job ${job.id} still ${job.status} after ${Math.round(waited / 1000)} s`);
    await options.sleep(delay);
    waited += delay;
    job = await deps.graph.getExport(job.id);
  }
}

/** Runs one part of the listing that yields nothing; its failure is recorded, and the listing goes on. */
async function attempt(stats: ListingStats, part: string, task: () => Promise<void>): Promise<void> {
  try {
    await task();
  } catch (e) {
    stats.failures.push(`${part}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Runs one part of the listing; its failure is recorded, and the listing goes on without it. */
async function* guarded<T>(stats: ListingStats, part: string, items: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* items;
  } catch (e) {
    stats.failures.push(`${part}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
