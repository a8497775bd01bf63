/**
 * A cache over a Fetcher, keyed by URL, for CRLs and AIA issuer certificates.
 *
 * Ten thousand leaves usually share a handful of CRL URLs, so without this every leaf would download and
 * parse the same 4 MiB CRL. A CRL is cached until its nextUpdate (the CA promises nothing newer is needed
 * before then), capped so that a long-running process still notices an early re-issue; after that it is
 * revalidated with its ETag/Last-Modified, so an unchanged CRL costs a 304 and no parse. Concurrent callers
 * for one URL share one fetch and one parse. Failures — unreachable, or a body that does not parse — are
 * remembered briefly, so that 10,000 leaves pointing at one dead URL cost one attempt, not 10,000.
 */
import type { Clock, Fetcher, FetchResult } from "../ports.ts";

export interface CachedFetchOptions<T> {
  readonly fetcher: Fetcher;
  /** Turns a body into a value; throws on a bad body (the message becomes the failure reason). */
  readonly parse: (bytes: Uint8Array, url: string) => T;
  /** Until when the value may be served without asking the server again (a CRL's nextUpdate). */
  readonly freshUntil: (value: T) => Date | undefined;
  readonly clock: Clock;
  /** URLs remembered; the least recently used is dropped beyond it. Default 1000. */
  readonly maxEntries?: number;
  /** How long a value without `freshUntil` (an issuer certificate) is served. Default 5 minutes. */
  readonly defaultTtlMs?: number;
  /** How long a value already past `freshUntil` is served before asking again. Default 1 minute. */
  readonly minTtlMs?: number;
  /** Longest a value is served without revalidation, whatever `freshUntil` says. Default 24 hours. */
  readonly maxTtlMs?: number;
  /** How long a failure is remembered (the negative TTL). Default 1 minute. */
  readonly failureTtlMs?: number;
}

/** Why a get failed: the fetcher's kind, or `parse` when the body was fetched but is not a valid value. */
export type CachedFetchFailureKind = Extract<FetchResult, { ok: false }>["kind"] | "parse";

export type CachedFetchResult<T> =
  | {
      readonly ok: true;
      readonly value: T;
      /** True when no body was downloaded for this answer (served from memory, or revalidated by a 304). */
      readonly fromCache: boolean;
    }
  | { readonly ok: false; readonly reason: string; readonly kind: CachedFetchFailureKind };

export interface CachedFetch<T> {
  /** The value at `url`, from the cache when fresh. Never throws. */
  get(url: string): Promise<CachedFetchResult<T>>;
}

interface Stored<T> {
  readonly value: T;
  readonly etag?: string;
  readonly lastModified?: string;
}

interface Entry<T> {
  /** The last good value, kept through failures so that a later 304 can still revive it. */
  readonly stored?: Stored<T>;
  /** Set when the last attempt failed; served until `expiresAt`. */
  readonly failure?: { readonly reason: string; readonly kind: CachedFetchFailureKind };
  /** Epoch ms until which this entry is answered without a fetch. */
  readonly expiresAt: number;
}

const DEFAULTS = {
  maxEntries: 1000,
  defaultTtlMs: 5 * 60_000,
  minTtlMs: 60_000,
  maxTtlMs: 24 * 60 * 60_000,
  failureTtlMs: 60_000,
};

/** Builds a URL-keyed cache with single flight, freshness, conditional revalidation and negative caching. */
export function createCachedFetch<T>(options: CachedFetchOptions<T>): CachedFetch<T> {
  const limits = { ...DEFAULTS, ...definedOnly(options) };
  const entries = new Map<string, Entry<T>>();
  const inFlight = new Map<string, Promise<CachedFetchResult<T>>>();

  const remember = (url: string, entry: Entry<T>) => {
    entries.delete(url);
    entries.set(url, entry);
    if (entries.size > limits.maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
  };

  const refresh = async (url: string, previous: Entry<T> | undefined): Promise<CachedFetchResult<T>> => {
    const stored = previous?.stored;
    const result = await fetchSafely(options.fetcher, url, stored);
    const now = options.clock.now().getTime();
    const fail = (kind: CachedFetchFailureKind, reason: string): CachedFetchResult<T> => {
      remember(url, { stored, failure: { kind, reason }, expiresAt: now + limits.failureTtlMs });
      return { ok: false, kind, reason };
    };
    if (!result.ok) return fail(result.kind, result.reason);
    if (result.status === 304) {
      if (!stored)
        return fail("http-status", "the server answered 304 Not Modified, but nothing is cached for it");
      const revalidated = {
        ...stored,
        etag: result.etag ?? stored.etag,
        lastModified: result.lastModified ?? stored.lastModified,
      };
      remember(url, { stored: revalidated, expiresAt: expiry(stored.value, now) });
      return { ok: true, value: stored.value, fromCache: true };
    }
    let value: T;
    try {
      value = options.parse(result.body, url);
    } catch (error) {
      // Remembered like an unreachable URL: the same bytes would fail the same way for every leaf, and a
      // fixed CRL is picked up after the short failure TTL.
      return fail("parse", `the response could not be parsed: ${messageOf(error)}`);
    }
    remember(url, {
      stored: { value, etag: result.etag, lastModified: result.lastModified },
      expiresAt: expiry(value, now),
    });
    return { ok: true, value, fromCache: false };
  };

  /** Fresh: until `freshUntil`, at most maxTtl; already stale or without a date: a short while. */
  const expiry = (value: T, now: number): number => {
    const until = options.freshUntil(value)?.getTime();
    if (until === undefined || Number.isNaN(until)) return now + limits.defaultTtlMs;
    if (until <= now) return now + limits.minTtlMs;
    return Math.min(until, now + limits.maxTtlMs);
  };

  return {
    get(url) {
      const entry = entries.get(url);
      if (entry && options.clock.now().getTime() < entry.expiresAt) {
        remember(url, entry);
        if (entry.failure) return Promise.resolve({ ok: false, ...entry.failure });
        if (entry.stored) return Promise.resolve({ ok: true, value: entry.stored.value, fromCache: true });
      }
      const pending = inFlight.get(url);
      if (pending) return pending;
      const started = refresh(url, entry)
        .catch(
          (error: unknown): CachedFetchResult<T> => ({ ok: false, kind: "parse", reason: messageOf(error) }),
        )
        .finally(() => inFlight.delete(url));
      inFlight.set(url, started);
      return started;
    },
  };
}

/** The port promises not to throw; a fetcher that does anyway becomes a failure, not a rejected get. */
async function fetchSafely<T>(
  fetcher: Fetcher,
  url: string,
  stored: Stored<T> | undefined,
): Promise<FetchResult> {
  try {
    return await fetcher.get({ url, etag: stored?.etag, lastModified: stored?.lastModified });
  } catch (error) {
    return { ok: false, kind: "network", reason: `fetch failed: ${messageOf(error)}` };
  }
}

function definedOnly<T>(options: CachedFetchOptions<T>): Partial<typeof DEFAULTS> {
  const { maxEntries, defaultTtlMs, minTtlMs, maxTtlMs, failureTtlMs } = options;
  const picked = { maxEntries, defaultTtlMs, minTtlMs, maxTtlMs, failureTtlMs };
  return Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
