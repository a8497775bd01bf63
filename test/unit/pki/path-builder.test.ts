import { describe, expect, it } from "vitest";
import { type Certificate, parseCertificate } from "../../../shared/pki/certificate.ts";
import { attributeValues, OID_COMMON_NAME } from "../../../shared/pki/name.ts";
import { buildPaths, type CandidatePath, type PathBuilderOptions } from "../../../shared/pki/path-builder.ts";
import { CertificateIndex, TrustStore, trustStoreFromFiles } from "../../../shared/pki/trust-store.ts";
import { generateKey, type Minted, mintIntermediate, mintLeaf, mintRoot, NOW } from "../../support/pki.ts";

const EXPIRED = { notBefore: new Date("2025-01-01T00:00:00Z"), notAfter: new Date("2026-03-01T00:00:00Z") };
const parse = (m: Minted): Certificate => parseCertificate(m.der);

type CollectOptions = Omit<Partial<PathBuilderOptions>, "anchors"> & { anchors: Minted[]; pool?: Minted[] };

async function collect(leaf: Minted, { anchors, pool, ...o }: CollectOptions) {
  const search = buildPaths(parse(leaf), {
    time: NOW,
    ...o,
    anchors: new TrustStore(anchors.map(parse)),
    intermediates: new CertificateIndex((pool ?? []).map(parse)),
  });
  const paths: CandidatePath[] = [];
  for await (const p of search.paths) paths.push(p);
  return { paths, report: search.report };
}

/** Each path as its CNs, anchor first. */
const names = (paths: CandidatePath[]): string[][] =>
  paths.map((p) => p.certificates.map((c) => attributeValues(c.subject, OID_COMMON_NAME).join("+")));

describe("buildPaths", () => {
  it("finds root → CA → leaf among unrelated intermediates", async () => {
    const root = await mintRoot();
    const ca = await mintIntermediate({ issuer: root });
    const other = await mintIntermediate({ issuer: root, subject: "CN=Unrelated CA" });
    const leaf = await mintLeaf({ issuer: ca });
    const { paths } = await collect(leaf, { anchors: [root], pool: [other, ca] });
    expect(names(paths)).toEqual([["Test Root CA", "Test Issuing CA", "alice"]]);
  });

  it("offers the valid issuer before an expired one with the same name (no AKI to tell them apart)", async () => {
    const root = await mintRoot();
    const key = await generateKey();
    const old = await mintIntermediate({ issuer: root, key, ...EXPIRED });
    const renewed = await mintIntermediate({ issuer: root, key });
    const leaf = await mintLeaf({ issuer: renewed, noKeyIdentifiers: true });
    const { paths } = await collect(leaf, { anchors: [root], pool: [old, renewed] });
    expect(paths.map((p) => p.certificates[1]!.thumbprint)).toEqual([
      parse(renewed).thumbprint,
      parse(old).thumbprint,
    ]);
  });

  it("prefers the issuer whose SKI matches the leaf's AKI", async () => {
    const root = await mintRoot();
    const wrong = await mintIntermediate({ issuer: root });
    const right = await mintIntermediate({ issuer: root });
    const leaf = await mintLeaf({ issuer: right });
    const { paths } = await collect(leaf, { anchors: [root], pool: [wrong, right] });
    expect(paths[0]!.certificates[1]!.thumbprint).toBe(parse(right).thumbprint);
    expect(paths).toHaveLength(2);
  });

  it("follows a cross-signed CA to the trusted root", async () => {
    const newRoot = await mintRoot({ subject: "CN=New Root" });
    const oldKey = await generateKey();
    const oldRoot = await mintRoot({ subject: "CN=Old Root", key: oldKey });
    const cross = await mintIntermediate({ issuer: newRoot, subject: "CN=Old Root", key: oldKey });
    const ca = await mintIntermediate({ issuer: oldRoot });
    const leaf = await mintLeaf({ issuer: ca });
    const { paths } = await collect(leaf, { anchors: [newRoot], pool: [oldRoot, ca, cross] });
    expect(names(paths)).toEqual([["New Root", "Old Root", "Test Issuing CA", "alice"]]);
  });

  it("treats an intermediate with an anchor's name and key as that anchor", async () => {
    const root = await mintRoot();
    const ca = await mintIntermediate({ issuer: root });
    const leaf = await mintLeaf({ issuer: ca });
    const { paths } = await collect(leaf, { anchors: [root], pool: [ca, root] });
    expect(paths).toHaveLength(1);
    expect(paths[0]!.anchor.thumbprint).toBe(parse(root).thumbprint);
  });

  it("yields a trusted leaf as a path of its own", async () => {
    const self = await mintRoot({ subject: "CN=Self" });
    const { paths } = await collect(self, { anchors: [self] });
    expect(names(paths)).toEqual([["Self"]]);
  });

  it("stops at a cycle of CAs that sign each other", async () => {
    const root = await mintRoot();
    const kx = await generateKey();
    const x0 = await mintRoot({ subject: "CN=X", key: kx });
    const y = await mintIntermediate({ issuer: x0, subject: "CN=Y" });
    const x = await mintIntermediate({ issuer: y, subject: "CN=X", key: kx });
    const leaf = await mintLeaf({ issuer: x });
    const { paths, report } = await collect(leaf, { anchors: [root], pool: [x, y] });
    expect(paths).toEqual([]);
    expect(report.loops).toBeGreaterThan(0);
  });

  it.each([
    { name: "within the limit", maxDepth: 4, found: 1 },
    { name: "beyond the limit", maxDepth: 3, found: 0 },
  ])("applies the depth limit: $name", async ({ maxDepth, found }) => {
    const root = await mintRoot();
    let issuer = root;
    const pool: Minted[] = [];
    for (let i = 1; i <= 4; i++) {
      issuer = await mintIntermediate({ issuer, subject: `CN=CA${i}` });
      pool.push(issuer);
    }
    const leaf = await mintLeaf({ issuer });
    const { paths, report } = await collect(leaf, { anchors: [root], pool, maxDepth });
    expect(paths).toHaveLength(found);
    expect(report.depthLimited).toBe(found === 0);
  });

  it("does not count self-issued CAs against the depth limit", async () => {
    const root = await mintRoot();
    const ca = await mintIntermediate({ issuer: root, subject: "CN=CA" });
    const rollover = await mintIntermediate({ issuer: ca, subject: "CN=CA" });
    const leaf = await mintLeaf({ issuer: rollover });
    const { paths } = await collect(leaf, { anchors: [root], pool: [ca, rollover], maxDepth: 1 });
    expect(paths.map((p) => p.certificates.length)).toContain(4);
  });

  it("bounds the work on look-alike CAs (same subject and key, no root)", async () => {
    const root = await mintRoot();
    const key = await generateKey();
    const self = await mintRoot({ subject: "CN=ICA", key });
    const pool: Minted[] = [self];
    for (let i = 0; i < 40; i++)
      pool.push(await mintIntermediate({ issuer: pool.at(-1)!, subject: "CN=ICA", key }));
    const leaf = await mintLeaf({ issuer: pool.at(-1)! });
    const { paths, report } = await collect(leaf, { anchors: [root], pool, maxCandidates: 500 });
    expect(paths).toEqual([]);
    expect(report.budgetExhausted || report.loops > 0).toBe(true);
  });

  it("fetches AIA caIssuers only after the local candidates, once per URL", async () => {
    const root = await mintRoot();
    const ca = await mintIntermediate({ issuer: root });
    const leaf = await mintLeaf({
      issuer: ca,
      caIssuersUrls: ["http://pki.example/ca.cer", "ldap://pki.example/ca"],
    });
    const fetched: string[] = [];
    const { paths } = await collect(leaf, {
      anchors: [root],
      fetchIssuers: async (url) => {
        fetched.push(url);
        return [parse(ca)];
      },
    });
    expect(names(paths)).toEqual([["Test Root CA", "Test Issuing CA", "alice"]]);
    expect(fetched).toEqual(["http://pki.example/ca.cer"]);
  });

  it("records a failed AIA fetch and a certificate with no issuer", async () => {
    const root = await mintRoot();
    const ca = await mintIntermediate({ issuer: root });
    const leaf = await mintLeaf({ issuer: ca, caIssuersUrls: ["http://pki.example/ca.cer"] });
    const { paths, report } = await collect(leaf, {
      anchors: [root],
      fetchIssuers: async () => {
        throw new Error("timed out after 5000 ms");
      },
    });
    expect(paths).toEqual([]);
    expect(report.fetchFailures).toEqual([
      { url: "http://pki.example/ca.cer", reason: "timed out after 5000 ms" },
    ]);
    expect(report.noIssuer.map((c) => c.thumbprint)).toEqual([parse(leaf).thumbprint]);
  });
});

describe("trust store", () => {
  it("reads a PEM bundle, drops duplicates by thumbprint and indexes by subject", async () => {
    const a = await mintRoot({ subject: "CN=Root A" });
    const b = await mintRoot({ subject: "CN=Root B" });
    const bundle = `junk before\n${a.pem}\n${b.pem}\n${a.pem}\n`;
    const store = trustStoreFromFiles([{ bytes: new TextEncoder().encode(bundle), source: "roots.pem" }]);
    expect(store.size).toBe(2);
    const rootB = parse(b);
    expect(store.bySubject(rootB.subject.key).map((c) => c.thumbprint)).toEqual([rootB.thumbprint]);
    expect(store.anchorFor(rootB)?.thumbprint).toBe(rootB.thumbprint);
  });

  it("recognises a re-issued anchor by name and key", async () => {
    const key = await generateKey();
    const original = await mintRoot({ key });
    const reissued = await mintRoot({ key, notAfter: new Date("2030-01-01T00:00:00Z") });
    const store = new TrustStore([parse(original)]);
    expect(store.anchorFor(parse(reissued))?.thumbprint).toBe(parse(original).thumbprint);
    expect(store.anchorFor(parse(await mintRoot()))).toBeUndefined();
  });

  it("names the file that holds no certificate", () => {
    expect(() => trustStoreFromFiles([{ bytes: new Uint8Array([1, 2, 3]), source: "bad.sst" }])).toThrow(
      /bad\.sst/,
    );
  });
});
