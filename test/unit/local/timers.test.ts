import type { Timer } from "@azure/functions";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startTimers } from "../../../shared/local/timers.ts";

const START = new Date("2026-06-01T10:15:00Z");
const clock = { now: () => new Date(Date.now()) };

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
});
afterEach(() => vi.useRealTimers());

function recorder() {
  const runs: { at: string; timer: Timer }[] = [];
  return {
    runs,
    run: async (timer: Timer) => void runs.push({ at: new Date(Date.now()).toISOString(), timer }),
  };
}

describe("startTimers", () => {
  it("runs each job once at start, then on its schedule", async () => {
    const hourly = recorder();
    const timers = startTimers([{ name: "checkCrls", schedule: "0 0 * * * *", run: hourly.run }], {
      clock,
      onError: () => undefined,
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(hourly.runs.map((r) => r.at)).toEqual(["2026-06-01T10:15:00.000Z"]);
    expect(hourly.runs[0]?.timer.scheduleStatus.next).toBe("2026-06-01T11:00:00.000Z");
    await vi.advanceTimersByTimeAsync(2 * 3_600_000);
    expect(hourly.runs.map((r) => r.at)).toEqual([
      "2026-06-01T10:15:00.000Z",
      "2026-06-01T11:00:00.000Z",
      "2026-06-01T12:00:00.000Z",
    ]);
    await timers.stop();
  });

  it("keeps the schedule after a run throws, and reports the error", async () => {
    const errors: string[] = [];
    let calls = 0;
    const timers = startTimers(
      [
        {
          name: "scanExpiry",
          schedule: "0 0 * * * *",
          run: async () => {
            if (calls++ === 0) throw new Error("boom");
          },
        },
      ],
      { clock, onError: (job, e) => errors.push(`${job}: ${(e as Error).message}`) },
    );
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(errors).toEqual(["scanExpiry: boom"]);
    expect(calls).toBe(2);
    await timers.stop();
  });

  it("plans nothing more after stop, and waits for the run in progress", async () => {
    let release: () => void = () => undefined;
    let finished = false;
    let calls = 0;
    const timers = startTimers(
      [
        {
          name: "slow",
          schedule: "*/10 * * * * *",
          run: () => {
            calls++;
            return new Promise<void>((r) => {
              release = () => {
                finished = true;
                r();
              };
            });
          },
        },
      ],
      { clock, onError: () => undefined },
    );
    await vi.advanceTimersByTimeAsync(0);
    const stopping = timers.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(1);
  });

  it("refuses a bad schedule before running anything", () => {
    let calls = 0;
    expect(() =>
      startTimers([{ name: "bad", schedule: "0 * * * *", run: async () => void calls++ }], {
        clock,
        onError: () => undefined,
      }),
    ).toThrow(/expected 6 fields/);
    expect(calls).toBe(0);
  });

  it("runs a job by hand at once (past due, no jitter), joins a run in progress, keeps one schedule", async () => {
    const hourly = recorder();
    let release: () => void = () => undefined;
    let slow = false;
    const job = {
      name: "syncIntune",
      schedule: "0 0 * * * *",
      run: async (timer: Timer) => {
        await hourly.run(timer);
        if (slow) await new Promise<void>((r) => (release = r));
      },
    };
    const timers = startTimers([job], { clock, onError: () => undefined });
    await vi.advanceTimersByTimeAsync(0);
    expect(timers.runNow("noSuchFunction")).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    await timers.runNow("syncIntune");
    expect(hourly.runs.map((r) => [r.at, r.timer.isPastDue])).toEqual([
      ["2026-06-01T10:15:00.000Z", true],
      ["2026-06-01T10:16:00.000Z", true],
    ]);
    slow = true;
    const first = timers.runNow("syncIntune");
    const second = timers.runNow("syncIntune");
    await vi.advanceTimersByTimeAsync(0);
    expect(hourly.runs).toHaveLength(3);
    release();
    await Promise.all([first, second]);
    // The schedule goes on once, not once per run by hand.
    slow = false;
    await vi.advanceTimersByTimeAsync(2 * 3_600_000);
    expect(hourly.runs.slice(3).map((r) => [r.at, r.timer.isPastDue])).toEqual([
      ["2026-06-01T11:00:00.000Z", false],
      ["2026-06-01T12:00:00.000Z", false],
    ]);
    await timers.stop();
  });
});
