/**
 * The trust store as a blob (TRUST_STORE_PATH = a blob URL): the admin uploads the virtual certificate
 * collection to the `trust-store` container, and the Function App reads it with its managed identity
 * (Storage Blob Data Reader on the container; no key, no SAS). Azurite's blob URL is read with the
 * emulator's well-known key, for local mode and the tests.
 *
 * Each read is conditional on the ETag of the last one, so an unchanged store costs a 304 and is not parsed
 * again. A read is bounded in size and time: the collection is a few CA certificates, so anything large is
 * a wrong upload, and a storage account that does not answer must not hold an invocation for minutes.
 */
import type { TokenCredential } from "@azure/identity";
import { BlobClient, RestError, StorageSharedKeyCredential } from "@azure/storage-blob";
import { type BlobLocation, EMULATOR_ACCOUNT_KEY } from "../contracts/blob-url.ts";
import { RetryableError } from "../errors.ts";
import type { TrustStoreRead, TrustStoreSource } from "../ports.ts";

/** A virtual certificate collection is a few kilobytes; 4 MiB is a generous bound on a wrong upload. */
export const TRUST_STORE_MAX_BYTES = 4 * 1024 * 1024;
export const TRUST_STORE_TIMEOUT_MS = 15_000;

export interface BlobTrustStoreOptions {
  /** The identity that reads an Azure blob (ignored for Azurite's). */
  readonly credential: () => TokenCredential;
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
}

/** A trust store source reading the blob at `location`. */
export function blobTrustStoreSource(
  location: BlobLocation,
  options: BlobTrustStoreOptions,
): TrustStoreSource {
  const maxBytes = options.maxBytes ?? TRUST_STORE_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? TRUST_STORE_TIMEOUT_MS;
  let client: BlobClient | undefined;
  const blob = () => {
    client ??= location.emulator
      ? new BlobClient(
          location.url,
          new StorageSharedKeyCredential(location.accountName, EMULATOR_ACCOUNT_KEY),
        )
      : new BlobClient(location.url, options.credential());
    return client;
  };
  const fail = (message: string, cause?: unknown) =>
    new RetryableError(`TRUST_STORE_PATH ${location.url}: ${message}`, undefined, { cause });

  return {
    location: location.url,
    async read(knownVersion) {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await blob().download(0, undefined, {
          abortSignal: signal,
          ...(knownVersion ? { conditions: { ifNoneMatch: knownVersion } } : {}),
        });
        if (response._response.status === 304) return { changed: false };
        if ((response.contentLength ?? 0) > maxBytes)
          throw fail(`${response.contentLength} bytes: more than a trust store's ${maxBytes} bytes`);
        const bytes = await readCapped(response.readableStreamBody, maxBytes, () =>
          fail(`more than a trust store's ${maxBytes} bytes`),
        );
        return { changed: true, bytes, version: response.etag ?? "" } satisfies TrustStoreRead;
      } catch (e) {
        // Not modified since the ETag asked about: whether the SDK answers a 304 or throws it.
        if (e instanceof RestError && e.statusCode === 304) return { changed: false };
        throw explain(e, signal, timeoutMs, fail);
      }
    },
  };
}

/** The body, refused past `max` bytes (a missing Content-Length must not let a huge blob through). */
async function readCapped(
  body: NodeJS.ReadableStream | undefined,
  max: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buffer.length;
    if (size > max) throw tooLarge();
    chunks.push(buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** An error that says what to fix: the upload, the role assignment, or the network. */
function explain(
  e: unknown,
  signal: AbortSignal,
  timeoutMs: number,
  fail: (message: string, cause?: unknown) => Error,
): Error {
  if (e instanceof RetryableError) return e;
  if (signal.aborted) return fail(`no answer within ${timeoutMs} ms`, e);
  if (e instanceof RestError) {
    const code = e.code ?? String(e.statusCode);
    if (e.statusCode === 404)
      return fail(`not found (${code}): upload the trust store to that container and name`, e);
    if (e.statusCode === 403 || e.statusCode === 401)
      return fail(
        `access denied (${code}): the Function App's identity needs Storage Blob Data Reader on the container`,
        e,
      );
    return fail(`the storage account answered ${e.statusCode ?? "nothing"} (${code})`, e);
  }
  return fail(e instanceof Error ? e.message : String(e), e);
}
