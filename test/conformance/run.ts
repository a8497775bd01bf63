/**
 * `npm run conformance`: NIST PKITS and x509-limbo against the engine, a summary per PKITS section and
 * limbo family on stdout, reports/conformance.json, and a non-zero exit below the floor (report.ts).
 *
 *   node dist/test/conformance/run.js [--data DIR] [--out FILE] [--suite pkits|limbo] [--timeout MS]
 *
 * DIR defaults to ../shared/conformance (beside the checkout). Progress goes to stderr.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { judgeLimboCase, loadLimbo } from "./limbo.ts";
import { LIMBO_SKIPS } from "./limbo-skips.ts";
import type { CaseOutcome, CaseResult, Suite } from "./outcome.ts";
import { judgePkitsCase, loadPkits, pkitsKey } from "./pkits.ts";
import { checkFloor, formatReport, jsonReport } from "./report.ts";
import { supervise } from "./supervisor.ts";
import { TOLERATED } from "./tolerated.ts";
import type { WorkerTask } from "./worker.ts";

/** The command line, checked: a bad flag is exit 2, like any unreadable input. */
function readArgs() {
  const { values } = parseArgs({
    options: {
      data: { type: "string", default: resolve(process.cwd(), "../shared/conformance") },
      out: { type: "string", default: "reports/conformance.json" },
      suite: { type: "string" },
      timeout: { type: "string", default: "5000" },
    },
  });
  const timeoutMs = Number(values.timeout);
  if (!(timeoutMs > 0)) throw new Error(`--timeout wants milliseconds, got ${values.timeout}`);
  if (values.suite !== undefined && values.suite !== "pkits" && values.suite !== "limbo") {
    throw new Error(`--suite wants pkits or limbo, got ${values.suite}`);
  }
  return { data: values.data, out: values.out, suite: values.suite, timeoutMs };
}

type Args = ReturnType<typeof readArgs>;

// The worker is the compiled sibling of this file (dist/test/conformance/worker.js).
const workerUrl = new URL(import.meta.url.endsWith(".ts") ? "./worker.ts" : "./worker.js", import.meta.url);

function progress(suite: Suite, count: number): (index: number, outcome: CaseOutcome) => void {
  let done = 0;
  return (_index, outcome) => {
    done++;
    if (outcome.engineFailure?.startsWith("timed out"))
      process.stderr.write(`\n${suite}: a case ${outcome.engineFailure}\n`);
    if (done % 25 === 0 || done === count)
      process.stderr.write(`${suite} ${done}/${count}${done === count ? "\n" : " "}`);
  };
}

function runSuite(args: Args, suite: Suite, path: string, count: number, now: Date): Promise<CaseOutcome[]> {
  return supervise({
    count,
    caseTimeoutMs: args.timeoutMs,
    startupTimeoutMs: 30_000,
    spawn: (from) => {
      const task: WorkerTask = { suite, path, now: now.toISOString(), from };
      return new Worker(workerUrl, { workerData: task, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    },
    onCase: progress(suite, count),
  });
}

/** Entries of the data lists that no longer do anything: kept visible so the lists stay reviewed. */
function listHygiene(results: readonly CaseResult[]): string[] {
  const byKey = new Map(results.map((r) => [r.suite === "pkits" ? pkitsKey(r.id) : r.id, r]));
  const notes: string[] = [];
  for (const key of Object.keys(TOLERATED)) {
    const r = byKey.get(key);
    if (!r) notes.push(`tolerated.ts: ${key} is not a case of this run`);
    else if (r.answer === "accepted")
      notes.push(`tolerated.ts: ${key} awaits the engine's warning (no problem yet)`);
    else if (r.verdict !== "tolerated") notes.push(`tolerated.ts: ${key} is unused (answered ${r.answer})`);
  }
  for (const key of Object.keys(LIMBO_SKIPS)) {
    if (!byKey.has(key)) notes.push(`limbo-skips.ts: ${key} is not a case of this run`);
  }
  return notes;
}

async function main(): Promise<number> {
  const args = readArgs();
  const started = performance.now();
  // limbo reads a null validation_time as "now", as upstream harnesses do (see limbo.ts for why it is safe).
  const now = new Date();
  const results: CaseResult[] = [];
  if (args.suite === undefined || args.suite === "pkits") {
    const dir = join(args.data, "pkits");
    const suite = loadPkits(dir);
    const outcomes = await runSuite(args, "pkits", dir, suite.file.cases.length, now);
    results.push(...suite.file.cases.map((c, i) => judgePkitsCase(c, outcomes[i] as CaseOutcome)));
  }
  if (args.suite === undefined || args.suite === "limbo") {
    const file = join(args.data, "limbo", "limbo.json");
    const cases = loadLimbo(file);
    const outcomes = await runSuite(args, "limbo", file, cases.length, now);
    results.push(...cases.map((c, i) => judgeLimboCase(c, outcomes[i] as CaseOutcome)));
  }
  const floor = checkFloor(results);
  const hygiene = listHygiene(results);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${formatReport(results, floor)}\n`);
  for (const h of hygiene) process.stdout.write(`  list: ${h}\n`);
  mkdirSync(dirname(args.out), { recursive: true });
  const meta = {
    generatedAt: now.toISOString(),
    dataDir: args.data,
    caseTimeoutMs: args.timeoutMs,
    seconds,
    lists: hygiene,
  };
  writeFileSync(args.out, `${JSON.stringify(jsonReport(results, floor, meta), null, 2)}\n`);
  process.stdout.write(`Report: ${args.out} (${seconds.toFixed(1)} s)\n`);
  return floor.ok ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (e) {
  // Unreadable data (wrong --data, a schema change upstream): say which, and fail distinctly from a miss.
  process.stderr.write(`conformance: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
