/**
 * `expiryTimeline` (shared/domain/expiry.ts): the dashboard's weekly counts over the next 90 days.
 */
import { describe, expect, it } from "vitest";
import type { CertificateRecord } from "../../../shared/contracts/rows.ts";
import { expiryTimeline } from "../../../shared/domain/expiry.ts";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const DAY = 86_400_000;
const inDays = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();
type Rec = Pick<CertificateRecord, "notAfter" | "state">;
const cert = (days: number | undefined, state: Rec["state"] = "valid"): Rec => ({
  state,
  ...(days !== undefined && { notAfter: inDays(days) }),
});

describe("expiryTimeline", () => {
  it("spans 90 days in 13 weeks, the last one cut at day 90", () => {
    const weeks = expiryTimeline([], NOW);
    expect(weeks).toHaveLength(13);
    expect(weeks[0]).toEqual({ from: NOW.toISOString(), to: inDays(7), count: 0 });
    expect(weeks[12]).toEqual({ from: inDays(84), to: inDays(90), count: 0 });
  });

  it.each([
    ["an hour from now: week 1", [cert(1 / 24)], 0],
    ["exactly 7 days: still week 1 (to is inclusive)", [cert(7)], 0],
    ["7 days and a minute: week 2", [cert(7 + 1 / 1440)], 1],
    ["exactly 90 days: the last week", [cert(90)], 12],
  ])("%s", (_name, records, week) => {
    const counts = expiryTimeline(records, NOW).map((w) => w.count);
    expect(counts.indexOf(1)).toBe(week);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it.each([
    ["expired", cert(-1)],
    ["beyond 90 days", cert(91)],
    ["undated", cert(undefined)],
    ["revoked", cert(10, "revoked")],
    ["removed", cert(10, "removed")],
  ])("leaves out a certificate %s", (_name, record) => {
    expect(expiryTimeline([record], NOW).every((w) => w.count === 0)).toBe(true);
  });
});
