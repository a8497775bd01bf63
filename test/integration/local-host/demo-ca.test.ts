import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoCa, type DemoPurpose, openDemoCa } from "../../../shared/local/demo-ca.ts";
import { parseCertificate } from "../../../shared/pki/certificate.ts";
import { parseCrl } from "../../../shared/pki/crl.ts";
import { createEngine } from "../../../shared/pki/engine.ts";
import { trustStoreFromFiles } from "../../../shared/pki/trust-store.ts";
import { validateCertificate } from "../../../shared/usecases/validate-certificates.ts";

const NOW = new Date("2026-06-01T00:00:00Z");
const DAY = 86_400_000;
const BASE_URL = "http://127.0.0.1:7071";

let dir: string;
let ca: DemoCa;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "demo-ca-"));
  ca = await openDemoCa({ dir: join(dir, "demo-ca"), baseUrl: BASE_URL, now: NOW });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function verdict(pem: string, at: Date, authority: DemoCa = ca) {
  const anchors = trustStoreFromFiles([
    { bytes: await readFile(authority.trustStorePath), source: "trust.pem" },
  ]);
  const engine = createEngine({
    time: at,
    anchors,
    fetchCrl: async (url) => {
      const der = await authority.crl(url, at);
      return der ? { ok: true, crl: parseCrl(der) } : { ok: false, reason: `not the demo CA's: ${url}` };
    },
  });
  const certificate = parseCertificate(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64"));
  const { report } = await validateCertificate(
    engine,
    { file: "leaf.pem", certificate },
    { time: at, purpose: "both" },
  );
  return {
    signing: report.signing.problems.filter((p) => p.severity === "error").map((p) => p.code),
    encryption: report.encryption.problems.filter((p) => p.severity === "error").map((p) => p.code),
  };
}

describe("demo CA", () => {
  const cases: ReadonlyArray<{
    name: string;
    purpose: DemoPurpose;
    signing: string[];
    encryption: string[];
  }> = [
    { name: "both purposes: ready for both", purpose: "both", signing: [], encryption: [] },
    {
      name: "signing only: no encryption key usage",
      purpose: "signing",
      signing: [],
      encryption: ["KEY_USAGE_ENCRYPTION"],
    },
    {
      name: "encryption only: no signing key usage",
      purpose: "encryption",
      signing: ["KEY_USAGE_SIGNING"],
      encryption: [],
    },
  ];
  it.each(cases)(
    "issues leaves that validate with its CRLs: $name",
    async ({ purpose, signing, encryption }) => {
      const leaf = await ca.issue({
        email: "alice@contoso.com",
        purpose,
        notBefore: NOW,
        notAfter: new Date(NOW.getTime() + 365 * DAY),
      });
      expect(await verdict(leaf.pem, new Date(NOW.getTime() + DAY))).toEqual({ signing, encryption });
    },
  );

  it("gives every leaf its own serial", async () => {
    const leaves = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ca.issue({ email: `u${i}@contoso.com`, notBefore: NOW, notAfter: new Date(NOW.getTime() + DAY) }),
      ),
    );
    expect(new Set(leaves.map((l) => l.serialNumber)).size).toBe(20);
  });

  it("keeps its keys and URLs across restarts (a later base URL does not replace the first)", async () => {
    const again = await openDemoCa({
      dir: join(dir, "demo-ca"),
      baseUrl: "http://127.0.0.1:9999",
      now: new Date(NOW.getTime() + 30 * DAY),
    });
    expect(again.rootPem).toBe(ca.rootPem);
    expect(again.issuingPem).toBe(ca.issuingPem);
    expect(again.crlUrls).toEqual({
      root: `${BASE_URL}/demo-ca/root.crl`,
      issuing: `${BASE_URL}/demo-ca/issuing.crl`,
    });
  });

  it("lists a revocation made by another instance on its next CRL", async () => {
    const leaf = await ca.issue({
      email: "bob@contoso.com",
      notBefore: NOW,
      notAfter: new Date(NOW.getTime() + 365 * DAY),
    });
    const at = new Date(NOW.getTime() + 2 * DAY);
    expect(await verdict(leaf.pem, at)).toEqual({ signing: [], encryption: [] });
    const other = await openDemoCa({ dir: join(dir, "demo-ca"), baseUrl: BASE_URL, now: at });
    await other.revoke(leaf.serialNumber, at);
    const later = new Date(at.getTime() + 60_000);
    expect(await verdict(leaf.pem, later)).toEqual({ signing: ["REVOKED"], encryption: ["REVOKED"] });
  });

  it("answers only its own CRL URLs", async () => {
    expect(await ca.crl("http://127.0.0.1:7071/demo-ca/other.crl", NOW)).toBeUndefined();
    expect(await ca.crl(ca.crlUrls.root, NOW)).toBeInstanceOf(Uint8Array);
  });
});
