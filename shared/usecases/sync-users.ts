/**
 * syncUsers (timer, and on demand after a lifecycle notification): Entra ID users by delta query
 * (`/users/delta`, the gateway selecting `USER_SELECT`), so that every user's primary SMTP address, account
 * state and existence are known, and each change that can alter a verdict becomes a `user.changed`.
 *
 * The deltaLink of the last completed round is kept in the CursorStore; the first run (no link) enumerates
 * every user. A link Graph no longer honours (410 Gone, `resyncRequired`) starts over with a full round.
 * After a full round, users the directory no longer shows are announced as deleted: a full round carries
 * no `@removed` entries for users deleted while nobody was watching.
 */
import type { GraphUserDelta } from "../contracts/graph.ts";
import type { GraphDirectory } from "../ports.ts";
import { CursorNames, type Deps } from "./deps.ts";
import { type AppliedUser, applyDirectoryUser } from "./graph-user-apply.ts";
import type { DirectoryUser } from "./graph-user-changes.ts";
import { userIdForUpn } from "./register-certificate.ts";

/** The CursorStore name of the users deltaLink. */
export const USERS_DELTA_CURSOR = "graph.users.deltaLink";

const PRODUCER = "syncUsers";
/** Users of one page applied at once: each is a few Table round trips, and a page holds up to ~1,000. */
const CONCURRENCY = 8;

export type SyncUsersDeps = Pick<
  Deps,
  "users" | "certificates" | "audit" | "bus" | "cursors" | "clock" | "logger"
> & { readonly graph: Pick<GraphDirectory, "usersDelta"> };

export interface SyncUsersResult {
  /** full: no usable deltaLink, every user enumerated; incremental: changes since the saved link. */
  readonly mode: "full" | "incremental";
  /** The saved link had expired and the round started over. */
  readonly restarted: boolean;
  readonly pages: number;
  readonly seen: number;
  readonly written: number;
  /** `user.changed` events published, by change. */
  readonly changes: Readonly<Record<string, number>>;
  readonly merged: number;
  /** Delta entries that broke their schema or named no UPN: logged and skipped. */
  readonly rejected: number;
  /** Users absent from a full round, announced as deleted. */
  readonly swept: number;
}

/** Runs one delta round to its end and saves its deltaLink. */
export async function syncUsers(deps: SyncUsersDeps): Promise<SyncUsersResult> {
  const now = deps.clock.now();
  const saved = (await deps.cursors.get(USERS_DELTA_CURSOR))?.value || undefined;
  let round: Round;
  try {
    round = await runRound(deps, saved, now);
  } catch (e) {
    if (saved === undefined || !isDeltaExpired(e)) throw e;
    deps.logger.warn("users deltaLink expired: starting a full round", { error: e });
    round = { ...(await runRound(deps, undefined, now)), restarted: true };
  }
  const swept = round.mode === "full" ? await sweep(deps, round, now) : 0;
  await deps.cursors.set(USERS_DELTA_CURSOR, round.deltaLink, now);
  await deps.cursors.set(CursorNames.syncUsersLastRun, now.toISOString(), now);
  const { deltaLink: _link, seenIds: _ids, ...result } = round;
  deps.logger.info("users synced", { ...result, swept });
  return { ...result, swept };
}

interface Round extends Omit<SyncUsersResult, "swept"> {
  readonly deltaLink: string;
  readonly seenIds: ReadonlySet<string>;
}

async function runRound(deps: SyncUsersDeps, link: string | undefined, now: Date): Promise<Round> {
  const seenIds = new Set<string>();
  const tally = new Tally();
  let pages = 0;
  let rejected = 0;
  let deltaLink: string | undefined;
  for await (const page of deps.graph.usersDelta(link)) {
    pages++;
    for (const error of page.rejected) deps.logger.warn("users delta entry rejected", { error });
    rejected += page.rejected.length;
    // A round may name one user twice (Graph says so); within a page the last entry is the current one,
    // and one entry per user lets the page's users be applied side by side.
    const latest = new Map<string, GraphUserDelta>();
    for (const item of page.items) {
      latest.delete(item.id);
      latest.set(item.id, item);
    }
    const observed: DirectoryUser[] = [];
    for (const item of latest.values()) {
      seenIds.add(item.id);
      const user = await directoryUser(deps, item);
      if (user) observed.push(user);
      else {
        rejected++;
        deps.logger.warn("users delta entry without a userPrincipalName skipped", { userId: item.id });
      }
    }
    await forEachLimited(observed, CONCURRENCY, async (user) =>
      tally.add(await applyDirectoryUser(deps, user, now, PRODUCER)),
    );
    deltaLink = page.deltaLink ?? deltaLink;
  }
  // The gateway ends a round only on a page with a deltaLink; anything else is a broken round, not a sync.
  if (deltaLink === undefined) throw new Error("the users delta round ended without a deltaLink");
  return {
    mode: link === undefined ? "full" : "incremental",
    restarted: false,
    pages,
    seen: seenIds.size,
    rejected,
    deltaLink,
    seenIds,
    ...tally.result(),
  };
}

/**
 * A delta entry as a directory observation. An updated entry may leave out its UPN (Graph returns "at
 * least the changed properties"): the stored one stands in for it.
 */
async function directoryUser(deps: SyncUsersDeps, item: GraphUserDelta): Promise<DirectoryUser | undefined> {
  if (item.removed) return { kind: "removed", id: item.id };
  const userPrincipalName =
    item.userPrincipalName ?? (await deps.users.get(item.id))?.value.userPrincipalName;
  if (userPrincipalName === undefined) return undefined;
  return {
    kind: "present",
    id: item.id,
    userPrincipalName,
    mail: item.mail ?? null,
    proxyAddresses: item.proxyAddresses ?? null,
    ...(item.accountEnabled !== undefined && { accountEnabled: item.accountEnabled }),
    displayName: item.displayName ?? null,
    preferredLanguage: item.preferredLanguage ?? null,
  };
}

/**
 * After a full round: every stored user the directory did not show, and that is not a manual registration
 * (an id derived from its UPN: the directory never had it), is announced as deleted.
 */
async function sweep(deps: SyncUsersDeps, round: Round, now: Date): Promise<number> {
  const missing: DirectoryUser[] = [];
  for await (const user of deps.users.scan()) {
    if (user.deleted || round.seenIds.has(user.userId)) continue;
    if (user.userId === userIdForUpn(user.userPrincipalName)) continue;
    missing.push({ kind: "removed", id: user.userId });
  }
  await forEachLimited(missing, CONCURRENCY, (user) => applyDirectoryUser(deps, user, now, PRODUCER));
  return missing.length;
}

/**
 * The gateway's "this deltaLink is no longer valid" (410 Gone with `resyncRequired`, or a `syncStateNotFound`
 * token): recognised by name so that this use case does not import the adapter.
 */
function isDeltaExpired(e: unknown): boolean {
  return e instanceof Error && e.name === "DeltaExpiredError";
}

class Tally {
  private written = 0;
  private merged = 0;
  private readonly changes: Record<string, number> = {};
  add(applied: AppliedUser): void {
    if (applied.written) this.written++;
    if (applied.mergedFrom) this.merged++;
    for (const change of applied.changes) this.changes[change] = (this.changes[change] ?? 0) + 1;
  }
  result() {
    return { written: this.written, merged: this.merged, changes: { ...this.changes } };
  }
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure fails the whole. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
