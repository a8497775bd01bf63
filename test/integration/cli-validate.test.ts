/**
 * `smimectl validate` end to end: the built CLI in a child process, on certificates and CRLs minted here at
 * fixed dates, checked against the JSON contract (DESIGN.md "CLI") with its zod schema.
 *
 * One problem code per case, each on its own leaf under one shared PKI; CRLs come from files (`--crl`) or
 * from a loopback server named in the certificates' distribution points (`--allow-private-network`).
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type ValidationReport, ValidationReportSchema } from "../../shared/contracts/validation-report.ts";
import { parseCertificate } from "../../shared/pki/certificate.ts";
import type { Engine } from "../../shared/pki/engine.ts";
import { KeyUsage } from "../../shared/pki/extensions.ts";
import type { ProblemCode } from "../../shared/pki/problems.ts";
import { validateCertificates } from "../../shared/usecases/validate-certificates.ts";
import { type CliResult, runCli } from "../support/cli.ts";
import { toP7b, toPem, toPemBundle, toSst } from "../support/containers.ts";
import * as d from "../support/der-writer.ts";
import { type LoopbackServer, startLoopbackServer } from "../support/http-server.ts";
import { generateKey, type Minted, mintCrl, mintIntermediate, mintLeaf, mintRoot } from "../support/pki.ts";

const AT = "2026-06-01T00:00:00Z";
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const { digitalSignature, keyAgreement } = KeyUsage;
const EXPIRED = { notBefore: new Date("2025-01-01T00:00:00Z"), notAfter: new Date("2026-03-01T00:00:00Z") };
const NOT_YET = { notBefore: new Date("2026-07-01T00:00:00Z"), notAfter: new Date("2027-07-01T00:00:00Z") };

const Output = z.union([ValidationReportSchema, z.array(ValidationReportSchema)]);

let dir: string;
let server: LoopbackServer;
/** Files by name, written into `dir`. */
const f: Record<string, string> = {};
const thumbprints: Record<string, string> = {};
const serials: Record<string, string> = {};

async function put(name: string, data: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, data);
  f[name] = path;
  return path;
}

async function folder(name: string): Promise<void> {
  await mkdir(join(dir, name));
  f[name] = join(dir, name);
}

const thumbprint = (m: Minted): string => createHash("sha1").update(m.der).digest("hex").toUpperCase();

/** A copy of `der` with its last byte (inside the signature) changed. */
function tamper(der: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(der);
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x01;
  return copy;
}

/** Certificates in `--cert` files for the problem-code table; each under the shared root. */
async function mintPki(): Promise<void> {
  const root = await mintRoot();
  const ca = await mintIntermediate({ issuer: root });
  const otherRoot = await mintRoot({ subject: "CN=Untrusted Root, O=Elsewhere" });
  const notCa = await mintLeaf({ issuer: ca, subject: "CN=Not A CA", email: "ops@contoso.com" });
  const pathLen0 = await mintIntermediate({
    issuer: root,
    subject: "CN=PathLen0 CA",
    basicConstraints: { ca: true, pathLen: 0 },
  });
  const belowPathLen0 = await mintIntermediate({ issuer: pathLen0, subject: "CN=Below PathLen0 CA" });
  const contosoOnly = await mintIntermediate({
    issuer: root,
    subject: "CN=Contoso Only CA",
    nameConstraints: { permitted: [{ email: "contoso.com" }] },
  });
  const explicitPolicy = await mintIntermediate({
    issuer: root,
    subject: "CN=Explicit Policy CA",
    policyConstraints: { requireExplicitPolicy: 0 },
  });
  const alice = await mintLeaf({ issuer: ca });
  const bob = await mintLeaf({ issuer: ca, email: "bob@contoso.com" });
  const revoked = await mintLeaf({ issuer: ca, email: "mallory@contoso.com" });
  const leaves: Record<string, Promise<Minted>> = {
    "untrusted.cer": mintLeaf({ issuer: otherRoot }),
    "expired.cer": mintLeaf({ issuer: ca, ...EXPIRED }),
    "not-yet-valid.cer": mintLeaf({ issuer: ca, ...NOT_YET }),
    "issuer-not-ca.cer": mintLeaf({ issuer: notCa }),
    "path-length.cer": mintLeaf({ issuer: belowPathLen0 }),
    "name-constraints.cer": mintLeaf({ issuer: contosoOnly, email: "bob@fabrikam.com" }),
    "policy.cer": mintLeaf({ issuer: explicitPolicy }),
    "critical-extension.cer": mintLeaf({
      issuer: ca,
      extensions: [{ oid: "1.3.6.1.4.1.55555.1", critical: true, value: d.nul() }],
    }),
    "server-auth.cer": mintLeaf({ issuer: ca, eku: [SERVER_AUTH] }),
    "no-signing-usage.cer": mintLeaf({ issuer: ca, keyUsage: keyAgreement }),
    "no-encryption-usage.cer": mintLeaf({ issuer: ca, keyUsage: digitalSignature }),
    "no-email.cer": mintLeaf({ issuer: ca, subject: "CN=No Mail", email: null }),
  };
  for (const [name, minted] of Object.entries(leaves)) await put(name, (await minted).der);
  await put("alice.cer", alice.der);
  await put("bob.pem", bob.pem);
  await put("revoked.cer", revoked.der);
  await put("bad-signature.cer", tamper(alice.der));
  // A PEM block is a certificate by its label; what is inside is not one.
  await put("malformed.pem", toPem(d.seq(d.int(1), d.int(2))));
  await put("root.pem", root.pem);
  await put("ca.pem", ca.pem);
  const extra = [notCa, pathLen0, belowPathLen0, contosoOnly, explicitPolicy].map((m) => m.der);
  await put("more-intermediates.pem", toPemBundle(extra));

  const rootCrl = await mintCrl({ issuer: root });
  const caCrl = await mintCrl({ issuer: ca, entries: [{ serial: revoked.serial, reason: 1 }] });
  await put("root.crl", rootCrl.der);
  await put("ca.crl", caCrl.der);
  await put("ca-crl.pem", caCrl.pem);
  await put("crls.p7b", toP7b([], { crls: [rootCrl.der, caCrl.der] }));
  const stale = {
    thisUpdate: new Date("2026-05-01T00:00:00Z"),
    nextUpdate: new Date("2026-05-15T00:00:00Z"),
  };
  await put("ca-stale.crl", (await mintCrl({ issuer: ca, ...stale })).der);
  await put("ca-forged.crl", (await mintCrl({ issuer: ca, signer: await generateKey() })).der);

  // Containers for the input-format table.
  const otherAnchor = await mintRoot({ subject: "CN=Second Anchor" });
  await put("two.pem", toPemBundle([alice.der, bob.der]));
  await put("junk-around.pem", `Subject: CN=alice\nIssuer: whoever\n${alice.pem}\ntrailing notes\n`);
  await put("two.p7b", toP7b([alice.der, bob.der]));
  await put("two-pem.p7b", toP7b([alice.der, bob.der], { pem: true }));
  await put("two.sst", toSst([alice.der, bob.der]));
  await put("anchors.pem", toPemBundle([otherAnchor.der, root.der]));
  await put("root.cer", root.der);
  await put("anchors.p7b", toP7b([otherAnchor.der, root.der]));
  await put("anchors-pem.p7b", toP7b([otherAnchor.der, root.der], { pem: true }));
  await put("anchors.sst", toSst([otherAnchor.der, root.der]));
  await folder("good");
  await put("good/alice.cer", alice.der);
  await put("good/bob.crt", bob.pem);
  await put("good/README.txt", "not a certificate, and not named like one\n");
  await folder("mixed");
  await put("mixed/alice.cer", alice.der);
  await put("mixed/bob.pem", bob.pem);
  await put(
    "mixed/garbage.cer",
    Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff),
  );
  await put("mixed/notes.txt", "ignored\n");
  // Every byte of a certificate lies inside what its signature covers, or is the signature or its
  // algorithm: no single-byte change may leave it ready.
  await folder("corrupted");
  for (let i = 0; i < alice.der.length; i++) {
    const copy = Uint8Array.from(alice.der);
    copy[i] = (copy[i] ?? 0) ^ 0xff;
    await put(`corrupted/${String(i).padStart(4, "0")}.cer`, copy);
  }
  await folder("crls");
  await put("crls/root.crl", rootCrl.der);
  await put("crls/issuing-ca.pem", caCrl.pem);
  await put("crls/notes.txt", "ignored\n");
  await folder("many");
  for (let i = 0; i < 400; i++) await put(`many/${String(i).padStart(3, "0")}.cer`, alice.der);
  thumbprints.alice = thumbprint(alice);
  serials.alice = alice.serial;
  thumbprints.bob = thumbprint(bob);
}

/** A second issuing CA whose CRLs and issuer certificate are on the loopback server. */
async function mintServedPki(): Promise<void> {
  const root = await mintRoot({ subject: "CN=Served Root, O=Contoso Test" });
  const ca = await mintIntermediate({
    issuer: root,
    subject: "CN=Served Issuing CA, O=Contoso Test",
    crlUrls: [server.url("/root.crl")],
  });
  const leaf = (email: string, crl: string) =>
    mintLeaf({ issuer: ca, email, crlUrls: [server.url(crl)], caIssuersUrls: [server.url("/ca.cer")] });
  const revoked = await leaf("mallory@contoso.com", "/ca.crl");
  await put("served-root.pem", root.pem);
  await put("served-ca.pem", ca.pem);
  await put("served-alice.cer", (await leaf("alice@contoso.com", "/ca.crl")).der);
  await put("served-revoked.cer", revoked.der);
  await put("served-stale.cer", (await leaf("stale@contoso.com", "/stale.crl")).der);
  await put("served-forged.cer", (await leaf("forged@contoso.com", "/forged.crl")).der);
  await put("served-missing.cer", (await leaf("missing@contoso.com", "/missing.crl")).der);
  const stale = {
    thisUpdate: new Date("2026-05-01T00:00:00Z"),
    nextUpdate: new Date("2026-05-15T00:00:00Z"),
  };
  server.route("/root.crl", { body: (await mintCrl({ issuer: root })).der });
  server.route("/ca.crl", {
    body: (await mintCrl({ issuer: ca, entries: [{ serial: revoked.serial }] })).der,
  });
  server.route("/stale.crl", { body: (await mintCrl({ issuer: ca, ...stale })).der });
  server.route("/forged.crl", { body: (await mintCrl({ issuer: ca, signer: await generateKey() })).der });
  server.route("/ca.cer", { body: ca.der, contentType: "application/pkix-cert" });
  await mintCorruptedCrls(ca);
}

/**
 * One leaf per byte of a CRL that lists it, each pointing at a copy of that CRL with the byte inverted: a
 * corrupted CRL may be unusable, but it must never make a listed certificate look unrevoked.
 */
async function mintCorruptedCrls(ca: Minted): Promise<void> {
  const serial = "7e57";
  const listed = await mintCrl({ issuer: ca, entries: [{ serial, reason: 1 }] });
  const key = await generateKey();
  await folder("served-crl-corruptions");
  for (let i = 0; i < listed.der.length; i++) {
    const copy = Uint8Array.from(listed.der);
    copy[i] = (copy[i] ?? 0) ^ 0xff;
    server.route(`/corrupt/${i}.crl`, { body: copy });
    const leaf = await mintLeaf({ issuer: ca, key, serial, crlUrls: [server.url(`/corrupt/${i}.crl`)] });
    await put(`served-crl-corruptions/${String(i).padStart(4, "0")}.cer`, leaf.der);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smimectl-validate-"));
  server = await startLoopbackServer();
  await Promise.all([mintPki(), mintServedPki()]);
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI and parses its `--json`/`--jsonl` output with the contract's schema. */
async function validate(
  args: readonly string[],
): Promise<{ result: CliResult; reports: ValidationReport[] }> {
  const result = await runCli(["validate", ...args]);
  expect(result.signal, result.stderr).toBeNull();
  let reports: ValidationReport[];
  try {
    reports = args.includes("--jsonl")
      ? result.stdout
          .trim()
          .split("\n")
          .map((line) => ValidationReportSchema.parse(JSON.parse(line)))
      : [Output.parse(JSON.parse(result.stdout))].flat();
  } catch (e) {
    throw new Error(`exit ${result.status}, stderr: ${result.stderr}\n${(e as Error).message}`);
  }
  return { result, reports };
}

/** The usual flags: the shared root trusted, its CRLs and intermediates as files, at the fixed time. */
const withFiles = (cert: string, ...more: string[]): string[] => [
  ...["--cert", f[cert]!, "--trust", f["root.pem"]!, "--intermediates", f["ca.pem"]!],
  ...["--intermediates", f["more-intermediates.pem"]!, "--at", AT, "--json", ...more],
];
const crlFiles = (...names: string[]): string[] => names.flatMap((n) => ["--crl", f[n]!]);
const BOTH_CRLS = ["root.crl", "ca.crl"];

const codesOf = (r: ValidationReport, purpose: "signing" | "encryption"): ProblemCode[] =>
  r[purpose].problems.filter((p) => p.severity === "error").map((p) => p.code);

interface CodeCase {
  readonly name: string;
  readonly cert: string;
  /** Extra arguments; defaults to both CRL files. */
  readonly args?: () => string[];
  /** The error expected; none for a ready certificate. */
  readonly code?: ProblemCode;
  readonly signing: boolean;
  readonly encryption: boolean;
  /** The message mentions this. */
  readonly says?: RegExp;
}

const chainWide = (name: string, cert: string, code: ProblemCode, args?: () => string[]): CodeCase => ({
  name,
  cert,
  code,
  signing: false,
  encryption: false,
  ...(args && { args }),
});

const codeCases: CodeCase[] = [
  { name: "a ready certificate", cert: "alice.cer", signing: true, encryption: true },
  {
    name: "ready, PEM, --smtp matching in another case",
    cert: "bob.pem",
    args: () => [...crlFiles(...BOTH_CRLS), "--smtp", "BOB@Contoso.COM"],
    signing: true,
    encryption: true,
  },
  chainWide("a PEM block that holds no certificate", "malformed.pem", "MALFORMED"),
  chainWide("issued under a root not in --trust", "untrusted.cer", "CHAIN_UNTRUSTED"),
  chainWide("a signature that does not verify", "bad-signature.cer", "SIGNATURE_INVALID"),
  chainWide("notAfter before --at", "expired.cer", "EXPIRED"),
  chainWide("notBefore after --at", "not-yet-valid.cer", "NOT_YET_VALID"),
  chainWide("signed by an end entity", "issuer-not-ca.cer", "ISSUER_NOT_CA"),
  chainWide("one CA too many under pathLen 0", "path-length.cer", "PATH_LENGTH_EXCEEDED"),
  chainWide("an address outside permitted subtrees", "name-constraints.cer", "NAME_CONSTRAINTS_VIOLATED"),
  chainWide("requireExplicitPolicy with no policy", "policy.cer", "POLICY_INVALID"),
  chainWide("an unknown critical extension", "critical-extension.cer", "UNSUPPORTED_CRITICAL_EXTENSION"),
  chainWide("listed on its CA's CRL", "revoked.cer", "REVOKED"),
  {
    ...chainWide("no CRL for its CA, offline", "alice.cer", "CRL_UNREACHABLE", () => [
      ...crlFiles("root.crl"),
      "--offline",
    ]),
    says: /Test Issuing CA/,
  },
  chainWide("its CA's CRL past nextUpdate", "alice.cer", "CRL_STALE", () =>
    crlFiles("root.crl", "ca-stale.crl"),
  ),
  chainWide("its CA's CRL signed by another key", "alice.cer", "CRL_INVALID", () =>
    crlFiles("root.crl", "ca-forged.crl"),
  ),
  chainWide("EKU serverAuth only", "server-auth.cer", "EKU_NOT_EMAIL_PROTECTION"),
  {
    name: "keyUsage keyAgreement only",
    cert: "no-signing-usage.cer",
    code: "KEY_USAGE_SIGNING",
    signing: false,
    encryption: true,
  },
  {
    name: "keyUsage digitalSignature only (EC)",
    cert: "no-encryption-usage.cer",
    code: "KEY_USAGE_ENCRYPTION",
    signing: true,
    encryption: false,
  },
  chainWide("no rfc822Name and no subject E=", "no-email.cer", "NO_EMAIL_ADDRESS"),
  {
    ...chainWide("--smtp names another user", "alice.cer", "SMTP_MISMATCH", () => [
      ...crlFiles(...BOTH_CRLS),
      "--smtp",
      "bob@contoso.com",
    ]),
    says: /bob@contoso\.com.*alice@contoso\.com/,
  },
  {
    name: "--at as a date alone (midnight UTC)",
    cert: "alice.cer",
    args: () => [...crlFiles(...BOTH_CRLS), "--at", "2026-06-01"],
    signing: true,
    encryption: true,
  },
  chainWide("--at after notAfter", "alice.cer", "EXPIRED", () => [
    ...crlFiles(...BOTH_CRLS),
    "--at",
    "2027-02-01T00:00:00Z",
  ]),
  chainWide("--at before notBefore", "alice.cer", "NOT_YET_VALID", () => [
    ...crlFiles(...BOTH_CRLS),
    "--at",
    "2025-12-15T00:00:00+01:00",
  ]),
];

describe("smimectl validate: every problem code, --json", () => {
  it.concurrent.each(codeCases)("$name", async (c) => {
    const args = withFiles(c.cert, ...(c.args?.() ?? crlFiles(...BOTH_CRLS)));
    const { result, reports } = await validate(args);
    expect(reports).toHaveLength(1);
    const report = reports[0]!;
    expect(report.file).toBe(f[c.cert]);
    expect({ signing: report.signing.ready, encryption: report.encryption.ready }).toEqual({
      signing: c.signing,
      encryption: c.encryption,
    });
    for (const purpose of ["signing", "encryption"] as const) {
      const codes = codesOf(report, purpose);
      if (c.code && !report[purpose].ready) expect(codes, purpose).toContain(c.code);
      if (c.code && report[purpose].ready) expect(codes, purpose).not.toContain(c.code);
      if (!c.code) expect(report[purpose].problems, purpose).toEqual([]);
      const problem = report[purpose].problems.find((p) => p.code === c.code);
      if (c.says && problem) expect(problem.message).toMatch(c.says);
    }
    // The last --at wins; checkedAt is that instant in UTC.
    expect(report.checkedAt).toBe(new Date(args[args.lastIndexOf("--at") + 1]!).toISOString());
    expect(result.status).toBe(c.signing && c.encryption ? 0 : 1);
  });

  it.concurrent("the certificate summary of a ready certificate", async () => {
    const { reports } = await validate(withFiles("alice.cer", ...crlFiles(...BOTH_CRLS)));
    expect(reports[0]!.certificate).toEqual({
      subject: "CN=alice",
      issuer: expect.stringContaining("CN=Test Issuing CA"),
      serialNumber: serials.alice,
      thumbprint: thumbprints.alice,
      notBefore: "2026-01-01T00:00:00.000Z",
      notAfter: "2027-01-01T00:00:00.000Z",
      emailAddresses: ["alice@contoso.com"],
    });
    expect(reports[0]!.chain).toHaveLength(3);
  });
});

describe("smimectl validate: --purpose decides the exit status", () => {
  const cases = [
    { cert: "alice.cer", purpose: "signing", status: 0 },
    { cert: "alice.cer", purpose: "encryption", status: 0 },
    { cert: "no-signing-usage.cer", purpose: "signing", status: 1 },
    { cert: "no-signing-usage.cer", purpose: "encryption", status: 0 },
    { cert: "no-signing-usage.cer", purpose: "both", status: 1 },
    { cert: "no-encryption-usage.cer", purpose: "signing", status: 0 },
    { cert: "no-encryption-usage.cer", purpose: "encryption", status: 1 },
    { cert: "revoked.cer", purpose: "signing", status: 1 },
    { cert: "revoked.cer", purpose: "encryption", status: 1 },
  ];
  it.concurrent.each(cases)("$cert for $purpose exits $status", async (c) => {
    const { result, reports } = await validate(
      withFiles(c.cert, ...crlFiles(...BOTH_CRLS), "--purpose", c.purpose),
    );
    expect(result.status).toBe(c.status);
    // Both purposes are always reported, whichever is asked.
    expect(reports[0]!.signing).toBeDefined();
    expect(reports[0]!.encryption).toBeDefined();
  });
});

describe("smimectl validate: CRLs and issuers from a loopback server", () => {
  const served = (cert: string, ...more: string[]) => [
    ...["--cert", f[cert]!, "--trust", f["served-root.pem"]!, "--at", AT, "--json", ...more],
  ];
  const cases: {
    name: string;
    args: () => string[];
    code?: ProblemCode;
    says?: RegExp;
  }[] = [
    {
      name: "ready: CRLs over HTTP, CA from AIA",
      args: () => served("served-alice.cer", "--allow-private-network"),
    },
    {
      name: "revoked on the served CRL",
      args: () => served("served-revoked.cer", "--allow-private-network"),
      code: "REVOKED",
    },
    {
      name: "a stale served CRL",
      args: () => served("served-stale.cer", "--allow-private-network"),
      code: "CRL_STALE",
    },
    {
      name: "a served CRL signed by another key",
      args: () => served("served-forged.cer", "--allow-private-network"),
      code: "CRL_INVALID",
    },
    {
      name: "a 404 for the CRL",
      args: () => served("served-missing.cer", "--allow-private-network"),
      code: "CRL_UNREACHABLE",
      says: /404/,
    },
    {
      name: "loopback refused without --allow-private-network",
      args: () => served("served-alice.cer", "--intermediates", f["served-ca.pem"]!),
      code: "CRL_UNREACHABLE",
      says: /refused.*127\.0\.0\.1/,
    },
  ];
  it.concurrent.each(cases)("$name", async (c) => {
    const { result, reports } = await validate(c.args());
    const report = reports[0]!;
    if (!c.code) {
      expect(report.signing.problems).toEqual([]);
      expect(report.encryption.problems).toEqual([]);
      expect(report.chain).toHaveLength(3);
      expect(result.status).toBe(0);
      return;
    }
    for (const purpose of ["signing", "encryption"] as const) {
      const problem = report[purpose].problems.find((p) => p.code === c.code);
      expect(problem?.severity, purpose).toBe("error");
      if (c.says) expect(problem?.message).toMatch(c.says);
      expect(report[purpose].ready).toBe(false);
    }
    expect(result.status).toBe(1);
  });
});

describe("smimectl validate: corrupted CRLs never unrevoke", () => {
  it("every single-byte corruption of a served CRL listing the certificate leaves it not ready", async () => {
    const { result, reports } = await validate([
      ...["--cert", f["served-crl-corruptions"]!, "--trust", f["served-root.pem"]!],
      ...["--intermediates", f["served-ca.pem"]!, "--allow-private-network", "--at", AT, "--jsonl"],
    ]);
    expect(reports.length).toBeGreaterThan(100);
    const accepted = reports.filter((r) => r.signing.ready || r.encryption.ready).map((r) => r.file);
    expect(accepted).toEqual([]);
    const REVOCATION = ["REVOKED", "CRL_INVALID", "CRL_UNREACHABLE", "CRL_STALE"];
    const unexplained = reports.filter((r) => !codesOf(r, "signing").some((c) => REVOCATION.includes(c)));
    expect(unexplained.map((r) => [r.file, codesOf(r, "signing")])).toEqual([]);
    expect(result.status).toBe(1);
  });
});

describe("smimectl validate: input formats", () => {
  const run = (cert: string, trust = "root.pem", ...more: string[]) =>
    validate([
      ...["--cert", f[cert]!, "--trust", f[trust]!, "--intermediates", f["ca.pem"]!],
      ...[...crlFiles(...BOTH_CRLS), "--at", AT, ...more],
    ]);
  const certCases = [
    { name: "PEM, one certificate", cert: "bob.pem", who: ["bob"] },
    { name: "PEM, two certificates", cert: "two.pem", who: ["alice", "bob"] },
    { name: "PEM with junk around it", cert: "junk-around.pem", who: ["alice"] },
    { name: "DER", cert: "alice.cer", who: ["alice"] },
    { name: "PKCS#7, DER", cert: "two.p7b", who: ["alice", "bob"] },
    { name: "PKCS#7, PEM", cert: "two-pem.p7b", who: ["alice", "bob"] },
    { name: "SST", cert: "two.sst", who: ["alice", "bob"] },
    { name: "a directory (README.txt ignored)", cert: "good", who: ["alice", "bob"] },
  ];
  it.concurrent.each(certCases)("--cert $name", async (c) => {
    const { result, reports } = await run(c.cert, "root.pem", "--json");
    expect(reports.map((r) => r.certificate?.thumbprint)).toEqual(c.who.map((w) => thumbprints[w]));
    expect(reports.every((r) => r.signing.ready && r.encryption.ready)).toBe(true);
    // One certificate prints an object, several an array; a multi-certificate file numbers its entries.
    expect(Array.isArray(JSON.parse(result.stdout))).toBe(c.who.length > 1);
    if (c.who.length > 1 && c.cert !== "good") expect(reports.map((r) => r.index)).toEqual([0, 1]);
    expect(result.status).toBe(0);
  });

  const trustCases = ["anchors.pem", "root.cer", "anchors.p7b", "anchors-pem.p7b", "anchors.sst"];
  it.concurrent.each(trustCases)("--trust %s", async (trust) => {
    const { result, reports } = await run("alice.cer", trust, "--json");
    const chain = reports[0]!.chain;
    expect(chain).toHaveLength(3);
    expect(chain[0]).toBe("CN=alice");
    expect(chain[2]).toContain("CN=Test Root CA");
    expect(result.status).toBe(0);
  });

  const crlCases = [
    { name: "DER and PEM", crls: ["root.crl", "ca-crl.pem"] },
    { name: "both in one PKCS#7", crls: ["crls.p7b"] },
    { name: "a directory (.crl and .pem; notes.txt ignored)", crls: ["crls"] },
  ];
  it.concurrent.each(crlCases)("--crl $name", async (c) => {
    const { result } = await validate([
      ...["--cert", f["alice.cer"]!, "--trust", f["root.pem"]!, "--intermediates", f["ca.pem"]!],
      ...[...crlFiles(...c.crls), "--at", AT, "--offline", "--json"],
    ]);
    expect(result.status).toBe(0);
  });

  it.concurrent("a directory with a garbage .cer: that one MALFORMED, the rest validated", async () => {
    const { result, reports } = await run("mixed", "root.pem", "--json");
    expect(reports.map((r) => r.file)).toEqual([
      f["mixed/alice.cer"],
      f["mixed/bob.pem"],
      f["mixed/garbage.cer"],
    ]);
    const garbage = reports[2]!;
    expect(garbage.certificate).toBeNull();
    expect(codesOf(garbage, "signing")).toEqual(["MALFORMED"]);
    expect(codesOf(garbage, "encryption")).toEqual(["MALFORMED"]);
    expect(reports.slice(0, 2).every((r) => r.signing.ready && r.encryption.ready)).toBe(true);
    expect(result.status).toBe(1);
  });

  it.concurrent("--jsonl prints one report per line", async () => {
    const { result, reports } = await run("two.sst", "root.pem", "--jsonl");
    expect(result.stdout.trim().split("\n")).toHaveLength(2);
    expect(reports.map((r) => r.certificate?.emailAddresses)).toEqual([
      ["alice@contoso.com"],
      ["bob@contoso.com"],
    ]);
    expect(result.status).toBe(0);
  });

  it.concurrent("a directory of single-byte corruptions: none ready, none crashes", async () => {
    const { result, reports } = await run("corrupted", "root.pem", "--jsonl", "--offline");
    expect(reports.length).toBeGreaterThan(300);
    const ready = reports.filter((r) => r.signing.ready || r.encryption.ready).map((r) => r.file);
    expect(ready).toEqual([]);
    const unexpected = reports
      .flatMap((r) => r.signing.problems)
      .filter((p) => p.message.startsWith("could not be validated"));
    expect(unexpected).toEqual([]);
    expect(result.status).toBe(1);
  });

  it.concurrent.each(["--jsonl", "--json", "text"])(
    "a reader that closes the pipe early (%s | head): no crash, the verdict still decides the exit status",
    async (output) => {
      const result = await runCli(
        [
          ...["validate", "--cert", f.many!, "--trust", f["root.pem"]!, "--intermediates", f["ca.pem"]!],
          ...[...crlFiles(...BOTH_CRLS), "--at", AT, ...(output === "text" ? [] : [output])],
        ],
        { closeStdoutAfter: 1 },
      );
      expect(result.signal).toBeNull();
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
    },
  );

  it.concurrent("text output names the certificate, its chain and the tally", async () => {
    const result = await runCli([
      ...["validate", "--cert", f["revoked.cer"]!, "--trust", f["root.pem"]!],
      ...["--intermediates", f["ca.pem"]!, ...crlFiles(...BOTH_CRLS), "--at", AT],
    ]);
    expect(result.stdout).toContain("CN=mallory");
    expect(result.stdout).toContain("REVOKED");
    expect(result.stdout).toContain("1 certificate checked for both: 0 ready, 1 not ready");
    expect(result.status).toBe(1);
  });
});

describe("validateCertificates (the use case under the CLI)", () => {
  it("turns an engine exception into that certificate's MALFORMED and validates the rest", async () => {
    const root = await mintRoot();
    const [good, bad] = await Promise.all([
      mintLeaf({ issuer: root }),
      mintLeaf({ issuer: root, email: "bob@contoso.com" }),
    ]);
    const engine: Engine = {
      validate: async (leaf) => {
        if (leaf.thumbprint === thumbprint(bad)) throw new TypeError("boom");
        return { chain: [leaf], problems: [] };
      },
    };
    const inputs = [good, bad, good].map((m, i) => ({
      file: `${i}.cer`,
      certificate: parseCertificate(m.der),
    }));
    const outcomes = [];
    for await (const o of validateCertificates(engine, inputs, { time: new Date(AT), purpose: "both" }))
      outcomes.push(o);
    expect(outcomes.map((o) => [o.report.file, o.ready])).toEqual([
      ["0.cer", true],
      ["1.cer", false],
      ["2.cer", true],
    ]);
    expect(outcomes[1]!.report.signing.problems).toEqual([
      { code: "MALFORMED", severity: "error", message: "could not be validated (unexpected error: boom)" },
    ]);
  });
});
