/**
 * What `smimectl` does with bad input (issue 2: "truncated and garbage DER, PEM with junk, an SST whose
 * length field lies, a 50 MB CRL, a CRL endpoint that never answers, a redirect to 169.254.169.254"):
 * each gives exit 2 naming the file or flag, or a CRL_UNREACHABLE problem naming the reason; none crashes
 * (a signal, an "internal error") or hangs (killed by the runner's deadline).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationReportSchema } from "../../shared/contracts/validation-report.ts";
import { type CliResult, runCli } from "../support/cli.ts";
import { SST_END, SST_HEADER, SstProp, sstElement, toPem } from "../support/containers.ts";
import * as d from "../support/der-writer.ts";
import { type LoopbackServer, startLoopbackServer } from "../support/http-server.ts";
import { mintCrl, mintIntermediate, mintLeaf, mintRoot } from "../support/pki.ts";

const AT = "2026-06-01T00:00:00Z";
const FIFTY_MB = 50 * 1024 * 1024;

let dir: string;
let server: LoopbackServer;
const f: Record<string, string> = {};

async function put(name: string, data: string | Uint8Array): Promise<void> {
  f[name] = join(dir, name);
  await writeFile(f[name], data);
}

/** Bytes that are no format at all (deterministic, so a failure reproduces). */
const garbage = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 73 + 29) & 0xff);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smimectl-bad-input-"));
  server = await startLoopbackServer({
    "/huge-chunked.crl": { stream: FIFTY_MB },
    "/huge-declared.crl": { stream: FIFTY_MB, declare: true },
    "/hang.crl": { hang: true },
    "/to-metadata.crl": { redirect: "http://169.254.169.254/latest/meta-data/" },
    "/loop.crl": { redirect: "/loop.crl" },
    "/garbage.crl": { body: garbage(2000) },
    "/hang.cer": { hang: true },
    "/to-metadata.cer": { redirect: "http://169.254.169.254/latest/meta-data/" },
  });
  const root = await mintRoot();
  const ca = await mintIntermediate({ issuer: root });
  const servedLeaf = (name: string, urls: string[]) =>
    mintLeaf({ issuer: ca, email: `${name}@contoso.com`, crlUrls: urls });
  const leaves = {
    "alice.cer": mintLeaf({ issuer: ca }),
    "huge-chunked.cer": servedLeaf("chunked", [server.url("/huge-chunked.crl")]),
    "huge-declared.cer": servedLeaf("declared", [server.url("/huge-declared.crl")]),
    "hang.cer": servedLeaf("hang", [server.url("/hang.crl")]),
    "to-metadata.cer": servedLeaf("metadata", [server.url("/to-metadata.crl")]),
    "loop.cer": servedLeaf("loop", [server.url("/loop.crl")]),
    "garbage-crl.cer": servedLeaf("garbage", [server.url("/garbage.crl")]),
    "aia-hang.cer": mintLeaf({
      issuer: ca,
      email: "aia@contoso.com",
      caIssuersUrls: [server.url("/hang.cer")],
    }),
    "aia-metadata.cer": mintLeaf({
      issuer: ca,
      email: "aia@contoso.com",
      caIssuersUrls: [server.url("/to-metadata.cer")],
    }),
    "public-cdp.cer": servedLeaf("public", ["http://crl.contoso.example/issuing-ca.crl"]),
    "ldap-only.cer": servedLeaf("ldap", [
      "ldap://ldap.contoso.com/CN=Test%20Issuing%20CA?certificateRevocationList",
    ]),
  };
  for (const [name, leaf] of Object.entries(leaves)) await put(name, (await leaf).der);
  const alice = await leaves["alice.cer"];
  await put("root.pem", root.pem);
  await put("ca.pem", ca.pem);
  const rootCrl = await mintCrl({ issuer: root });
  await put("root.crl", rootCrl.der);
  await mkdir(join(dir, "empty-dir"));
  await put("empty-dir/README.txt", "no certificate or CRL here\n");
  await put("garbage.cer", garbage(700));
  await put("empty.cer", new Uint8Array(0));
  await put("truncated.cer", alice.der.subarray(0, Math.floor(alice.der.length / 2)));
  await put("truncated.crl", rootCrl.der.subarray(0, rootCrl.der.length - 10));
  const lying = sstElement(SstProp.certificate, alice.der, { length: alice.der.length + 4096 });
  await put("lying-length.sst", d.concat([SST_HEADER, lying, SST_END]));
  const pem = toPem(alice.der);
  await put(
    "broken-block.pem",
    `junk before\n${pem.slice(0, 120)}!!not base64!!${pem.slice(120)}junk after\n`,
  );
  // 50 MB that start like a CRL (a SEQUENCE of that length) and are zeros after.
  const header = Uint8Array.of(0x30, 0x84, ...[24, 16, 8, 0].map((s) => ((FIFTY_MB - 6) >>> s) & 0xff));
  const big = new Uint8Array(FIFTY_MB);
  big.set(header);
  await put("fifty-mb.crl", big);
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Neither crashed nor hung. */
function finished(r: CliResult): void {
  expect(r.timedOut, "killed after the runner's deadline").toBe(false);
  expect(r.signal).toBeNull();
  expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
}

const validateArgs = (over: Record<string, string[]> = {}, ...more: string[]): string[] => {
  const flags: Record<string, string[]> = {
    cert: [f["alice.cer"]!],
    trust: [f["root.pem"]!],
    intermediates: [f["ca.pem"]!],
    crl: [f["root.crl"]!],
    ...over,
  };
  const named = Object.entries(flags).flatMap(([flag, values]) => values.flatMap((v) => [`--${flag}`, v]));
  return ["validate", ...named, "--at", AT, ...more];
};

describe("unreadable files: exit 2 naming the file", () => {
  const files = [
    "missing.cer",
    "garbage.cer",
    "empty.cer",
    "truncated.cer",
    "lying-length.sst",
    "broken-block.pem",
  ];
  const cases = ["cert", "trust", "intermediates"].flatMap((flag) => files.map((file) => ({ flag, file })));
  cases.push(
    { flag: "crl", file: "missing.crl" },
    { flag: "crl", file: "garbage.cer" },
    { flag: "crl", file: "truncated.crl" },
    { flag: "crl", file: "fifty-mb.crl" },
  );
  for (const flag of ["cert", "trust", "crl"]) cases.push({ flag, file: "empty-dir" });
  it.concurrent.each(cases)("--$flag $file", async ({ flag, file }) => {
    const path = join(dir, file);
    const r = await runCli(validateArgs({ [flag]: [path] }, "--json"));
    finished(r);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(path);
    expect(r.stdout).toBe("");
  });
});

describe("bad flags: exit 2 naming the flag", () => {
  const cases = [
    { name: "an unknown flag", args: () => validateArgs({}, "--frobnicate"), says: /--frobnicate/ },
    { name: "no --cert", args: () => validateArgs({ cert: [] }), says: /--cert/ },
    { name: "no --trust", args: () => validateArgs({ trust: [] }), says: /--trust/ },
    { name: "--cert without a value", args: () => [...validateArgs(), "--cert"], says: /--cert/ },
    { name: "a bad --purpose", args: () => validateArgs({}, "--purpose", "sign"), says: /--purpose/ },
    { name: "a bad --at", args: () => validateArgs({}, "--at", "yesterday"), says: /--at/ },
    {
      name: "--at a local time (no offset)",
      args: () => validateArgs({}, "--at", "2026-06-01T00:00:00"),
      says: /--at/,
    },
    { name: "a bad --smtp", args: () => validateArgs({}, "--smtp", "alice"), says: /--smtp/ },
    {
      name: "--json with --jsonl",
      args: () => validateArgs({}, "--json", "--jsonl"),
      says: /--json.*--jsonl/,
    },
    { name: "a stray argument", args: () => validateArgs({}, "alice.cer"), says: /alice\.cer/ },
  ];
  it.concurrent.each(cases)("$name", async (c) => {
    const r = await runCli(c.args());
    finished(r);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(c.says);
    expect(r.stderr).toContain("usage: smimectl validate");
  });
});

describe("commands", () => {
  const cases = [
    { name: "no command", args: [], status: 2, says: /usage: smimectl <command>/ },
    { name: "an unknown command", args: ["frobnicate"], status: 2, says: /frobnicate[\s\S]*usage: smimectl/ },
    { name: "trust without list", args: ["trust"], status: 2, says: /trust list/ },
    { name: "--help", args: ["--help"], status: 0, says: /usage: smimectl <command>/ },
    { name: "validate --help", args: ["validate", "--help"], status: 0, says: /usage: smimectl validate/ },
  ];
  it.concurrent.each(cases)("$name exits $status", async (c) => {
    const r = await runCli(c.args);
    finished(r);
    expect(r.status).toBe(c.status);
    // Help asked for goes to stdout; usage after a mistake goes to stderr, where scripts look for errors.
    expect(c.status === 0 ? r.stdout : r.stderr).toMatch(c.says);
    if (c.status !== 0) expect(r.stdout).toBe("");
  });
});

describe("CRL and AIA endpoints that misbehave: a problem naming the reason", () => {
  const cases = [
    { name: "a CRL of 50 MB, streamed", cert: "huge-chunked.cer", says: /limit/ },
    { name: "a CRL of 50 MB, declared", cert: "huge-declared.cer", says: /limit/ },
    { name: "a CRL endpoint that never answers", cert: "hang.cer", says: /timed out/ },
    {
      name: "a CRL redirect to 169.254.169.254",
      cert: "to-metadata.cer",
      says: /refused.*169\.254\.169\.254/,
    },
    { name: "a CRL redirect loop", cert: "loop.cer", says: /redirect/ },
    {
      name: "a CRL that is not one",
      cert: "garbage-crl.cer",
      code: "CRL_INVALID",
      says: /garbage\.crl|pars/,
    },
    { name: "an ldap:// only CRL", cert: "ldap-only.cer", says: /ldap:\/\// },
    { name: "--offline and no CRL", cert: "public-cdp.cer", says: /offline/, offline: true },
    {
      name: "an issuer (AIA) endpoint that never answers",
      cert: "aia-hang.cer",
      code: "CHAIN_UNTRUSTED",
      says: /hang\.cer.*timed out/,
    },
    {
      name: "an issuer (AIA) redirect to 169.254.169.254",
      cert: "aia-metadata.cer",
      code: "CHAIN_UNTRUSTED",
      says: /refused.*169\.254\.169\.254/,
    },
  ];
  it.concurrent.each(cases)("$name", async (c) => {
    const more = ["--json", c.offline ? "--offline" : "--allow-private-network"];
    const intermediates = c.code === "CHAIN_UNTRUSTED" ? [] : [f["ca.pem"]!];
    const r = await runCli(validateArgs({ cert: [f[c.cert]!], intermediates }, ...more));
    finished(r);
    const report = ValidationReportSchema.parse(JSON.parse(r.stdout));
    for (const purpose of ["signing", "encryption"] as const) {
      const problem = report[purpose].problems.find((p) => p.code === (c.code ?? "CRL_UNREACHABLE"));
      expect(problem?.severity, JSON.stringify(report[purpose].problems)).toBe("error");
      expect(problem?.message).toMatch(c.says);
      expect(report[purpose].ready).toBe(false);
    }
    expect(r.status).toBe(1);
  });
});
