import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  DEFAULT_EXPIRY_THRESHOLDS_DAYS,
  ExpiryThresholdsDays,
  largestThreshold,
  parseThresholds,
  sortThresholds,
} from "../../../shared/domain/thresholds.ts";

describe("parseThresholds", () => {
  const good: readonly { name: string; text: string; expected: readonly number[] }[] = [
    { name: "the default", text: "30,14,7,1", expected: [30, 14, 7, 1] },
    { name: "ascending input comes out largest first", text: "1,7,14,30", expected: [30, 14, 7, 1] },
    { name: "spaces around entries", text: " 7 , 30 ", expected: [30, 7] },
    { name: "repeats collapse", text: "7,30,7,30", expected: [30, 7] },
    { name: "a single threshold", text: "5", expected: [5] },
    { name: "leading zeros", text: "07", expected: [7] },
    { name: "the largest allowed", text: "3650,1", expected: [3650, 1] },
  ];
  it.each(good)("$name: $text", ({ text, expected }) => {
    expect(parseThresholds(text)).toEqual(expected);
  });

  const bad: readonly { name: string; text: string; names: readonly string[] }[] = [
    { name: "empty", text: "", names: ["at least one threshold"] },
    { name: "blank", text: "  ", names: ["at least one threshold"] },
    { name: "a unit", text: "30,7d", names: ['"7d" is not a whole number'] },
    { name: "zero", text: "0", names: ['"0" is not positive'] },
    { name: "negative", text: "30,-3", names: ['"-3" is not a whole number'] },
    { name: "a fraction", text: "1.5", names: ['"1.5" is not a whole number'] },
    { name: "an empty entry", text: "30,,7", names: ["an empty entry"] },
    { name: "a trailing comma", text: "30,7,", names: ["an empty entry"] },
    { name: "too large", text: "3651", names: ['"3651" is more than 3650 days'] },
    { name: "semicolons", text: "30;7", names: ['"30;7" is not a whole number'] },
    { name: "every bad value is named", text: "30,x,0", names: ['"x" is not', '"0" is not positive'] },
  ];
  it.each(bad)("$name: $text is refused, naming the setting and the value", ({ text, names }) => {
    let message = "";
    try {
      parseThresholds(text);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^EXPIRY_THRESHOLDS_DAYS: /);
    for (const name of names) expect(message).toContain(name);
  });

  it("names another setting when asked", () => {
    expect(() => parseThresholds("x", "MY_DAYS")).toThrow(/^MY_DAYS: "x"/);
  });
});

describe("ExpiryThresholdsDays schema", () => {
  it("reports each bad value as its own issue at the setting's path", () => {
    const result = z.object({ EXPIRY_THRESHOLDS_DAYS: ExpiryThresholdsDays }).safeParse({
      EXPIRY_THRESHOLDS_DAYS: "x,0,7",
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["EXPIRY_THRESHOLDS_DAYS", '"x" is not a whole number of days'],
      ["EXPIRY_THRESHOLDS_DAYS", '"0" is not positive: a threshold is at least 1 day'],
    ]);
  });

  it("refuses a non-string", () => {
    expect(ExpiryThresholdsDays.safeParse(30).success).toBe(false);
  });
});

describe("threshold helpers", () => {
  it.each([
    { name: "default", days: DEFAULT_EXPIRY_THRESHOLDS_DAYS, largest: 30 },
    { name: "unordered", days: [7, 90, 14], largest: 90 },
    { name: "none", days: [], largest: 0 },
  ])("largestThreshold of $name is $largest", ({ days, largest }) => {
    expect(largestThreshold(days)).toBe(largest);
  });

  it("sortThresholds: unique, largest first, input untouched", () => {
    const input = [1, 30, 7, 30];
    expect(sortThresholds(input)).toEqual([30, 7, 1]);
    expect(input).toEqual([1, 30, 7, 30]);
  });

  it("the default matches the documented setting", () => {
    expect(DEFAULT_EXPIRY_THRESHOLDS_DAYS).toEqual(parseThresholds("30,14,7,1"));
    expect(Object.isFrozen(DEFAULT_EXPIRY_THRESHOLDS_DAYS)).toBe(true);
  });
});
