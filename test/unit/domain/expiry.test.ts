import { describe, expect, it } from "vitest";
import {
  daysLeft,
  dueThresholds,
  expiryBuckets,
  isWithinDays,
  thresholdToAnnounce,
} from "../../../shared/domain/expiry.ts";
import { certificate, HOUR, inDays, iso, NOW } from "./records.ts";

const DEFAULT = [30, 14, 7, 1];

describe("daysLeft (whole days, rounded down)", () => {
  it.each([
    { name: "ten days", notAfter: inDays(10), expected: 10 },
    { name: "a second short of seven days", notAfter: inDays(7, -1000), expected: 6 },
    { name: "an hour", notAfter: inDays(0, HOUR), expected: 0 },
    { name: "exactly now", notAfter: NOW, expected: 0 },
    { name: "an hour ago", notAfter: inDays(0, -HOUR), expected: -1 },
    { name: "exactly a day ago", notAfter: inDays(-1), expected: -1 },
    { name: "a day and a millisecond ago", notAfter: inDays(-1, -1), expected: -2 },
  ])("$name → $expected", ({ notAfter, expected }) => {
    expect(daysLeft(notAfter, NOW)).toBe(expected);
  });
});

describe("isWithinDays", () => {
  it.each([
    { name: "exactly 7 days left is within 7", notAfter: inDays(7), days: 7, expected: true },
    { name: "7 days and a second is not", notAfter: inDays(7, 1000), days: 7, expected: false },
    { name: "a minute left is within 1", notAfter: inDays(0, 60_000), days: 1, expected: true },
    { name: "notAfter this very second is still valid", notAfter: NOW, days: 1, expected: true },
    {
      name: "a second past notAfter is expired, not within",
      notAfter: inDays(0, -1000),
      days: 1,
      expected: false,
    },
  ])("$name", ({ notAfter, days, expected }) => {
    // The engine floors the validation time to its second and treats notAfter as inclusive; so does the domain.
    const now = new Date(NOW.getTime() + 400);
    expect(isWithinDays(notAfter, now, days)).toBe(expected);
  });

  it("the whole notAfter second counts as valid, the next millisecond does not", () => {
    expect(isWithinDays(NOW, new Date(NOW.getTime() + 999), 1)).toBe(true);
    expect(isWithinDays(NOW, new Date(NOW.getTime() + 1000), 1)).toBe(false);
  });
});

describe("dueThresholds", () => {
  const cases: readonly {
    name: string;
    notAfter: Date;
    announced: readonly number[];
    thresholds?: readonly number[];
    crossed: readonly number[];
    announce: number | undefined;
  }[] = [
    { name: "far away: nothing", notAfter: inDays(60), announced: [], crossed: [], announce: undefined },
    {
      name: "exactly 30 days: the 30-day notice",
      notAfter: inDays(30),
      announced: [],
      crossed: [30],
      announce: 30,
    },
    { name: "30 is announced once", notAfter: inDays(20), announced: [30], crossed: [], announce: undefined },
    { name: "next threshold", notAfter: inDays(13), announced: [30], crossed: [14], announce: 14 },
    {
      name: "several crossed at once (pipeline was down): only the smallest is announced, all recorded",
      notAfter: inDays(5),
      announced: [],
      crossed: [30, 14, 7],
      announce: 7,
    },
    {
      name: "crossed after two were announced",
      notAfter: inDays(5),
      announced: [30, 14],
      crossed: [7],
      announce: 7,
    },
    {
      name: "a threshold added later is recorded but never announced after a smaller one",
      notAfter: inDays(5),
      thresholds: [60, 30, 14, 7, 1],
      announced: [30, 14, 7],
      crossed: [60],
      announce: undefined,
    },
    {
      name: "the last day",
      notAfter: inDays(0, 12 * HOUR),
      announced: [30, 14, 7],
      crossed: [1],
      announce: 1,
    },
    {
      name: "all announced",
      notAfter: inDays(0, HOUR),
      announced: [30, 14, 7, 1],
      crossed: [],
      announce: undefined,
    },
    {
      name: "expired: the expired notice takes over",
      notAfter: inDays(-1),
      announced: [],
      crossed: [],
      announce: undefined,
    },
    {
      name: "thresholds in any order, with repeats",
      notAfter: inDays(10),
      thresholds: [7, 30, 14, 30],
      announced: [],
      crossed: [30, 14],
      announce: 14,
    },
    {
      name: "no thresholds configured",
      notAfter: inDays(1),
      thresholds: [],
      announced: [],
      crossed: [],
      announce: undefined,
    },
  ];
  it.each(cases)("$name", ({ notAfter, announced, thresholds, crossed, announce }) => {
    expect(dueThresholds({ notAfter, now: NOW, thresholds: thresholds ?? DEFAULT, announced })).toEqual({
      crossed,
      announce,
    });
  });

  it("a daily scan announces each threshold exactly once over a certificate's last 40 days", () => {
    const notAfter = inDays(40);
    let announced: number[] = [];
    const notices: number[] = [];
    for (let day = 0; day <= 41; day += 1) {
      const due = dueThresholds({ notAfter, now: inDays(day), thresholds: DEFAULT, announced });
      announced = [...announced, ...due.crossed];
      if (due.announce !== undefined) notices.push(due.announce);
      // Replaying the same scan (a retried timer) finds nothing new.
      expect(dueThresholds({ notAfter, now: inDays(day), thresholds: DEFAULT, announced }).crossed).toEqual(
        [],
      );
    }
    expect(notices).toEqual([30, 14, 7, 1]);
    expect([...announced].sort((a, b) => b - a)).toEqual(DEFAULT);
  });
});

describe("thresholdToAnnounce", () => {
  it.each([
    { name: "nothing new", crossed: [], announced: [], expected: undefined },
    { name: "the smallest of the new ones", crossed: [30, 7, 14], announced: [], expected: 7 },
    { name: "smaller than everything announced", crossed: [7], announced: [30, 14], expected: 7 },
    { name: "a smaller one was announced already", crossed: [14], announced: [7], expected: undefined },
  ])("$name", ({ crossed, announced, expected }) => {
    expect(thresholdToAnnounce(crossed, announced)).toBe(expected);
  });
});

describe("expiryBuckets", () => {
  it("puts each certificate in exactly one bucket, skipping removed and revoked ones", () => {
    const at = (
      days: number,
      ms = 0,
      state: "valid" | "expired" | "removed" | "revoked" | "invalid" = "valid",
    ) => certificate({ notAfter: iso(inDays(days, ms)), state });
    const records = [
      at(-10, 0, "expired"),
      at(-0.5), // past notAfter, not rescanned yet: expired all the same
      at(0, HOUR),
      at(1), // exactly a day: within a day
      at(1, 1000),
      at(7),
      at(7, 1000),
      at(14, 0, "invalid"), // an invalid certificate still expires
      at(20),
      at(30),
      at(30, 1000),
      at(90),
      at(90, 1000),
      at(400),
      at(5, 0, "removed"),
      at(5, 0, "revoked"),
      certificate({ notAfter: undefined, state: "discovered" }),
    ];
    expect(expiryBuckets(records, NOW)).toEqual({
      expired: 2,
      within1Day: 2,
      within7Days: 2,
      within14Days: 2,
      within30Days: 2,
      within90Days: 2,
      later: 2,
      unknown: 1,
    });
  });

  it("counts nothing in an empty inventory", () => {
    expect(Object.values(expiryBuckets([], NOW)).every((n) => n === 0)).toBe(true);
  });
});
