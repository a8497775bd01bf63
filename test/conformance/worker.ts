/**
 * The case worker (see supervisor.ts): loads one suite and the engine, runs cases from `from` to the
 * end in order, and posts each outcome as plain data.
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { z } from "zod";
import { sharedPkiEngine } from "./engine-binding.ts";
import { describeError } from "./engine-call.ts";
import { loadLimbo, runLimboCase } from "./limbo.ts";
import type { CaseOutcome } from "./outcome.ts";
import { loadPkits, runPkitsCase } from "./pkits.ts";
import type { WorkerMessage } from "./supervisor.ts";

/** What a case worker is started with. */
export const WorkerTaskSchema = z.object({
  suite: z.enum(["pkits", "limbo"]),
  /** PKITS: the pkits folder; limbo: the limbo.json file. */
  path: z.string(),
  /** ISO time used for limbo cases without a validation time. */
  now: z.iso.datetime(),
  from: z.number().int().nonnegative(),
});

export type WorkerTask = z.infer<typeof WorkerTaskSchema>;

function cases(task: WorkerTask): Array<() => Promise<CaseOutcome>> {
  if (task.suite === "pkits") {
    const suite = loadPkits(task.path);
    return suite.file.cases.map((c) => () => runPkitsCase(sharedPkiEngine, suite, c));
  }
  const now = new Date(task.now);
  return loadLimbo(task.path).map((c) => () => runLimboCase(sharedPkiEngine, c, now));
}

async function main(port: NonNullable<typeof parentPort>): Promise<void> {
  const post = (m: WorkerMessage) => port.postMessage(m);
  let runners: Array<() => Promise<CaseOutcome>>;
  let task: WorkerTask;
  try {
    task = WorkerTaskSchema.parse(workerData);
    runners = cases(task);
  } catch (e) {
    post({ type: "fatal", message: `cannot load the suite: ${describeError(e)}` });
    return;
  }
  post({ type: "ready" });
  for (let index = task.from; index < runners.length; index++) {
    const run = runners[index];
    if (run) post({ type: "outcome", index, outcome: await run() });
  }
  post({ type: "done" });
}

if (!isMainThread && parentPort) void main(parentPort);
