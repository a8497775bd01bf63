/**
 * `npm run bench`, Graph part (issue 4, "Done when"): two measurements, every figure read from the run.
 *
 * Webhook: `smimectl serve --demo` on a fresh data directory (it syncs the demo tenant's users first), then a
 * burst of change notifications on its users posted to `POST /api/graph/notifications` with the data
 * directory's clientState, a fixed number in flight at once over kept-alive connections, one notification per
 * request as Graph sends them under load. A share of them are Graph's retries (the same notification again).
 * Printed: p50/p99/max latency, the 202 count, and how many `user.refreshRequested` lines the audit ledger
 * holds for the burst once the processor has taken them — one per distinct notification when duplicates make
 * one event.
 *
 * Intune sync: the demo tenant's generator serves a large tenant from the bench's own process, as Graph
 * serves from elsewhere (default 100,000 device certificate states, 1,000 per page, 5% of requests answered
 * 429 with Retry-After), and `syncIntune` runs against it in a child process, so that its peak RSS is the
 * sync's own, through the real gateway, with Table storage on Azurite and the in-process bus. Printed: wall
 * time, states and certificates read, events published and distinct, the sync's peak RSS; then the pipeline
 * takes the events into the inventory (in the same process, its own peak) and a second sync runs, which
 * should publish nothing, and the worker's peak over all three.
 *
 * Knobs: BENCH_WEBHOOK_NOTIFICATIONS, BENCH_GRAPH_CERTIFICATES and BENCH_GRAPH_USERS size the runs;
 * BENCH_GRAPH_PART=webhook|sync runs one measurement; BENCH_NODE_FLAGS passes Node flags to the host and the
 * worker (`--cpu-prof --cpu-prof-dir=DIR`, `--heapsnapshot-near-heap-limit=1` …) to see where time and memory go.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { createInProcessBus } from "../../shared/adapters/in-process-bus/bus.ts";
import { createJsonLogger } from "../../shared/adapters/logger.ts";
import { parseSettings } from "../../shared/config.ts";
import type { CloudEventEnvelope } from "../../shared/contracts/cloud-event.ts";
import type { QueueKey } from "../../shared/contracts/queues.ts";
import { loadDemoIssuer } from "../../shared/http/demo-issuer.ts";
import { startAzurite } from "../../shared/local/azurite.ts";
import { startConsumers } from "../../shared/local/consumers.ts";
import { openDemoCa } from "../../shared/local/demo-ca.ts";
import { startDemoTenant } from "../../shared/local/demo-tenant/index.ts";
import { CLIENT_STATE_FILE } from "../../shared/local/graph-client-state.ts";
import { localFunctions } from "../../shared/local/local-functions.ts";
import type { EventBus } from "../../shared/ports.ts";
import { createLocalRuntime, installRuntime, uninstallRuntime } from "../../shared/runtime.ts";
import type { GraphDeps } from "../../shared/usecases/deps.ts";
import { type SyncIntuneResult, syncIntune } from "../../shared/usecases/sync-intune.ts";
import { freePort, sleep, tail } from "../e2e/host-process.ts";

const NOTIFICATIONS = Number(process.env.BENCH_WEBHOOK_NOTIFICATIONS ?? 1_000);
/** Every n-th request of the burst repeats an earlier notification (Graph's retry of a delivery). */
const REPEAT_EVERY = 5;
const WEBHOOK_CONCURRENCY = 50;
const STATES = Number(process.env.BENCH_GRAPH_CERTIFICATES ?? 100_000);
const USERS = Number(process.env.BENCH_GRAPH_USERS ?? Math.max(2, Math.round(STATES / 5)));
const PAGE_SIZE = 1_000;
const THROTTLE_RATE = 0.05;
const LAUNCHER = resolve(import.meta.dirname, "../../../bin/smimectl");
/** `BENCH_GRAPH_PART=webhook|sync` runs one of the two; unset, both. */
const GRAPH_PART = process.env.BENCH_GRAPH_PART;
/** Node flags for the host and the sync worker, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? "").split(/\s+/).filter(Boolean);
/**
 * The sync worker's V8 heap limit, as a Functions worker has a memory budget. The sync keeps little alive
 * (about 75 MB for 100,000 states: the listing folded into one entry per certificate), but on a machine with
 * gigabytes free V8 lets the garbage of 200 listing pages and 120,000 events pile up to 600 MB before a
 * full collection; with a limit it collects sooner, and the peak RSS shows what the sync needs. A sync that
 * needed more would fail here with "heap out of memory" rather than pass unnoticed.
 */
const WORKER_HEAP = ["--max-old-space-size=192"];
const WORKER_FLAG = "--graph-sync-worker";
/** The environment variables naming the generated tenant's URL, and where to write ids, to the sync worker. */
const TENANT_URL = "BENCH_GRAPH_TENANT_URL";
const IDS_DIR = "BENCH_GRAPH_IDS_DIR";

const log = (s: string) => process.stderr.write(`${s}\n`);

/** Runs both Graph measurements and prints their tables; sets exitCode 1 when a promise is broken. */
export async function runGraphBench(): Promise<void> {
  if (GRAPH_PART !== "sync") printWebhook(await measureWebhook());
  if (GRAPH_PART !== "webhook") printSync(await measureSyncInChild());
}

// ------------------------------------------------------------------------------------------------------
// Webhook burst
// ------------------------------------------------------------------------------------------------------

interface WebhookMeasurement {
  readonly sent: number;
  readonly distinct: number;
  readonly accepted: number;
  readonly latenciesMs: readonly number[];
  readonly ledgerLines: number;
  readonly ledgerDistinctKeys: number;
}

const StatusBody = z.object({
  lastRuns: z.object({ syncIntune: z.string().nullable() }),
  queues: z.record(z.string(), z.object({ active: z.number() }).partial()),
});
const UsersBody = z.object({ users: z.array(z.object({ userId: z.string() })) });
const EventsBody = z.object({
  events: z.array(z.object({ event: z.object({ id: z.string(), data: z.record(z.string(), z.unknown()) }) })),
});

async function measureWebhook(): Promise<WebhookMeasurement> {
  const root = mkdtempSync(join(tmpdir(), "smime-bench-webhook-"));
  const dataDir = join(root, "data");
  const logFile = join(root, "host.log");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  log(`\nwebhook: serve --demo on ${url}, ${NOTIFICATIONS.toLocaleString("en")} notifications …`);
  const host = spawnHost(port, dataDir, logFile);
  try {
    await waitFor(async () => (await fetch(`${url}/api/health`)).status === 200, "the host to be healthy");
    const token = await (await loadDemoIssuer(dataDir)).mint({
      role: "reader",
      userPrincipalName: "bench@contoso.test",
      now: new Date(),
    });
    const get = async <S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> => {
      const r = await fetch(`${url}/api/${path}`, { headers: { authorization: `Bearer ${token}` } });
      return schema.parse(await r.json());
    };
    // The burst goes to a settled host: the start-up syncs of the demo tenant done and their events processed.
    await waitFor(async () => {
      const status = await get("status", StatusBody);
      return status.lastRuns.syncIntune !== null && status.queues["certificate-events"]?.active === 0;
    }, "the demo tenant's start-up sync to settle");
    const userIds = (await get("users?limit=1000", UsersBody)).users.map((u) => u.userId);
    const clientState = readFileSync(join(dataDir, CLIENT_STATE_FILE), "utf8").trim();
    const burst = planBurst(userIds, clientState);
    const results = await postAll(url, burst.bodies);
    const keys = new Set(burst.keys);
    let lines: { event: { data: Record<string, unknown> } }[] = [];
    // The processor writes each refresh's ledger line when it takes the event (the 202 follows the queue alone).
    await waitFor(async () => {
      const events = await get("events?type=user.refreshRequested&limit=1000", EventsBody);
      lines = events.events.filter((l) => keys.has(String(l.event.data.notificationKey)));
      return lines.length >= keys.size;
    }, "the burst's ledger lines").catch(() => undefined);
    return {
      sent: burst.bodies.length,
      distinct: keys.size,
      accepted: results.filter((r) => r.status === 202).length,
      latenciesMs: results.map((r) => r.ms),
      ledgerLines: lines.length,
      ledgerDistinctKeys: new Set(lines.map((l) => String(l.event.data.notificationKey))).size,
    };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- host log (tail) ---\n${tail(logFile)}`);
  } finally {
    await stopHost(host);
    rmSync(root, { recursive: true, force: true });
  }
}

/** `smimectl serve --demo` as `npm start` runs it: no settings of the caller's leak in. */
function spawnHost(port: number, dataDir: string, logFile: string): ChildProcess {
  const out = openSync(logFile, "a");
  const env: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: "warn" };
  for (const name of Object.keys(env))
    if (/^(GRAPH_|LDAP_|TRUST_STORE_PATH$|LOCAL_DATA_DIR$)/.test(name)) delete env[name];
  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, LAUNCHER, "serve", "--demo", "--port", String(port), "--data", dataDir],
    { env, stdio: ["ignore", out, out] },
  );
  closeSync(out);
  return child;
}

async function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  await exited;
  clearTimeout(timer);
}

/** Distinct notifications over the users, then repeats of the first ones mixed in, in a fixed order. */
function planBurst(userIds: readonly string[], clientState: string) {
  const distinct = NOTIFICATIONS - Math.floor(NOTIFICATIONS / REPEAT_EVERY);
  const subscriptionId = randomUUID();
  const expires = new Date(Date.now() + 86_400_000).toISOString();
  const run = randomUUID().slice(0, 8);
  const notifications = Array.from({ length: distinct }, (_, i) => {
    const userId = userIds[i % userIds.length]!;
    return {
      id: `bench-${run}-${i}`,
      subscriptionId,
      subscriptionExpirationDateTime: expires,
      clientState,
      changeType: "updated",
      resource: `Users/${userId}`,
      resourceData: { "@odata.type": "#Microsoft.Graph.User", "@odata.id": `Users/${userId}`, id: userId },
      tenantId: "00000000-0000-4000-8000-00000000de70",
    };
  });
  const bodies = Array.from({ length: NOTIFICATIONS }, (_, i) => {
    const repeats = Math.floor(i / REPEAT_EVERY);
    // Request i repeats notification i/n, sent a few requests earlier; the others take the next new one.
    const n = i % REPEAT_EVERY === REPEAT_EVERY - 1 ? notifications[repeats] : notifications[i - repeats];
    return JSON.stringify({ value: [n] });
  });
  return { bodies, keys: notifications.map((n) => `id:${n.id}`) };
}

/**
 * The sender: node:http over WEBHOOK_CONCURRENCY kept-alive connections, opened (one GET /api/health each)
 * before the clock starts, as Graph's delivery keeps its connections open. The sender is the measuring
 * instrument and must not need the CPU the host is measured on: with `fetch` (undici) on two cores the
 * sending process's own queue showed up as the host's latency (p99 150-350 ms measured at the sender while
 * the host answered each request within 25 ms of reading it), and the first request on each new connection
 * paid for the sender's start-up.
 */
async function postAll(url: string, bodies: readonly string[]): Promise<{ status: number; ms: number }[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: WEBHOOK_CONCURRENCY });
  try {
    await Promise.all(Array.from({ length: WEBHOOK_CONCURRENCY }, () => send(agent, `${url}/api/health`)));
    const results: { status: number; ms: number }[] = new Array(bodies.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        const started = performance.now();
        const status = await send(agent, `${url}/api/graph/notifications`, bodies[i]!).catch(() => 0);
        results[i] = { status, ms: performance.now() - started };
      }
    };
    await Promise.all(Array.from({ length: WEBHOOK_CONCURRENCY }, worker));
    return results;
  } finally {
    agent.destroy();
  }
}

/** One request on `agent` (a POST of `json` when given, else a GET); resolves with the status once read. */
function send(agent: Agent, url: string, json?: string): Promise<number> {
  return new Promise((done, fail) => {
    const headers =
      json === undefined
        ? {}
        : { "content-type": "application/json", "content-length": Buffer.byteLength(json) };
    const req = request(url, { method: json === undefined ? "GET" : "POST", agent, headers }, (res) => {
      res.resume();
      res.once("end", () => done(res.statusCode ?? 0));
      res.once("error", fail);
    });
    req.once("error", fail);
    req.end(json);
  });
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function printWebhook(m: WebhookMeasurement): void {
  check(m.accepted === m.sent, `webhook: ${m.accepted} of ${m.sent} answered 202`);
  check(
    m.ledgerLines === m.distinct && m.ledgerDistinctKeys === m.distinct,
    `webhook: ${m.ledgerLines} ledger lines (${m.ledgerDistinctKeys} distinct) for ${m.distinct} distinct notifications`,
  );
  console.log(
    `\nwebhook burst: ${m.sent.toLocaleString("en")} POST /api/graph/notifications, ${WEBHOOK_CONCURRENCY} in flight, ${m.sent - m.distinct} of them repeats\n`,
  );
  table(
    ["answered 202", "p50", "p99", "max", "ledger lines (distinct notifications)"],
    [
      [
        `${m.accepted} of ${m.sent}`,
        `${percentile(m.latenciesMs, 50).toFixed(1)} ms`,
        `${percentile(m.latenciesMs, 99).toFixed(1)} ms`,
        `${Math.max(...m.latenciesMs).toFixed(1)} ms`,
        `${m.ledgerLines} (${m.distinct})`,
      ],
    ],
  );
}

// ------------------------------------------------------------------------------------------------------
// Intune sync of a generated tenant, in its own process
// ------------------------------------------------------------------------------------------------------

const SyncFigures = z.object({
  seconds: z.number(),
  states: z.number(),
  pfx: z.number(),
  certificates: z.number(),
  complete: z.boolean(),
  published: z.number(),
  /** Where the worker wrote the ids it published, one a line, for this process to count the distinct ones. */
  idsFile: z.string(),
  discovered: z.number(),
  /** What was resident when the sync began: a peak is this plus what the sync added. */
  startRssMiB: z.number(),
  /** The peak during this sync alone (when phases can be told apart, else the worker's so far). */
  peakRssMiB: z.number(),
});
const WorkerResult = z.object({
  first: SyncFigures,
  processSeconds: z.number(),
  processPeakRssMiB: z.number(),
  inventory: z.number(),
  second: SyncFigures,
  peakRssMiB: z.number(),
  phasePeaks: z.boolean(),
});
type SyncFigures = z.infer<typeof SyncFigures> & { readonly distinct: number };
type WorkerResult = Omit<z.infer<typeof WorkerResult>, "first" | "second"> & {
  readonly first: SyncFigures;
  readonly second: SyncFigures;
};

/** Distinct ids in a worker's ids file, counted here so the worker's memory holds no set of 120,000 ids. */
const withDistinct = (figures: z.infer<typeof SyncFigures>): SyncFigures => ({
  ...figures,
  distinct: new Set(readFileSync(figures.idsFile, "utf8").split("\n").filter(Boolean)).size,
});

async function measureSyncInChild(): Promise<WorkerResult> {
  log(
    `\nIntune sync: ${STATES.toLocaleString("en")} device certificate states of ${USERS.toLocaleString("en")} users, ${PAGE_SIZE} per page, ${THROTTLE_RATE * 100}% answered 429 …`,
  );
  // The tenant answers from this process, as Graph answers from elsewhere: the worker's RSS is the sync's own.
  const dir = mkdtempSync(join(tmpdir(), "smime-bench-tenant-"));
  const tenant = await startDemoTenant({
    dataDir: dir,
    seed: "bench",
    scale: { users: USERS, certificates: STATES },
    pageSize: PAGE_SIZE,
    maxPageSize: PAGE_SIZE,
    throttleRate: THROTTLE_RATE,
    retryAfterSeconds: 1,
  });
  try {
    const flags = [...WORKER_HEAP, ...NODE_FLAGS];
    const child = spawn(process.execPath, [...flags, fileURLToPath(import.meta.url), WORKER_FLAG], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, [TENANT_URL]: tenant.baseUrl, [IDS_DIR]: dir },
    });
    let out = "";
    child.stdout?.on("data", (b: Buffer) => (out += b.toString("utf8")));
    const code = await new Promise<number | null>((done) => child.once("exit", done));
    if (code !== 0) throw new Error(`the sync worker exited ${code}`);
    const result = WorkerResult.parse(JSON.parse(out.trim().split("\n").at(-1) ?? "{}"));
    return { ...result, first: withDistinct(result.first), second: withDistinct(result.second) };
  } finally {
    await tenant.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * An EventBus that counts what is published through it and writes the ids to a file per phase (`ids-N.txt`
 * in `dir`), then passes it on.
 */
function countingBus(inner: EventBus, dir: string) {
  let phase = 1;
  let published = 0;
  const idsFile = () => join(dir, `ids-${phase}.txt`);
  writeFileSync(idsFile(), "");
  const note = (events: readonly CloudEventEnvelope[]) => {
    published += events.length;
    appendFileSync(idsFile(), events.map((e) => `${e.id}\n`).join(""));
  };
  const bus: EventBus = {
    async publish(queue: QueueKey, event) {
      note([event]);
      await inner.publish(queue, event);
    },
    async publishMany(queue: QueueKey, events) {
      note(events);
      await inner.publishMany(queue, events);
    },
    schedule: (queue, event, at) => inner.schedule(queue, event, at),
    cancel: (queue, token) => inner.cancel(queue, token),
  };
  return {
    bus,
    /** This phase's count and ids file; the next phase starts. */
    take() {
      const figures = { published, idsFile: idsFile() };
      phase++;
      published = 0;
      writeFileSync(idsFile(), "");
      return figures;
    },
  };
}

const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

/**
 * Peaks per phase: Linux resets a process's peak RSS (VmHWM, which maxRSS reads) when "5" is written to
 * /proc/self/clear_refs, so the sync's figure is its own, not what the pipeline's processing left before it.
 * `phases` is false where that cannot be done: each figure is then the worker's peak so far.
 */
function rssPhases() {
  let worst = 0;
  const reset = () => {
    try {
      writeFileSync("/proc/self/clear_refs", "5");
      return true;
    } catch {
      return false;
    }
  };
  const phases = reset();
  return {
    phases,
    /** This phase's peak; the next phase starts here. */
    end() {
      const peak = peakRssMiB();
      worst = Math.max(worst, peak);
      if (phases) reset();
      return peak;
    },
    worst: () => worst,
  };
}

async function syncWorker(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "smime-bench-sync-"));
  const azurite = await startAzurite({ inMemory: true });
  const bus = createInProcessBus({ dataDir: join(dir, "bus") });
  const tenantUrl = z.url().parse(process.env[TENANT_URL]);
  try {
    const ca = await openDemoCa({ dir: join(dir, "demo-ca"), baseUrl: tenantUrl, now: new Date() });
    // Errors only: the generated tenant has certificates but no synced users or devices, so every expiry
    // notice the processing requests is refused (a warning each, thousands of them), as it should be.
    const logger = createJsonLogger({ level: "error", write: (line) => process.stderr.write(`${line}\n`) });
    const runtime = createLocalRuntime({
      tablesConnectionString: azurite.connectionString,
      bus,
      trustStorePath: ca.trustStorePath,
      localCrl: ca.crl,
      graphBaseUrl: tenantUrl,
      settings: parseSettings({ TABLE_PREFIX: "bench", LOG_LEVEL: "warn" }, dir),
      logger,
    });
    installRuntime(runtime);
    const counting = countingBus(bus, z.string().parse(process.env[IDS_DIR]));
    const deps = { ...(runtime.deps as typeof runtime.deps & GraphDeps), bus: counting.bus };
    const rss = rssPhases();
    const sync = async () => {
      const startRssMiB = process.memoryUsage.rss() / 2 ** 20;
      const started = performance.now();
      const result: SyncIntuneResult = await syncIntune(deps);
      const seconds = (performance.now() - started) / 1000;
      return {
        seconds,
        states: result.states,
        pfx: result.pfx,
        certificates: result.certificates,
        complete: result.complete,
        discovered: result.discovered,
        ...counting.take(),
        startRssMiB,
        peakRssMiB: rss.end(),
      };
    };
    const first = await sync();
    log(`  first sync: ${first.seconds.toFixed(1)} s; the pipeline takes the events into the inventory …`);
    const processStarted = performance.now();
    const consumers = startConsumers(localFunctions(runtime.deps, logger).queues, {
      bus,
      logger,
      faultRate: 0,
    });
    let reported = performance.now();
    await waitFor(
      async () => {
        const depth = await bus.depth("certificateEvents");
        if (performance.now() - reported > 60_000) {
          reported = performance.now();
          log(`    ${depth.active.toLocaleString("en")} events still queued …`);
        }
        return depth.active === 0 && depth.scheduled === 0;
      },
      "certificate-events to drain",
      60 * 60_000,
      500,
    );
    await consumers.stop();
    const processSeconds = (performance.now() - processStarted) / 1000;
    let inventory = 0;
    for await (const _ of runtime.deps.certificates.scan(["thumbprint"])) inventory++;
    const processPeakRssMiB = rss.end();
    const second = await sync();
    const figures = { first, processSeconds, processPeakRssMiB, inventory, second };
    process.stdout.write(
      `${JSON.stringify({ ...figures, peakRssMiB: rss.worst(), phasePeaks: rss.phases })}\n`,
    );
  } finally {
    uninstallRuntime();
    await bus.close();
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printSync(r: WorkerResult): void {
  const expected = r.first.states;
  check(r.first.complete, "sync: the first listing was not complete");
  check(r.first.states === STATES, `sync: ${r.first.states} states read, expected ${STATES}`);
  check(
    r.first.published === r.first.distinct,
    `sync: ${r.first.published - r.first.distinct} duplicate events`,
  );
  check(r.second.published === 0, `sync: the second sync published ${r.second.published} events`);
  console.log(
    `\nIntune sync: ${STATES.toLocaleString("en")} device certificate states (${Math.ceil(STATES / PAGE_SIZE)} pages) + PFX of ${USERS.toLocaleString("en")} users from the generator, ${THROTTLE_RATE * 100}% of requests answered 429 (Retry-After 1 s)\n`,
  );
  table(
    [
      "sync",
      "wall time",
      "states",
      "PFX",
      "certificates",
      "events (distinct)",
      r.phasePeaks ? "peak RSS" : "peak RSS so far",
    ],
    [r.first, r.second].map((s, i) => [
      i === 0 ? "first (empty inventory)" : "second (no change)",
      `${s.seconds.toFixed(2)} s`,
      s.states.toLocaleString("en"),
      s.pfx.toLocaleString("en"),
      s.certificates.toLocaleString("en"),
      `${s.published.toLocaleString("en")} (${s.distinct.toLocaleString("en")})`,
      `${s.peakRssMiB.toFixed(0)} MiB (${s.startRssMiB.toFixed(0)} at start)`,
    ]),
  );
  console.log(
    `\nthe pipeline took the first sync's events into the inventory in ${r.processSeconds.toFixed(1)} s (${Math.round(r.inventory / r.processSeconds).toLocaleString("en")} certificates/s): ${r.inventory.toLocaleString("en")} certificates (${expected.toLocaleString("en")} states read), peak RSS ${r.processPeakRssMiB.toFixed(0)} MiB; the worker's peak RSS over all: ${r.peakRssMiB.toFixed(0)} MiB`,
  );
}

// ------------------------------------------------------------------------------------------------------

async function waitFor(
  ok: () => Promise<boolean>,
  what: string,
  timeoutMs = 120_000,
  pollMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await ok()) return;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(pollMs);
  }
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

function check(ok: boolean, message: string): void {
  if (!ok) {
    log(`bench: graph disagrees: ${message}`);
    process.exitCode = 1;
  }
}

if (process.argv.includes(WORKER_FLAG)) await syncWorker();
