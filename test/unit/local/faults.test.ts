import { describe, expect, it } from "vitest";
import { RetryableError } from "../../../shared/errors.ts";
import { InjectedFault, withFaults } from "../../../shared/local/faults.ts";

/** Plays back the given draws, in order. */
const draws =
  (...values: number[]) =>
  () => {
    const v = values.shift();
    if (v === undefined) throw new Error("no draw left");
    return v;
  };

describe("withFaults", () => {
  const cases: ReadonlyArray<{
    name: string;
    rate: number;
    draws: number[];
    ran: boolean;
    fault?: "before" | "after";
  }> = [
    { name: "draw above the rate: the handler runs and succeeds", rate: 0.1, draws: [0.5], ran: true },
    {
      name: "draw under the rate, side draw low: fails before",
      rate: 0.1,
      draws: [0.05, 0.2],
      ran: false,
      fault: "before",
    },
    {
      name: "draw under the rate, side draw high: fails after the work",
      rate: 0.1,
      draws: [0.05, 0.7],
      ran: true,
      fault: "after",
    },
    { name: "rate 1 always fails", rate: 1, draws: [0.99, 0.99], ran: true, fault: "after" },
  ];
  it.each(cases)("$name", async ({ rate, draws: values, ran, fault }) => {
    let calls = 0;
    const wrapped = withFaults(
      async (x: number) => {
        calls++;
        return x * 2;
      },
      { rate, random: draws(...values) },
    );
    const outcome = wrapped(21);
    if (fault) {
      await expect(outcome).rejects.toThrow(InjectedFault);
      await outcome.catch((e: unknown) => {
        expect(e).toBeInstanceOf(RetryableError);
        expect((e as InjectedFault).when).toBe(fault);
      });
    } else await expect(outcome).resolves.toBe(42);
    expect(calls).toBe(ran ? 1 : 0);
  });

  it("returns the handler itself at rate 0", () => {
    const handler = async () => 1;
    expect(withFaults(handler, { rate: 0 })).toBe(handler);
  });

  it("fails about the asked fraction over many calls", async () => {
    let seed = 42;
    // A fixed linear congruential sequence: the count below is exact, not a timing or chance assertion.
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const wrapped = withFaults(async () => undefined, { rate: 0.1, random });
    let failures = 0;
    for (let i = 0; i < 10_000; i++) await wrapped().catch(() => failures++);
    expect(failures).toBeGreaterThan(850);
    expect(failures).toBeLessThan(1150);
  });
});
