/**
 * The trust store a process validates against, read from its source (TrustStoreSource: a file or a blob) and
 * kept parsed. Validations read it often, so a source is asked again only after `maxAgeMs` (a blob: minutes; a
 * file: every time, a stat is cheap); `refresh` asks at once (revalidateOnTrustChange, every 15 minutes, and
 * the local host at start). Either way the ask is conditional on the version last read, so an unchanged store
 * is neither downloaded nor parsed again. The fingerprint (SHA-256 of the sorted thumbprints) is what
 * revalidateOnTrustChange compares to decide whether the inventory needs validating again.
 */
import { createHash } from "node:crypto";
import { RetryableError } from "../errors.ts";
import type { TrustStoreSource } from "../ports.ts";
import { type TrustStore, trustStoreFromFiles } from "./trust-store.ts";

export interface LoadedTrustStore {
  readonly store: TrustStore;
  readonly fingerprint: string;
}

export interface TrustStoreCache {
  /** The store, asking the source again when the last ask is older than `maxAgeMs`. */
  load(): Promise<LoadedTrustStore>;
  /** The store, asking the source now. */
  refresh(): Promise<LoadedTrustStore>;
}

export function trustStoreCache(
  source: TrustStoreSource,
  options: {
    readonly maxAgeMs: number;
    /** Milliseconds of the process's own time (the cache's age is not the domain clock's business). */
    readonly now?: () => number;
  },
): TrustStoreCache {
  const now = options.now ?? Date.now;
  let cached: (LoadedTrustStore & { version: string; askedAt: number }) | undefined;
  let asking: Promise<LoadedTrustStore> | undefined;

  const ask = async (): Promise<LoadedTrustStore> => {
    const read = await source.read(cached?.version);
    const askedAt = now();
    if (!read.changed && cached) {
      cached = { ...cached, askedAt };
      return cached;
    }
    if (!read.changed)
      throw new RetryableError(`TRUST_STORE_PATH ${source.location}: unchanged, yet never read`);
    cached = { ...parse(source.location, read.bytes), version: read.version, askedAt };
    return cached;
  };
  // Concurrent validations share one ask.
  const once = () => {
    asking ??= ask().finally(() => {
      asking = undefined;
    });
    return asking;
  };
  return {
    async load() {
      const fresh = cached && now() - cached.askedAt < options.maxAgeMs;
      return fresh && cached ? cached : once();
    },
    refresh: once,
  };
}

function parse(location: string, bytes: Uint8Array): LoadedTrustStore {
  let store: TrustStore;
  try {
    store = trustStoreFromFiles([{ bytes, source: location }]);
  } catch (e) {
    throw new RetryableError(
      `TRUST_STORE_PATH ${location} is not a certificate collection (.sst, .p7b, PEM or DER): ${(e as Error).message}`,
      undefined,
      { cause: e },
    );
  }
  const thumbprints = store
    .all()
    .map((c) => c.thumbprint)
    .sort();
  if (thumbprints.length === 0) throw new RetryableError(`TRUST_STORE_PATH ${location} holds no certificate`);
  const fingerprint = createHash("sha256").update(thumbprints.join("\n")).digest("hex");
  return { store, fingerprint };
}
