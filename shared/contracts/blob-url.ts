/**
 * TRUST_STORE_PATH as a blob URL (DESIGN.md "Settings": "a path or blob URL"): what counts as one, parsed
 * into its account, container and blob. Two forms:
 * - Azure: `https://<account>.blob.core.windows.net/<container>/<blob>` (and the sovereign clouds' suffixes);
 * - Azurite: `http://127.0.0.1:<port>/devstoreaccount1/<container>/<blob>` (localhost too), for local mode and
 *   tests.
 * A SAS token is refused: a setting holds no secret, the identity reads the blob (Storage Blob Data Reader).
 */

/** Azurite's well-known development account, the one the emulator form names. */
export const EMULATOR_ACCOUNT = "devstoreaccount1";
/** Its key: public and documented, the same in every Azurite (not a secret). */
export const EMULATOR_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface BlobLocation {
  /** The URL as given, without a trailing slash. */
  readonly url: string;
  readonly accountName: string;
  readonly containerName: string;
  /** Decoded; may hold slashes (virtual folders). */
  readonly blobName: string;
  /** Azurite on loopback: read with the emulator's well-known key, not an identity. */
  readonly emulator: boolean;
}

export type BlobUrlParse =
  | { readonly kind: "path" }
  | { readonly kind: "blob"; readonly location: BlobLocation }
  | { readonly kind: "invalid"; readonly message: string };

const AZURE_HOST = /^([a-z0-9]{3,24})\.blob\.core\.(windows\.net|usgovcloudapi\.net|chinacloudapi\.cn)$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const EXPECTED =
  "expected a file path or a blob URL: https://<account>.blob.core.windows.net/<container>/<blob>";

/** Whether `value` is a path, a blob URL (parsed), or a URL that is neither (why). */
export function parseTrustStoreLocation(value: string): BlobUrlParse {
  if (!/^https?:\/\//i.test(value)) return { kind: "path" };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { kind: "invalid", message: EXPECTED };
  }
  if (url.search !== "")
    return {
      kind: "invalid",
      message: "a blob URL without a query: no SAS token in a setting (the identity reads the blob)",
    };
  const segments = url.pathname.split("/").slice(1);
  const emulator = LOOPBACK.has(url.hostname);
  const azure = AZURE_HOST.exec(url.hostname);
  if (!emulator && (!azure || url.protocol !== "https:" || url.port !== ""))
    return { kind: "invalid", message: EXPECTED };
  const accountName = emulator ? segments.shift() : azure?.[1];
  if (emulator && accountName !== EMULATOR_ACCOUNT)
    return {
      kind: "invalid",
      message: `expected Azurite's account: http://127.0.0.1:<port>/${EMULATOR_ACCOUNT}/<container>/<blob>`,
    };
  const [container, ...blob] = segments;
  if (!container || !CONTAINER.test(container))
    return { kind: "invalid", message: `expected a container name after the account, ${EXPECTED}` };
  const blobName = decodeURIComponent(blob.join("/"));
  if (blobName === "" || blobName.endsWith("/"))
    return { kind: "invalid", message: `expected a blob name after the container, ${EXPECTED}` };
  return {
    kind: "blob",
    location: {
      url: value.replace(/\/+$/, ""),
      accountName: accountName as string,
      containerName: container,
      blobName,
      emulator,
    },
  };
}
