/**
 * A CRL endpoint's health after one fetch: a pure decision (the time is passed in) that checkCrls records
 * and announces. The outage's start is the identity of its `crl.unreachable` and `crl.recovered` events.
 */
import type { CrlHealthRecord } from "../contracts/rows.ts";
import type { Crl } from "../pki/crl.ts";
import { formatName } from "../pki/name.ts";
import type { CrlFetchResult } from "../pki/revocation.ts";

/** The endpoint stopped answering, or answers again after an outage that began at `since`. */
export type CrlOutageChange =
  | { readonly kind: "down"; readonly since: string; readonly reason: string }
  | { readonly kind: "recovered"; readonly since: string };

export interface CrlHealthChange {
  readonly record: CrlHealthRecord;
  readonly change?: CrlOutageChange;
}

/**
 * The next health record for `url`. Unreachable means the CRL could not be fetched or parsed (Exchange
 * Online, fetching the same URL, would fail the same way); a CRL fetched but past its nextUpdate is "stale":
 * shown on the dashboard, but it is not an outage (the CA answers, it has just not re-issued); so is "invalid",
 * a CRL whose entries cannot be read (the engine reports it as CRL_INVALID on each certificate).
 */
export function nextCrlHealth(
  url: string,
  previous: CrlHealthRecord | undefined,
  fetched: CrlFetchResult,
  now: Date,
): CrlHealthChange {
  const at = now.toISOString();
  const wasDown = previous?.status === "unreachable";
  if (!fetched.ok) {
    const downSince = wasDown ? (previous.downSince ?? at) : at;
    const record: CrlHealthRecord = {
      ...(previous && keepSuccess(previous)),
      url,
      status: "unreachable",
      lastCheckedAt: at,
      downSince,
      lastError: fetched.reason,
    };
    return wasDown
      ? { record }
      : { record, change: { kind: "down", since: downSince, reason: fetched.reason } };
  }
  const crl = fetched.crl;
  const entries = entryCount(crl);
  const stale = crl.nextUpdate !== undefined && crl.nextUpdate.getTime() < now.getTime();
  const record: CrlHealthRecord = {
    url,
    status: typeof entries === "string" ? "invalid" : stale ? "stale" : "healthy",
    lastCheckedAt: at,
    lastSuccessAt: at,
    issuer: formatName(crl.issuer),
    thisUpdate: crl.thisUpdate.toISOString(),
    ...(crl.nextUpdate && { nextUpdate: crl.nextUpdate.toISOString() }),
    ...(typeof entries === "string" ? { lastError: entries } : { entries }),
  };
  if (!wasDown) return { record };
  return { record, change: { kind: "recovered", since: previous.downSince ?? previous.lastCheckedAt } };
}

/** The number of revoked entries, or why the entry list cannot be read (building the index parses it). */
function entryCount(crl: Crl): number | string {
  try {
    return crl.size;
  } catch (e) {
    return `the revoked entries cannot be read: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** What an outage keeps from the last good fetch: the dashboard still shows which CRL it was. */
function keepSuccess(previous: CrlHealthRecord): Partial<CrlHealthRecord> {
  const { lastSuccessAt, issuer, thisUpdate, nextUpdate, entries } = previous;
  return Object.fromEntries(
    Object.entries({ lastSuccessAt, issuer, thisUpdate, nextUpdate, entries }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}
