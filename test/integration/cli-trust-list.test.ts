/**
 * `smimectl trust list FILE` end to end: what an .sst, .p7b or PEM bundle (the virtual certificate
 * collection an admin uploads to Exchange Online) holds, as text and as `--json`.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type CliResult, runCli } from "../support/cli.ts";
import {
  SST_END,
  SST_HEADER,
  SstProp,
  sstElement,
  toP7b,
  toPemBundle,
  toSst,
} from "../support/containers.ts";
import * as d from "../support/der-writer.ts";
import { type Minted, mintIntermediate, mintLeaf, mintRoot } from "../support/pki.ts";

const Listing = z.array(
  z.object({
    subject: z.string(),
    issuer: z.string(),
    serialNumber: z.string(),
    thumbprint: z.string().regex(/^[0-9A-F]{40}$/),
    notBefore: z.iso.datetime(),
    notAfter: z.iso.datetime(),
    ca: z.boolean(),
    selfIssued: z.boolean(),
  }),
);

let dir: string;
const f: Record<string, string> = {};
let root: Minted;
let ca: Minted;
let leaf: Minted;

async function put(name: string, data: string | Uint8Array): Promise<void> {
  f[name] = join(dir, name);
  await writeFile(f[name], data);
}

const thumbprint = (m: Minted): string => createHash("sha1").update(m.der).digest("hex").toUpperCase();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smimectl-trust-list-"));
  root = await mintRoot({ serial: "0a1b2c" });
  ca = await mintIntermediate({ issuer: root });
  leaf = await mintLeaf({ issuer: ca });
  const all = [root.der, ca.der, leaf.der];
  await put("bundle.pem", `exported by certutil\n${toPemBundle(all)}`);
  await put("root.cer", root.der);
  await put("bundle.p7b", toP7b(all));
  await put("bundle-pem.p7c", toP7b(all, { pem: true }));
  await put("collection.sst", toSst(all));
  await put(
    "garbage.sst",
    Uint8Array.from({ length: 500 }, (_, i) => (i * 91 + 7) & 0xff),
  );
  const lying = sstElement(SstProp.certificate, root.der, { length: root.der.length + 100 });
  await put("lying-length.sst", d.concat([SST_HEADER, lying, SST_END]));
  await put("empty.sst", d.concat([SST_HEADER, SST_END]));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function finished(r: CliResult): void {
  expect(r.timedOut).toBe(false);
  expect(r.signal).toBeNull();
  expect(r.stderr).not.toMatch(/internal error/);
}

const formats = [
  { name: "PEM bundle with a preamble", file: "bundle.pem", count: 3 },
  { name: "DER", file: "root.cer", count: 1 },
  { name: "PKCS#7, DER", file: "bundle.p7b", count: 3 },
  { name: "PKCS#7, PEM", file: "bundle-pem.p7c", count: 3 },
  { name: "SST", file: "collection.sst", count: 3 },
];

describe("smimectl trust list --json", () => {
  it.concurrent.each(formats)("$name", async (c) => {
    const r = await runCli(["trust", "list", f[c.file]!, "--json"]);
    finished(r);
    expect(r.status).toBe(0);
    const rows = Listing.parse(JSON.parse(r.stdout));
    const expected = [root, ca, leaf].slice(0, c.count);
    expect(rows.map((row) => row.thumbprint)).toEqual(expected.map(thumbprint));
    expect(rows.map((row) => [row.ca, row.selfIssued])).toEqual(
      [
        [true, true],
        [true, false],
        [false, false],
      ].slice(0, c.count),
    );
    expect(rows[0]).toMatchObject({
      serialNumber: "0a1b2c",
      notBefore: "2026-01-01T00:00:00.000Z",
      notAfter: "2027-01-01T00:00:00.000Z",
    });
    expect(rows[0]!.subject).toContain("CN=Test Root CA");
  });
});

describe("smimectl trust list (text)", () => {
  it.concurrent.each(formats)("$name", async (c) => {
    const r = await runCli(["trust", "list", f[c.file]!]);
    finished(r);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`${f[c.file]}: ${c.count} certificate${c.count === 1 ? "" : "s"}`);
    expect(r.stdout).toContain(thumbprint(root));
    expect(r.stdout).toContain("root CA");
    if (c.count === 3) {
      expect(r.stdout).toContain("intermediate CA");
      expect(r.stdout).toContain("end entity");
      expect(r.stdout).toContain("CN=alice");
    }
  });
});

describe("smimectl trust list on bad input: exit 2", () => {
  const cases = [
    { name: "a missing file", args: () => [join(dir, "missing.sst")], says: () => join(dir, "missing.sst") },
    { name: "a garbage file", args: () => [f["garbage.sst"]!], says: () => f["garbage.sst"]! },
    {
      name: "an SST whose length lies",
      args: () => [f["lying-length.sst"]!],
      says: () => f["lying-length.sst"]!,
    },
    { name: "an SST with no certificate", args: () => [f["empty.sst"]!], says: () => f["empty.sst"]! },
    { name: "no file", args: () => [], says: () => "usage: smimectl trust list" },
    {
      name: "two files",
      args: () => [f["root.cer"]!, f["bundle.pem"]!],
      says: () => "usage: smimectl trust list",
    },
    { name: "an unknown flag", args: () => [f["root.cer"]!, "--pretty"], says: () => "--pretty" },
  ];
  it.concurrent.each(cases)("$name", async (c) => {
    const r = await runCli(["trust", "list", ...c.args()]);
    finished(r);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(c.says());
    expect(r.stdout).toBe("");
  });
});
