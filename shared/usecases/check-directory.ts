/**
 * checkDirectory's use case: for every user with certificates, read what the org's LDAP directory publishes
 * on their entry (DESIGN.md rule 7: senders find encryption certificates there), and
 * - supply the certificate itself for inventory records Intune knows only by thumbprint, and note the
 *   directory as a source: a `certificate.discovered` with source `directory` and the base64 DER, which
 *   onCertificateEvent (the inventory's single writer) merges into the record and validates;
 * - keep on the user record what the entry publishes (`directory`), from which readiness decides
 *   NOT_PUBLISHED_FOR_RECIPIENTS (shared/domain/readiness.ts), and refresh the user's summary when it changed.
 *
 * Idempotent: a discovery is published only while the record still lacks the bytes or the source, with an id
 * derived from its content (a replay is a duplicate); the user record is rewritten only when the entry or its
 * certificates changed. Certificates published on the entry that the inventory does not hold are counted, not
 * tracked: the directory alone does not say whose key they are or whether it was imported.
 */
import { createHash } from "node:crypto";
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import { createEvent } from "../contracts/events.ts";
import type { CertificateRecord, UserRecord } from "../contracts/rows.ts";
import type { Directory, DirectoryCertificates } from "../ports.ts";
import { canonicalJson } from "./certificate-changes.ts";
import { withConflictRetry } from "./conflict-retry.ts";
import { type Deps, eventSource } from "./deps.ts";
import { publishEvents } from "./publish-events.ts";
import { refreshReadiness } from "./refresh-readiness.ts";

export type CheckDirectoryDeps = Pick<
  Deps,
  "users" | "certificates" | "audit" | "bus" | "clock" | "logger" | "cursors"
>;

/** The cursor the status page reads as checkDirectory's last run. */
export const CHECK_DIRECTORY_LAST_RUN = "lastRun.checkDirectory";

const SOURCE = eventSource("checkDirectory");

export interface CheckDirectoryResult {
  /** Users looked up (those with at least one certificate not removed). */
  readonly checked: number;
  readonly found: number;
  readonly notFound: number;
  /** Users whose addresses matched several entries: reported, publication not judged. */
  readonly several: number;
  /** `certificate.discovered` events published (bytes or the directory source supplied). */
  readonly supplied: number;
  /** Users whose `directory` fact changed (readiness refreshed). */
  readonly changed: number;
  /** Certificates on entries that the user's inventory does not hold. */
  readonly untracked: number;
  /** Users whose check failed for a reason of their own (logged); the directory failing stops the run. */
  readonly failed: number;
}

type Counts = { -readonly [K in keyof CheckDirectoryResult]: number };

/**
 * Checks every user at `now`. A directory that is unreachable or refuses the bind fails the run (its error
 * says whether a retry can help): every other user would fail the same way.
 */
export async function checkDirectory(
  deps: CheckDirectoryDeps,
  directory: Directory,
  input: { now: Date },
): Promise<CheckDirectoryResult> {
  const counts: Counts = {
    checked: 0,
    found: 0,
    notFound: 0,
    several: 0,
    supplied: 0,
    changed: 0,
    untracked: 0,
    failed: 0,
  };
  try {
    for await (const user of deps.users.scan()) {
      if (user.deleted) continue;
      const certificates = (await deps.certificates.listByUser(user.userId)).filter(
        (c) => c.state !== "removed",
      );
      if (certificates.length === 0) continue;
      counts.checked++;
      const lookup = await directory.certificatesFor({
        userPrincipalName: user.userPrincipalName,
        ...(user.primarySmtp && { primarySmtp: user.primarySmtp }),
      });
      await checkUser(deps, user, certificates, lookup, input.now, counts).catch((e: unknown) => {
        counts.failed++;
        deps.logger.error("directory check failed for a user", { userId: user.userId, error: String(e) });
      });
    }
  } finally {
    await directory.close();
  }
  await deps.cursors.set(CHECK_DIRECTORY_LAST_RUN, input.now.toISOString(), input.now);
  deps.logger.info("directory check done", { ...counts });
  return counts;
}

async function checkUser(
  deps: CheckDirectoryDeps,
  user: UserRecord,
  certificates: readonly CertificateRecord[],
  lookup: DirectoryCertificates,
  now: Date,
  counts: Counts,
): Promise<void> {
  const log = deps.logger.child({ userId: user.userId });
  if (lookup.found === "several") {
    counts.several++;
    log.warn("several directory entries answer for the user; publication not judged", { dns: lookup.dns });
  } else if (lookup.found === "none") counts.notFound++;
  else {
    counts.found++;
    if (lookup.unreadable.length > 0)
      log.warn("unreadable certificate values on the directory entry", {
        dn: lookup.dn,
        unreadable: lookup.unreadable,
      });
  }
  const published = publishedCertificates(lookup);
  const held = new Set(certificates.map((c) => c.thumbprint));
  counts.untracked += [...published.keys()].filter((t) => !held.has(t)).length;
  const events = discoveries(user, certificates, published, now);
  await publishEvents(deps, events);
  counts.supplied += events.length;
  if (await recordPublication(deps, user.userId, directoryFact(lookup, published, now), now)) {
    counts.changed++;
    await refreshReadiness(deps, user, now);
  }
}

/** The entry's certificates by thumbprint (SHA-1 of the DER, upper-case hex), as base64 DER. */
function publishedCertificates(lookup: DirectoryCertificates): Map<string, string> {
  if (lookup.found !== "one") return new Map();
  return new Map(
    lookup.certificates.map((c) => [
      createHash("sha1").update(c.der).digest("hex").toUpperCase(),
      Buffer.from(c.der).toString("base64"),
    ]),
  );
}

/**
 * A discovery for each held record the entry publishes that still lacks its bytes or the directory source.
 * The record's own purpose is repeated: a different one would widen it to "both".
 */
function discoveries(
  user: UserRecord,
  certificates: readonly CertificateRecord[],
  published: ReadonlyMap<string, string>,
  now: Date,
): CloudEventEnvelope[] {
  return certificates.flatMap((record) => {
    const der = published.get(record.thumbprint);
    if (der === undefined || (record.certificate && record.sources.includes("directory"))) return [];
    const data = {
      userId: user.userId,
      thumbprint: record.thumbprint,
      userPrincipalName: record.userPrincipalName,
      source: "directory" as const,
      purpose: record.purpose,
      certificate: der,
    };
    return [createEvent("certificate.discovered", data, { source: SOURCE, time: now })];
  });
}

/** What the user record keeps: the entry and its thumbprints; nothing when the directory is ambiguous. */
function directoryFact(
  lookup: DirectoryCertificates,
  published: ReadonlyMap<string, string>,
  now: Date,
): UserRecord["directory"] {
  if (lookup.found === "several") return undefined;
  return {
    since: now.toISOString(),
    ...(lookup.found === "one" && { entry: lookup.dn }),
    published: [...published.keys()].sort(),
  };
}

/** Writes the fact when the entry or its certificates changed; true when it wrote. */
function recordPublication(
  deps: CheckDirectoryDeps,
  userId: string,
  fact: UserRecord["directory"],
  now: Date,
): Promise<boolean> {
  const comparable = (f: UserRecord["directory"]) => canonicalJson(f && { ...f, since: "" });
  return withConflictRetry(`directory of ${userId}`, async () => {
    const stored = await deps.users.get(userId);
    if (!stored || comparable(stored.value.directory) === comparable(fact)) return false;
    const { directory: _previous, ...rest } = stored.value;
    const next: UserRecord = { ...rest, ...(fact && { directory: fact }), updatedAt: now.toISOString() };
    await deps.users.put(next, { ifMatch: stored.etag });
    return true;
  });
}
