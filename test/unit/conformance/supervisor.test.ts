import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { supervise } from "../../conformance/supervisor.ts";

// A stand-in case worker: posts an outcome per case, but loops forever on `hangAt`, exits on `dieAt`,
// and reports a load failure when `fatal` is set.
const FAKE_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { from, count, hangAt, dieAt, fatal } = workerData;
if (fatal) { parentPort.postMessage({ type: "fatal", message: "cannot load" }); }
else {
  parentPort.postMessage({ type: "ready" });
  for (let index = from; index < count; index++) {
    if (index === hangAt) for (;;) {}
    if (index === dieAt) process.exit(3);
    parentPort.postMessage({ type: "outcome", index, outcome: { problems: [], notes: ["ran " + index], durationMs: 0 } });
  }
  parentPort.postMessage({ type: "done" });
}`;

function run(count: number, behaviour: { hangAt?: number; dieAt?: number; fatal?: boolean }) {
  const spawns: number[] = [];
  return supervise({
    count,
    caseTimeoutMs: 1_000,
    startupTimeoutMs: 5_000,
    spawn: (from) => {
      spawns.push(from);
      // Only the first worker misbehaves, like an engine that hangs on one case.
      const first = spawns.length === 1;
      return new Worker(FAKE_WORKER, {
        eval: true,
        workerData: { from, count, ...(first ? behaviour : {}) },
      });
    },
  }).then((outcomes) => ({ outcomes, spawns }));
}

describe("supervise", () => {
  it("runs every case in one worker when nothing goes wrong", async () => {
    const { outcomes, spawns } = await run(4, {});
    expect(outcomes.map((o) => o.notes[0])).toEqual(["ran 0", "ran 1", "ran 2", "ran 3"]);
    expect(spawns).toEqual([0]);
  });

  it("records a case that never returns as timed out and carries on in a fresh worker", async () => {
    const { outcomes, spawns } = await run(4, { hangAt: 1 });
    expect(outcomes[1]?.engineFailure).toMatch(/timed out/);
    expect(outcomes.map((o) => o.notes[0])).toEqual(["ran 0", undefined, "ran 2", "ran 3"]);
    expect(spawns).toEqual([0, 2]);
  });

  it("records a case whose worker dies and carries on", async () => {
    const { outcomes, spawns } = await run(3, { dieAt: 0 });
    expect(outcomes[0]?.engineFailure).toMatch(/exited with code 3/);
    expect(outcomes[2]?.notes).toEqual(["ran 2"]);
    expect(spawns).toEqual([0, 1]);
  });

  it("fails every case with the load error when the suite cannot load", async () => {
    const { outcomes, spawns } = await run(3, { fatal: true });
    expect(outcomes.map((o) => o.engineFailure)).toEqual(["cannot load", "cannot load", "cannot load"]);
    expect(spawns).toEqual([0]);
  });
});
