import { describe, expect, it } from "vitest";
import { Semaphore } from "../../../../shared/adapters/graph/semaphore.ts";

/** A task that runs until released, recording how many ran at once. */
function gate() {
  let running = 0;
  let peak = 0;
  const releases: (() => void)[] = [];
  const task = () => {
    running++;
    peak = Math.max(peak, running);
    return new Promise<void>((resolve) =>
      releases.push(() => {
        running--;
        resolve();
      }),
    );
  };
  return { task, releases, peak: () => peak, running: () => running };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("Semaphore", () => {
  it.each([1, 3, 8])("never runs more than %i at once, and runs them all", async (limit) => {
    const semaphore = new Semaphore(limit);
    const g = gate();
    const all = Promise.all(Array.from({ length: 20 }, () => semaphore.run(g.task)));
    for (let done = 0; done < 20; ) {
      await tick();
      expect(g.running()).toBeLessThanOrEqual(limit);
      const release = g.releases.shift();
      if (release) {
        release();
        done++;
      }
    }
    await all;
    expect(g.peak()).toBe(limit);
  });

  it("frees the slot when a task fails", async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await semaphore.run(async () => "next")).toBe("next");
  });

  it("serves waiters in arrival order", async () => {
    const semaphore = new Semaphore(1);
    const order: number[] = [];
    const g = gate();
    const first = semaphore.run(g.task);
    const rest = [1, 2, 3].map((n) => semaphore.run(async () => void order.push(n)));
    await tick();
    g.releases.shift()?.();
    await Promise.all([first, ...rest]);
    expect(order).toEqual([1, 2, 3]);
  });

  it.each([0, -1, 1.5])("refuses a limit of %s", (limit) => {
    expect(() => new Semaphore(limit)).toThrow(RangeError);
  });
});
