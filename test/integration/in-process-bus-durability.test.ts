/**
 * The in-process bus keeps what it acknowledged through `kill -9`: a worker process publishes and consumes
 * (some handlers failing, some hanging with the lock held) and is SIGKILLed mid-run, twice; then the journal
 * is reopened here and drained. Every acknowledged message must have been delivered at least once, delivery
 * counts must never go back, scheduled messages must fire, cancelled ones never.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createInProcessBus } from "../../shared/adapters/in-process-bus/bus.ts";

const WORKER = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "bus-worker.ts");

interface WorkerLog {
  readonly acked: Set<string>;
  readonly scheduled: Set<string>;
  readonly cancelled: Set<string>;
  /** Delivery counts seen per message id, in order. */
  readonly handled: Map<string, number[]>;
}

const newLog = (): WorkerLog => ({
  acked: new Set(),
  scheduled: new Set(),
  cancelled: new Set(),
  handled: new Map(),
});

function record(log: WorkerLog, line: string): void {
  const [kind, id, count] = line.split(" ");
  if (!id) return;
  if (kind === "ACK") log.acked.add(id);
  else if (kind === "SCHEDULED") log.scheduled.add(id);
  else if (kind === "CANCELLED") log.cancelled.add(id);
  else if (kind === "HANDLED") log.handled.set(id, [...(log.handled.get(id) ?? []), Number(count)]);
}

/** Runs one worker until it has acknowledged `acks` messages and handled `handled`, then kill -9s it. */
function runAndKill(
  dataDir: string,
  round: number,
  log: WorkerLog,
  acks: number,
  handled: number,
): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      "--experimental-transform-types",
      "--disable-warning=ExperimentalWarning",
      WORKER,
      dataDir,
      String(round),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const ackedBefore = log.acked.size;
  let handledHere = 0;
  let stderr = "";
  let pending = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        record(log, line);
        if (line.startsWith("HANDLED")) handledHere++;
      }
      if (log.acked.size - ackedBefore >= acks && handledHere >= handled && !child.killed)
        child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(stderr);
      else reject(new Error(`worker exited on its own (code ${code}): ${stderr}`));
    });
  });
}

describe("in-process bus durability across kill -9", () => {
  let dataDir: string;
  const log = newLog();
  /** Delivery counts seen after the final restart, per message id. */
  const afterRestart = new Map<string, number[]>();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bus-durability-"));
    await runAndKill(dataDir, 1, log, 400, 150);
    await runAndKill(dataDir, 2, log, 400, 150);
    // Reopen an hour later: the ten-minute schedules are due, and nothing holds a lock any more.
    const inAnHour = Date.now() + 3_600_000;
    const bus = createInProcessBus({ dataDir, clock: { now: () => new Date(inAnHour) }, pollIntervalMs: 5 });
    bus.subscribe(
      "certificateEvents",
      async (m) => {
        afterRestart.set(m.messageId, [...(afterRestart.get(m.messageId) ?? []), m.deliveryCount]);
      },
      { concurrency: 8 },
    );
    await vi.waitFor(
      async () =>
        expect(await bus.depth("certificateEvents")).toEqual({ active: 0, scheduled: 0, deadLetter: 0 }),
      { timeout: 30_000, interval: 20 },
    );
    await bus.close();
  }, 120_000);

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("ran long enough to have acknowledged, scheduled, cancelled and abandoned work in flight", () => {
    expect(log.acked.size).toBeGreaterThanOrEqual(800);
    expect(log.scheduled.size).toBeGreaterThan(0);
    expect(log.cancelled.size).toBeGreaterThan(0);
    expect([...log.handled.values()].some((counts) => counts.length > 1)).toBe(true);
  });

  it("delivers every acknowledged message at least once", () => {
    const lost = [...log.acked].filter((id) => !log.handled.has(id) && !afterRestart.has(id));
    expect(lost).toEqual([]);
  });

  it("fires every acknowledged scheduled message after the restart, and no cancelled one ever", () => {
    expect([...log.scheduled].filter((id) => !afterRestart.has(id))).toEqual([]);
    expect([...log.cancelled].filter((id) => log.handled.has(id) || afterRestart.has(id))).toEqual([]);
  });

  it("keeps delivery counts: they only grow across restarts", () => {
    const reset = [...new Set([...log.handled.keys(), ...afterRestart.keys()])].filter((id) => {
      const counts = [...(log.handled.get(id) ?? []), ...(afterRestart.get(id) ?? [])];
      return counts.some((c, i) => i > 0 && c <= counts[i - 1]!);
    });
    expect(reset).toEqual([]);
  });

  it("redelivers a message whose lock died with the process, counting the lost delivery", () => {
    const hungInWorker = [...log.handled].filter(
      ([id, counts]) => counts.length === 1 && afterRestart.has(id),
    );
    expect(hungInWorker.length).toBeGreaterThan(0);
    for (const [id] of hungInWorker) expect(afterRestart.get(id)![0]).toBe(2);
  });
});
