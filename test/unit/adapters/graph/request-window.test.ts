import { describe, expect, it } from "vitest";
import { RequestWindow } from "../../../../shared/adapters/graph/request-window.ts";

describe("RequestWindow", () => {
  it.each([
    { name: "room left", starts: [0, 0], now: 10, delay: 0 },
    { name: "full: wait for the oldest to leave", starts: [0, 100, 200], now: 300, delay: 700 },
    { name: "the oldest has just left", starts: [0, 100, 200], now: 1000, delay: 0 },
    { name: "all long gone", starts: [0, 1, 2], now: 50_000, delay: 0 },
  ])("limit 3 per 1000 ms, $name → $delay ms", ({ starts, now, delay }) => {
    const window = new RequestWindow(3, 1000);
    for (const t of starts) window.record(t);
    expect(window.delayAt(now)).toBe(delay);
  });

  it.each([0, -2, 0.5])("refuses a limit of %s", (limit) => {
    expect(() => new RequestWindow(limit, 1000)).toThrow(RangeError);
  });
});
