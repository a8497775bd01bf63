/**
 * `npm run bench`, second part: events per second through the local pipeline, validation included, and the
 * host's peak memory.
 *
 * Starts `smimectl serve` (no fault injection) on a fresh data directory, mints N certificates of the
 * end-to-end test's mix (valid, expiring soon, expired, revoked on the demo CA's CRL, wrong EKU) for N × 0.3
 * users, and measures two ways in:
 *   - over HTTP: N concurrent `POST /api/certificates`, timed from the first request to the last event the
 *     pipeline recorded (once the status shows certificate-events empty and nothing awaiting validation);
 *   - straight onto the bus: the same N `certificate.discovered` events put on certificate-events through the
 *     bus API before the host starts, timed from the first to the last event the pipeline recorded — what the
 *     queue side costs without the HTTP side.
 * Events per second = audit ledger lines recorded in the run ÷ that wall time. Peak memory is VmHWM of the
 * host process (and, apart, of its Azurite) read at the end. Every certificate's final state is checked
 * against the minted truth, so a fast wrong answer cannot pass for a fast right one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInProcessBus } from "../../shared/adapters/in-process-bus/bus.ts";
import { createEvent } from "../../shared/contracts/events.ts";
import { userIdForUpn } from "../../shared/usecases/register-certificate.ts";
import { apiClient } from "../e2e/api-client.ts";
import { prepareDataDir } from "../e2e/first-start.ts";
import { type HostProcess, startHost, tail } from "../e2e/host-process.ts";
import {
  readStoredState,
  registerConcurrently,
  type StoredState,
  waitUntilProcessed,
} from "../e2e/pipeline-driver.ts";
import { KINDS, registrationBody, type Workload } from "../e2e/workload.ts";

const CERTIFICATES = Number(process.env.BENCH_PIPELINE_CERTIFICATES ?? 10_000);
const USERS = Math.max(1, Math.round(CERTIFICATES * 0.3));
const CONCURRENCY = 64;
/** The status reads the whole inventory: polled often, it would slow the run it measures. */
const POLL_MS = 1_000;
const LAUNCHER = resolve(import.meta.dirname, "../../../bin/smimectl");

const log = (s: string) => process.stderr.write(`${s}\n`);

interface PipelineMeasurement {
  readonly label: string;
  readonly events: number;
  readonly certificates: number;
  readonly seconds: number;
  readonly hostPeakMiB: number;
  readonly azuritePeakMiB: number;
}

type Way = "http" | "bus";

/** Runs the pipeline benchmark both ways and prints its table; sets exitCode 1 when a verdict is wrong. */
export async function runPipelineBench(): Promise<void> {
  log(
    `\npipeline: ${CERTIFICATES.toLocaleString("en")} certificates for ${USERS.toLocaleString("en")} users`,
  );
  const runs: PipelineMeasurement[] = [];
  for (const way of ["http", "bus"] as const) runs.push(await measureWay(way));
  printTable(runs);
}

async function measureWay(way: Way): Promise<PipelineMeasurement> {
  const root = mkdtempSync(join(tmpdir(), `smime-bench-pipeline-${way}-`));
  const dataDir = join(root, "data");
  try {
    const { port, workload, token } = await prepareDataDir({
      dataDir,
      certificates: CERTIFICATES,
      users: USERS,
      admin: "bench@contoso.test",
    });
    if (way === "bus") await enqueueDiscoveries(join(dataDir, "bus"), workload, new Date());

    log(way === "http" ? "  over HTTP …" : "  straight onto the bus …");
    const started = performance.now();
    const host = await startHost({ launcher: LAUNCHER, port, dataDir, logFile: join(root, "host.log") });
    let measured: { firstRequestAt?: number; hostKiB: number; childrenKiB: number };
    try {
      measured = await drive(way, host, apiClient(host.url, token), workload, started);
    } catch (error) {
      await host.kill9();
      throw new Error(`${(error as Error).message}\n--- host log (tail) ---\n${tail(host.logFile)}`);
    }
    const exit = await host.stop();
    if (exit.code !== 0) check(false, `the host exited ${exit.code ?? exit.signal} on SIGTERM`);
    const stored = await readStoredState(dataDir);
    checkStates(stored, workload, way);
    const seconds = ledgerSpanSeconds(stored, measured.firstRequestAt);
    return {
      label: way === "http" ? "registered over HTTP, then processed" : "put on the bus, then processed",
      events: stored.ledger.length,
      certificates: stored.certificates.length,
      seconds,
      hostPeakMiB: measured.hostKiB / 1024,
      azuritePeakMiB: measured.childrenKiB / 1024,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Registers (over HTTP) or just waits (bus), until everything is processed; reads peak memory before the stop. */
async function drive(
  way: Way,
  host: HostProcess,
  api: ReturnType<typeof apiClient>,
  workload: Workload,
  started: number,
): Promise<{ firstRequestAt?: number; hostKiB: number; childrenKiB: number }> {
  let firstRequestAt: number | undefined;
  if (way === "http") {
    firstRequestAt = Date.now();
    const first = performance.now();
    const results = await registerConcurrently(api, workload.certificates.map(registrationBody), {
      concurrency: CONCURRENCY,
    }).done;
    const refused = results.filter((r) => r.status !== 202).length;
    check(refused === 0, `${refused} registrations were not accepted`);
    log(`    registered in ${((performance.now() - first) / 1000).toFixed(1)} s; processing …`);
    await waitUntilProcessed(api, { certificates: CERTIFICATES, timeoutMs: 30 * 60_000, pollMs: POLL_MS });
  } else {
    await waitUntilProcessed(api, { certificates: CERTIFICATES, timeoutMs: 30 * 60_000, pollMs: POLL_MS });
    log(`    processed ${((performance.now() - started) / 1000).toFixed(1)} s after the host was started`);
  }
  const memory = host.peakMemory();
  return {
    ...(firstRequestAt !== undefined && { firstRequestAt }),
    hostKiB: memory.hostKiB ?? Number.NaN,
    childrenKiB: memory.childrenKiB,
  };
}

/** The workload's `certificate.discovered` events, as a registration would publish them, put on the queue. */
async function enqueueDiscoveries(busDir: string, workload: Workload, now: Date): Promise<void> {
  const events = workload.certificates.map((c) =>
    createEvent(
      "certificate.discovered",
      {
        userId: userIdForUpn(c.userPrincipalName),
        thumbprint: c.leaf.thumbprint,
        userPrincipalName: c.userPrincipalName,
        source: "manual",
        purpose: "both",
        certificate: Buffer.from(c.leaf.der).toString("base64"),
        smtp: c.userPrincipalName,
      },
      { source: "/smime-lifecycle/bench", time: now },
    ),
  );
  const bus = createInProcessBus({ dataDir: busDir });
  try {
    for (let i = 0; i < events.length; i += 500)
      await bus.publishMany("certificateEvents", events.slice(i, i + 500));
  } finally {
    await bus.close();
  }
}

/**
 * Wall time to the last line the pipeline recorded (the last event processed), from the first registration
 * request, or (events put on the bus) from the first line recorded. The host stamps lines with the same
 * machine clock the first request was timed by.
 */
function ledgerSpanSeconds(stored: StoredState, firstRequestAt: number | undefined): number {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const line of stored.ledger) {
    const at = Date.parse(line.recordedAt);
    first = Math.min(first, at);
    last = Math.max(last, at);
  }
  return (last - (firstRequestAt ?? first)) / 1000;
}

function checkStates(stored: StoredState, workload: Workload, way: Way): void {
  const wrong = stored.certificates.filter((r) => {
    const planned = workload.byThumbprint.get(r.thumbprint);
    return !planned || KINDS[planned.kind].state !== r.state;
  });
  check(
    stored.certificates.length === CERTIFICATES,
    `${way}: ${stored.certificates.length} certificates stored, expected ${CERTIFICATES}`,
  );
  check(wrong.length === 0, `${way}: ${wrong.length} certificates ended in the wrong state`);
}

function check(ok: boolean, message: string): void {
  if (!ok) {
    log(`bench: pipeline disagrees: ${message}`);
    process.exitCode = 1;
  }
}

function printTable(runs: readonly PipelineMeasurement[]): void {
  const rows = runs.map((r) => [
    r.label,
    r.events.toLocaleString("en"),
    `${r.seconds.toFixed(2)} s`,
    Math.round(r.events / r.seconds).toLocaleString("en"),
    Math.round(r.certificates / r.seconds).toLocaleString("en"),
    `${r.hostPeakMiB.toFixed(0)} MiB`,
    `${r.azuritePeakMiB.toFixed(0)} MiB`,
  ]);
  const header = [
    "pipeline run",
    "events",
    "wall time",
    "events/s",
    "certificates/s",
    "host peak RSS",
    "Azurite peak RSS",
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(
    `\nlocal pipeline: ${CERTIFICATES.toLocaleString("en")} certificates, ${USERS.toLocaleString("en")} users, validation included, no injected faults\n`,
  );
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log(
    "\nevents: audit ledger lines the run recorded (over HTTP the certificate.discovered events included; on the bus they were put there directly)",
  );
}
