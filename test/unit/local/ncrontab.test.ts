import { describe, expect, it } from "vitest";
import { nextOccurrence, parseSchedule, ScheduleError } from "../../../shared/local/ncrontab.ts";

describe("nextOccurrence", () => {
  const cases: ReadonlyArray<{ name: string; schedule: string; after: string; next: string | undefined }> = [
    {
      name: "hourly, mid-hour",
      schedule: "0 0 * * * *",
      after: "2026-06-01T10:15:00Z",
      next: "2026-06-01T11:00:00.000Z",
    },
    {
      name: "hourly, exactly on the hour is not 'after'",
      schedule: "0 0 * * * *",
      after: "2026-06-01T11:00:00Z",
      next: "2026-06-01T12:00:00.000Z",
    },
    {
      name: "hourly, fractions of a second",
      schedule: "0 0 * * * *",
      after: "2026-06-01T10:59:59.999Z",
      next: "2026-06-01T11:00:00.000Z",
    },
    {
      name: "daily at 06:00, before",
      schedule: "0 0 6 * * *",
      after: "2026-06-01T05:59:59Z",
      next: "2026-06-01T06:00:00.000Z",
    },
    {
      name: "daily at 06:00, after: next day",
      schedule: "0 0 6 * * *",
      after: "2026-06-01T06:00:00Z",
      next: "2026-06-02T06:00:00.000Z",
    },
    {
      name: "daily, across the year end",
      schedule: "0 30 2 * * *",
      after: "2026-12-31T03:00:00Z",
      next: "2027-01-01T02:30:00.000Z",
    },
    {
      name: "every 5 minutes",
      schedule: "0 */5 * * * *",
      after: "2026-06-01T10:07:30Z",
      next: "2026-06-01T10:10:00.000Z",
    },
    {
      name: "every 15 seconds",
      schedule: "*/15 * * * * *",
      after: "2026-06-01T10:07:46Z",
      next: "2026-06-01T10:08:00.000Z",
    },
    {
      name: "list of hours",
      schedule: "0 0 9,17 * * *",
      after: "2026-06-01T09:00:00Z",
      next: "2026-06-01T17:00:00.000Z",
    },
    {
      name: "range with step",
      schedule: "0 0 8-18/5 * * *",
      after: "2026-06-01T13:00:00Z",
      next: "2026-06-01T18:00:00.000Z",
    },
    {
      name: "weekdays by name (2026-06-06 is a Saturday)",
      schedule: "0 0 7 * * Mon-Fri",
      after: "2026-06-05T08:00:00Z",
      next: "2026-06-08T07:00:00.000Z",
    },
    {
      name: "Sunday as 7",
      schedule: "0 0 0 * * 7",
      after: "2026-06-01T00:00:00Z",
      next: "2026-06-07T00:00:00.000Z",
    },
    {
      name: "first of the month",
      schedule: "0 0 0 1 * *",
      after: "2026-06-01T00:00:00Z",
      next: "2026-07-01T00:00:00.000Z",
    },
    {
      name: "month by name",
      schedule: "0 0 0 1 Mar *",
      after: "2026-06-01T00:00:00Z",
      next: "2027-03-01T00:00:00.000Z",
    },
    {
      name: "29 February: next leap year",
      schedule: "0 0 12 29 2 *",
      after: "2026-06-01T00:00:00Z",
      next: "2028-02-29T12:00:00.000Z",
    },
    {
      name: "day and weekday both must match (Friday 13th)",
      schedule: "0 0 0 13 * Fri",
      after: "2026-01-01T00:00:00Z",
      next: "2026-02-13T00:00:00.000Z",
    },
    {
      name: "31 June never happens",
      schedule: "0 0 0 31 6 *",
      after: "2026-01-01T00:00:00Z",
      next: undefined,
    },
  ];
  it.each(cases)("$name", ({ schedule, after, next }) => {
    expect(nextOccurrence(parseSchedule(schedule), new Date(after))?.toISOString()).toBe(next);
  });
});

describe("parseSchedule refuses malformed expressions", () => {
  const cases: ReadonlyArray<{ name: string; schedule: string; message: RegExp }> = [
    { name: "five fields (classic cron)", schedule: "0 * * * *", message: /expected 6 fields/ },
    { name: "seconds out of range", schedule: "60 * * * * *", message: /second 60 is outside 0-59/ },
    { name: "hour out of range", schedule: "0 0 24 * * *", message: /hour 24/ },
    { name: "day zero", schedule: "0 0 0 0 * *", message: /day 0/ },
    { name: "unknown month name", schedule: "0 0 0 1 Foo *", message: /month "Foo"/ },
    { name: "zero step", schedule: "*/0 * * * * *", message: /step "0"/ },
    { name: "backwards range", schedule: "0 0 5-2 * * *", message: /runs backwards/ },
    { name: "empty list item", schedule: "0 0 1,,2 * * *", message: /malformed/ },
    { name: "double step", schedule: "0 */2/3 * * * *", message: /malformed/ },
  ];
  it.each(cases)("$name", ({ schedule, message }) => {
    expect(() => parseSchedule(schedule)).toThrow(ScheduleError);
    expect(() => parseSchedule(schedule)).toThrow(message);
  });
});
