/**
 * TRUST_STORE_PATH behind the TrustStoreSource port: a file (a path; in the package, or the demo CA's), or a
 * blob (a blob URL, trust-store-blob.ts). A file's version is its size and modification time, so a file
 * replaced in place is read again and an untouched one is not.
 */
import { readFile, stat } from "node:fs/promises";
import type { TokenCredential } from "@azure/identity";
import { parseTrustStoreLocation } from "../contracts/blob-url.ts";
import { RetryableError } from "../errors.ts";
import type { TrustStoreSource } from "../ports.ts";
import { blobTrustStoreSource } from "./trust-store-blob.ts";

/** A trust store file. */
export function fileTrustStoreSource(path: string): TrustStoreSource {
  return {
    location: path,
    async read(knownVersion) {
      try {
        const info = await stat(path);
        const version = `${info.size}:${info.mtimeMs}`;
        if (version === knownVersion) return { changed: false };
        return { changed: true, bytes: await readFile(path), version };
      } catch (e) {
        throw new RetryableError(`TRUST_STORE_PATH ${path}: ${(e as Error).message}`, undefined, {
          cause: e,
        });
      }
    },
  };
}

/**
 * The source TRUST_STORE_PATH names.
 * @param credential the identity that reads an Azure blob (made only when one is read)
 * @throws Error naming TRUST_STORE_PATH for a URL that is no blob URL (config.ts refuses those at start)
 */
export function trustStoreSource(location: string, credential: () => TokenCredential): TrustStoreSource {
  const parsed = parseTrustStoreLocation(location);
  if (parsed.kind === "path") return fileTrustStoreSource(location);
  if (parsed.kind === "invalid") throw new Error(`TRUST_STORE_PATH ${location}: ${parsed.message}`);
  return blobTrustStoreSource(parsed.location, { credential });
}
