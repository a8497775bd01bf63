/**
 * TRUST_STORE_PATH as a blob URL, against Azurite's real Blob service: the engine's trust store read from the
 * blob (the same fingerprint as from the file), an unchanged blob answered by its ETag without a download, a
 * new upload seen at the next refresh, and a clear error naming TRUST_STORE_PATH for a missing blob, a blob
 * that is no certificate collection, one too large, a storage account that refuses or does not answer.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blobTrustStoreSource } from "../../../shared/adapters/trust-store-blob.ts";
import { parseTrustStoreLocation } from "../../../shared/contracts/blob-url.ts";
import { type DemoCa, openDemoCa } from "../../../shared/local/demo-ca.ts";
import { createPkiDeps } from "../../../shared/runtime.ts";
import { type RunningAzurite, startAzurite } from "../../support/azurite.ts";
import { type LoopbackServer, startLoopbackServer } from "../../support/http-server.ts";

const NOW = new Date("2026-03-02T09:00:00Z");
const clock = { now: () => NOW };
const noIdentity = () => {
  throw new Error("Azurite's blobs are read with the emulator key, never an identity");
};

let azurite: RunningAzurite;
let container: ContainerClient;
let dir: string;
let ca: DemoCa;
let other: DemoCa;
let server: LoopbackServer;

const upload = (name: string, bytes: Uint8Array | string) =>
  container.getBlockBlobClient(name).uploadData(Buffer.from(bytes));
const urlOf = (name: string) => `${azurite.endpoint}/trust-store/${name}`;
const sourceOf = (url: string, options: { maxBytes?: number; timeoutMs?: number } = {}) => {
  const parsed = parseTrustStoreLocation(url);
  if (parsed.kind !== "blob") throw new Error(`not a blob URL: ${url}`);
  return blobTrustStoreSource(parsed.location, { credential: noIdentity, ...options });
};
const pkiOf = (trustStorePath: string) =>
  createPkiDeps({ trustStorePath, trustStoreCredential: noIdentity, allowPrivateNetwork: false, clock });

beforeAll(async () => {
  azurite = await startAzurite({ service: "blob" });
  container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
    "trust-store",
  );
  await container.create();
  dir = await mkdtemp(join(tmpdir(), "trust-blob-"));
  ca = await openDemoCa({ dir: join(dir, "ca"), baseUrl: "http://127.0.0.1:7071", now: NOW });
  other = await openDemoCa({ dir: join(dir, "other"), baseUrl: "http://127.0.0.1:7071", now: NOW });
  server = await startLoopbackServer();
}, 60_000);
afterAll(async () => {
  await server?.close();
  await azurite?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a trust store blob", () => {
  it("gives the engine the same trust store as the file it was uploaded from", async () => {
    await upload("same.pem", await readFile(ca.trustStorePath));
    const fromBlob = await pkiOf(urlOf("same.pem")).trustStoreFingerprint();
    expect(fromBlob).toBe(await pkiOf(ca.trustStorePath).trustStoreFingerprint());
    expect(fromBlob).toMatch(/^[0-9a-f]{64}$/);
  });

  it("answers an unchanged blob by its ETag, without the bytes; a new upload with them", async () => {
    await upload("etag.pem", await readFile(ca.trustStorePath));
    const source = sourceOf(urlOf("etag.pem"));
    const first = await source.read();
    expect(first.changed).toBe(true);
    if (!first.changed) return;
    expect(first.version).toMatch(/^"?0x[0-9A-F]+"?$/);
    expect(await source.read(first.version)).toEqual({ changed: false });
    await upload("etag.pem", await readFile(other.trustStorePath));
    const second = await source.read(first.version);
    expect(second.changed).toBe(true);
    if (second.changed) expect(second.version).not.toBe(first.version);
  });

  it("is read again at the next refresh (revalidateOnTrustChange): a new CA changes the fingerprint", async () => {
    await upload("rotating.pem", await readFile(ca.trustStorePath));
    const pki = pkiOf(urlOf("rotating.pem"));
    const before = await pki.trustStoreFingerprint();
    expect(await pki.trustStoreFingerprint()).toBe(before);
    await upload("rotating.pem", await readFile(other.trustStorePath));
    expect(await pki.trustStoreFingerprint()).not.toBe(before);
    // The engine is built over the store in force.
    await expect(pki.engine()).resolves.toBeDefined();
  });
});

describe("a trust store blob that cannot be used: an error naming TRUST_STORE_PATH and what to fix", () => {
  const cases: { name: string; url: () => Promise<string>; options?: object; message: RegExp }[] = [
    { name: "no such blob", url: async () => urlOf("missing.sst"), message: /not found \(BlobNotFound\)/ },
    {
      name: "no such container",
      url: async () => `${azurite.endpoint}/nowhere/trust.sst`,
      message: /not found \(ContainerNotFound\)/,
    },
    {
      name: "not a certificate collection",
      url: async () => {
        await upload("readme.txt", "these are not the certificates you are looking for\n");
        return urlOf("readme.txt");
      },
      message: /is not a certificate collection/,
    },
    {
      name: "larger than a trust store",
      url: async () => {
        await upload("large.pem", await readFile(ca.trustStorePath));
        return urlOf("large.pem");
      },
      options: { maxBytes: 100 },
      message: /more than a trust store's 100 bytes/,
    },
    {
      name: "the storage account refuses the identity",
      url: async () => {
        server.route("/devstoreaccount1/trust-store/forbidden.sst", { status: 403 });
        return `${server.base}/devstoreaccount1/trust-store/forbidden.sst`;
      },
      message: /access denied .*Storage Blob Data Reader/,
    },
    {
      name: "the storage account does not answer",
      url: async () => {
        server.route("/devstoreaccount1/trust-store/hang.sst", { hang: true });
        return `${server.base}/devstoreaccount1/trust-store/hang.sst`;
      },
      options: { timeoutMs: 300 },
      message: /no answer within 300 ms/,
    },
  ];
  it.each(cases)("$name", async ({ url, options, message }) => {
    const location = await url();
    const read = options
      ? sourceOf(location, options)
          .read()
          .then(() => "read")
      : pkiOf(location).trustStoreFingerprint();
    await expect(read).rejects.toThrow(message);
    await expect(read).rejects.toThrow(`TRUST_STORE_PATH ${location}`);
  });
});
