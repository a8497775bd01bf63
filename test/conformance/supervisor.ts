/**
 * Runs a suite's cases in a worker thread and bounds each case in time. A timer in the same thread
 * cannot stop a synchronous loop (a pathological chain or a name-constraints explosion in the engine),
 * so the cases run in a worker that the supervisor terminates when one case runs past its bound; that
 * case is recorded as an engine failure and a fresh worker carries on from the next case. A worker that
 * dies (stack overflow, memory limit) is handled the same way.
 */
import type { Worker } from "node:worker_threads";
import type { CaseOutcome } from "./outcome.ts";

/** Messages a case worker posts. */
export type WorkerMessage =
  | { readonly type: "ready" }
  | { readonly type: "outcome"; readonly index: number; readonly outcome: CaseOutcome }
  | { readonly type: "done" }
  | { readonly type: "fatal"; readonly message: string };

export interface SupervisorOptions {
  /** Number of cases in the suite. */
  readonly count: number;
  /** Starts a worker that runs cases `from`, `from + 1`, … and posts WorkerMessages. */
  readonly spawn: (from: number) => Worker;
  /** Per-case time bound. */
  readonly caseTimeoutMs: number;
  /** Time a worker may take to load the suite and the engine before its first case. */
  readonly startupTimeoutMs: number;
  /** Called after each case. */
  readonly onCase?: (index: number, outcome: CaseOutcome) => void;
}

const failed = (engineFailure: string, durationMs: number): CaseOutcome => ({
  problems: [],
  notes: [],
  durationMs,
  engineFailure,
});

/** Runs every case; resolves with one outcome per index. Never rejects. */
export function supervise(options: SupervisorOptions): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  return new Promise((resolve) => {
    const record = (index: number, outcome: CaseOutcome) => {
      outcomes[index] = outcome;
      options.onCase?.(index, outcome);
    };
    const start = (from: number) => {
      if (from >= options.count) return resolve(outcomes);
      const worker = options.spawn(from);
      let next = from;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const arm = (ms: number, why: () => string) => {
        clearTimeout(timer);
        timer = setTimeout(() => abandon(why()), ms);
      };
      const abandon = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void worker.terminate();
        if (next < options.count) record(next, failed(why, options.caseTimeoutMs));
        start(next + 1);
      };
      const finish = () => {
        settled = true;
        clearTimeout(timer);
        void worker.terminate();
      };
      arm(options.startupTimeoutMs, () => `worker did not start within ${options.startupTimeoutMs} ms`);
      worker.on("message", (m: WorkerMessage) => {
        if (settled) return;
        if (m.type === "ready")
          arm(options.caseTimeoutMs, () => `timed out after ${options.caseTimeoutMs} ms`);
        if (m.type === "outcome") {
          record(m.index, m.outcome);
          next = m.index + 1;
          arm(options.caseTimeoutMs, () => `timed out after ${options.caseTimeoutMs} ms`);
        }
        if (m.type === "done") {
          finish();
          resolve(outcomes);
        }
        if (m.type === "fatal") {
          // Loading failed: every remaining case would fail the same way, so record them all at once.
          finish();
          for (let i = next; i < options.count; i++) record(i, failed(m.message, 0));
          resolve(outcomes);
        }
      });
      worker.on("error", (e) => abandon(`worker died: ${e.message}`));
      worker.on("exit", (code) => abandon(`worker exited with code ${code}`));
    };
    start(0);
  });
}
