/**
 * Timer triggers in the local host: each timer function runs once at start (so `npm start` shows the
 * pipeline working at once instead of at 06:00), then on its NCRONTAB schedule, like the Functions host.
 * A run still going when the next is due is not overlapped: the next run is planned after it finishes,
 * as the Functions host's singleton lock would do.
 *
 * The runs at start go one after another, in the registry's order: on a fresh data directory the users
 * sync must have stored the directory's users before the Intune sync attributes certificates to them
 * (else a certificate would be filed under a user id derived from its UPN, to be merged later), and the
 * policy audit refreshes the readiness of users that exist. Each job's schedule starts once its first run ends.
 */
import type { Timer } from "@azure/functions";
import type { Requirement } from "../../functions/registry.ts";
import type { Clock } from "../ports.ts";
import { nextOccurrence, parseSchedule, type Schedule } from "./ncrontab.ts";

export interface TimerJob {
  readonly name: string;
  /** Six-field NCRONTAB, UTC. */
  readonly schedule: string;
  /** What it needs to do anything (the registry's word); the host leaves out what it cannot serve. */
  readonly requires?: readonly Requirement[];
  run(timer: Timer): Promise<void>;
}

export interface TimerOptions {
  readonly clock: Clock;
  /** Told about a run that threw; the schedule goes on. */
  readonly onError: (job: string, error: unknown) => void;
  /** Run each job once when started (default true). */
  readonly runAtStart?: boolean;
}

export interface RunningTimers {
  /**
   * Runs a job now, as the Functions host's `POST admin/functions/{name}` does: false for no such job; a job
   * already running is not run twice (the call joins that run). Its next scheduled run is planned after it.
   */
  runNow(name: string): Promise<void> | false;
  /** Cancels what is planned and waits for runs in progress. */
  stop(): Promise<void>;
}

/** setTimeout takes at most 2^31-1 ms; a farther occurrence is reached in hops. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Validates every schedule first (a bad one is a startup error), then starts them. */
export function startTimers(jobs: readonly TimerJob[], options: TimerOptions): RunningTimers {
  const planned = jobs.map((job) => ({ job, schedule: parseSchedule(job.schedule) }));
  const timeouts = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  const runningJob = new Map<string, Promise<void>>();
  let stopped = false;
  const lastRun = new Map<string, Date>();

  const timerFor = (job: TimerJob, schedule: Schedule, now: Date, atOnce: boolean): Timer => ({
    // The run at start stands in for the occurrences missed while the host was down, so it is past due,
    // as the Functions host says of a catch-up run: a function then skips its jitter and starts at once.
    // So does a run asked for by hand: whoever asks wants it now, not after a jitter meant for schedules.
    isPastDue: atOnce,
    schedule: { adjustForDST: false },
    scheduleStatus: {
      last: (lastRun.get(job.name) ?? now).toISOString(),
      next: (nextOccurrence(schedule, now) ?? now).toISOString(),
      lastUpdated: now.toISOString(),
    },
  });

  const fire = (job: TimerJob, schedule: Schedule, atOnce = false): Promise<void> => {
    if (stopped) return Promise.resolve();
    const joined = runningJob.get(job.name);
    if (joined) return joined;
    clearTimeout(timeouts.get(job.name));
    timeouts.delete(job.name);
    const now = options.clock.now();
    const run = job
      .run(timerFor(job, schedule, now, atOnce))
      .catch((e: unknown) => options.onError(job.name, e))
      .finally(() => {
        lastRun.set(job.name, now);
        running.delete(run);
        runningJob.delete(job.name);
        plan(job, schedule);
      });
    running.add(run);
    runningJob.set(job.name, run);
    return run;
  };

  const plan = (job: TimerJob, schedule: Schedule) => {
    if (stopped) return;
    const now = options.clock.now();
    const next = nextOccurrence(schedule, now);
    if (!next) return;
    const delay = next.getTime() - now.getTime();
    clearTimeout(timeouts.get(job.name));
    const timeout = setTimeout(
      () => {
        timeouts.delete(job.name);
        if (delay > MAX_DELAY_MS) plan(job, schedule);
        else fire(job, schedule);
      },
      Math.min(delay, MAX_DELAY_MS),
    );
    timeouts.set(job.name, timeout);
  };

  if (options.runAtStart ?? true) {
    const startup = (async () => {
      for (const { job, schedule } of planned) await fire(job, schedule, true);
    })();
    running.add(startup);
    void startup.finally(() => running.delete(startup));
  } else for (const { job, schedule } of planned) plan(job, schedule);

  return {
    runNow(name) {
      const found = planned.find((p) => p.job.name === name);
      return found ? fire(found.job, found.schedule, true) : false;
    },
    async stop() {
      stopped = true;
      for (const t of timeouts.values()) clearTimeout(t);
      timeouts.clear();
      await Promise.all([...running]);
    },
  };
}
