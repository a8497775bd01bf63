/**
 * `npm run bench`: the validation engine against `openssl verify` on the same files in the same run.
 *
 * Mints a root, an issuing CA, 10,000 S/MIME leaves and a 100,000-entry CRL (with reason codes) that revokes
 * 1% of the leaves, serves the CRLs over HTTP on loopback, then times:
 *   - smimectl validate on the directory, fetching the CRLs over HTTP (one process, JSONL out);
 *   - openssl verify -crl_check_all with the same CRLs as files, on the same leaves (one process);
 *   - openssl verify without revocation checking.
 * and prints wall time, peak RSS and the ratios. Each run's verdicts are checked against the minted truth,
 * so a fast wrong answer cannot pass for a fast right one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { toPem } from "../support/containers.ts";
import { fastMint } from "../support/fast-mint.ts";
import { startCrlServer } from "./crl-server.ts";
import { runGraphBench } from "./graph-bench.ts";
import { type Measurement, measure } from "./measure.ts";
import { runPipelineBench } from "./pipeline-bench.ts";

const LEAVES = Number(process.env.BENCH_LEAVES ?? 10_000);
const CRL_ENTRIES = Number(process.env.BENCH_CRL_ENTRIES ?? 100_000);
const AT = new Date("2026-06-01T00:00:00Z");
const REVOKED_EVERY = 100;

const log = (s: string) => process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "smime-bench-"));
  const server = await startCrlServer();
  try {
    log(
      `minting ${LEAVES.toLocaleString("en")} leaves and a ${CRL_ENTRIES.toLocaleString("en")}-entry CRL …`,
    );
    const t0 = performance.now();
    const revokedLeaves = Array.from(
      { length: Math.ceil(LEAVES / REVOKED_EVERY) },
      (_, i) => i * REVOKED_EVERY,
    );
    const pki = fastMint({
      leaves: LEAVES,
      crlEntries: CRL_ENTRIES,
      revokedLeaves,
      crlUrl: `${server.baseUrl}/issuing.crl`,
      rootCrlUrl: `${server.baseUrl}/root.crl`,
      notBefore: new Date("2026-01-01T00:00:00Z"),
      notAfter: new Date("2027-01-01T00:00:00Z"),
      thisUpdate: new Date("2026-05-25T00:00:00Z"),
      nextUpdate: new Date("2026-06-08T00:00:00Z"),
    });
    log(
      `  minted in ${((performance.now() - t0) / 1000).toFixed(1)} s; CRL ${(pki.crl.length / 1e6).toFixed(1)} MB`,
    );
    const leavesDir = join(dir, "leaves");
    mkdirSync(leavesDir);
    const leafFiles = pki.leaves.map((leaf, i) => {
      const file = join(leavesDir, `leaf-${String(i).padStart(5, "0")}.pem`);
      writeFileSync(file, toPem(leaf.der));
      return file;
    });
    writeFileSync(join(dir, "root.pem"), pki.root.pem);
    writeFileSync(join(dir, "ca.pem"), pki.ca.pem);
    writeFileSync(join(dir, "issuing.crl.pem"), toPem(pki.crl, "X509 CRL"));
    writeFileSync(join(dir, "root.crl.pem"), toPem(pki.rootCrl, "X509 CRL"));
    server.serve("/issuing.crl", pki.crl);
    server.serve("/root.crl", pki.rootCrl);
    const expectedRevoked = revokedLeaves.length;

    const cli = resolve(import.meta.dirname, "../../../bin/smimectl");
    const epoch = String(Math.floor(AT.getTime() / 1000));
    const runs: Measurement[] = [];

    log("smimectl validate (CRLs over HTTP) …");
    const ours = await measure("smimectl validate, CRLs fetched over HTTP", process.execPath, [
      cli,
      "validate",
      "--cert",
      leavesDir,
      "--trust",
      join(dir, "root.pem"),
      "--intermediates",
      join(dir, "ca.pem"),
      "--at",
      AT.toISOString(),
      "--allow-private-network",
      "--jsonl",
    ]);
    runs.push(ours);
    const reports = ours.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { signing: { ready: boolean; problems: { code: string }[] } });
    const revokedByUs = reports.filter((r) => r.signing.problems.some((p) => p.code === "REVOKED")).length;
    const readyByUs = reports.filter((r) => r.signing.ready).length;
    check(reports.length === LEAVES, `smimectl reported ${reports.length} of ${LEAVES} leaves`);
    check(
      revokedByUs === expectedRevoked,
      `smimectl found ${revokedByUs} revoked, expected ${expectedRevoked}`,
    );
    check(
      readyByUs === LEAVES - expectedRevoked,
      `smimectl: ${readyByUs} ready, expected ${LEAVES - expectedRevoked}`,
    );
    check(
      server.requests("/issuing.crl") === 1,
      `issuing CRL fetched ${server.requests("/issuing.crl")} times, expected once`,
    );

    const opensslBase = [
      "verify",
      "-attime",
      epoch,
      "-CAfile",
      join(dir, "root.pem"),
      "-untrusted",
      join(dir, "ca.pem"),
    ];
    log("openssl verify -crl_check_all …");
    const withCrl = await measure("openssl verify -crl_check_all (CRLs as files)", "openssl", [
      ...opensslBase,
      "-crl_check_all",
      "-CRLfile",
      join(dir, "issuing.crl.pem"),
      "-CRLfile",
      join(dir, "root.crl.pem"),
      ...leafFiles,
    ]);
    runs.push(withCrl);
    const okWithCrl = (withCrl.stdout.match(/: OK$/gm) ?? []).length;
    check(
      okWithCrl === LEAVES - expectedRevoked,
      `openssl -crl_check_all: ${okWithCrl} OK, expected ${LEAVES - expectedRevoked}`,
    );

    log("openssl verify (no revocation check) …");
    const noCrl = await measure("openssl verify, no revocation check", "openssl", [
      ...opensslBase,
      ...leafFiles,
    ]);
    runs.push(noCrl);
    const okNoCrl = (noCrl.stdout.match(/: OK$/gm) ?? []).length;
    check(okNoCrl === LEAVES, `openssl without CRLs: ${okNoCrl} OK, expected ${LEAVES}`);

    printTable(runs, ours);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function check(ok: boolean, message: string): void {
  if (!ok) {
    log(`bench: verdicts disagree: ${message}`);
    process.exitCode = 1;
  }
}

function printTable(runs: readonly Measurement[], ours: Measurement): void {
  const rows = runs.map((r) => {
    const ratio = r === ours ? "" : `${(r.seconds / ours.seconds).toFixed(1)}× smimectl's time`;
    return [r.label, `${r.seconds.toFixed(2)} s`, `${r.peakRssMiB.toFixed(0)} MiB`, ratio];
  });
  const header = ["run", "wall time", "peak RSS", "ratio"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(
    `\n${LEAVES.toLocaleString("en")} leaves, ${CRL_ENTRIES.toLocaleString("en")}-entry CRL, ${Math.ceil(LEAVES / REVOKED_EVERY)} revoked\n`,
  );
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log(`\nleaves per second (smimectl): ${Math.round(LEAVES / ours.seconds).toLocaleString("en")}`);
}

/** `BENCH_ONLY=validate|pipeline|graph` runs one part; unset, all. */
const PARTS = ["validate", "pipeline", "graph"] as const;
const only = process.env.BENCH_ONLY;
if (only !== undefined && !(PARTS as readonly string[]).includes(only)) {
  log(`bench: BENCH_ONLY must be one of ${PARTS.join(", ")}, not "${only}"`);
  process.exit(2);
}
const runs = (part: (typeof PARTS)[number]) => only === undefined || only === part;
if (runs("validate")) await main();
if (runs("pipeline")) await runPipelineBench();
if (runs("graph")) await runGraphBench();
