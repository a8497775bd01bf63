/**
 * Expiry thresholds (`EXPIRY_THRESHOLDS_DAYS`, DESIGN.md "Settings"): the days before `notAfter` at which a
 * certificate's owner is told it is about to expire. Parsed once, at start, by shared/config.ts with the
 * schema below; every domain function takes the parsed list.
 */
import { z } from "zod";

/** The default: a month, two weeks, a week and the last day. Largest first. */
export const DEFAULT_EXPIRY_THRESHOLDS_DAYS: readonly number[] = Object.freeze([30, 14, 7, 1]);

/** Ten years: a larger threshold is a typo (hours or a date pasted in), not a wish. */
export const MAX_THRESHOLD_DAYS = 3650;

function parseDay(text: string): number | string {
  const value = text.trim();
  if (value === "") return "an empty entry (two commas in a row, or a trailing comma)";
  if (!/^\d+$/.test(value)) return `"${value}" is not a whole number of days`;
  const days = Number(value);
  if (days < 1) return `"${value}" is not positive: a threshold is at least 1 day`;
  if (days > MAX_THRESHOLD_DAYS) return `"${value}" is more than ${MAX_THRESHOLD_DAYS} days`;
  return days;
}

/**
 * `"30,14,7,1"` → `[30, 14, 7, 1]`: positive whole days, unique, **largest first** (the order the setting is
 * written in). Spaces around entries are allowed. Every bad entry is its own issue naming the value.
 */
export const ExpiryThresholdsDays = z.string().transform((text, ctx): readonly number[] => {
  if (text.trim() === "") {
    ctx.addIssue({ code: "custom", message: "expected at least one threshold, e.g. 30,14,7,1" });
    return z.NEVER;
  }
  const days: number[] = [];
  for (const part of text.split(",")) {
    const parsed = parseDay(part);
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
    else days.push(parsed);
  }
  return sortThresholds(days);
});

/** Unique, largest first. */
export function sortThresholds(days: readonly number[]): readonly number[] {
  return [...new Set(days)].sort((a, b) => b - a);
}

/**
 * Parses a threshold list.
 * @throws Error naming every bad value, e.g. `EXPIRY_THRESHOLDS_DAYS: "7d" is not a whole number of days; …`
 */
export function parseThresholds(text: string, setting = "EXPIRY_THRESHOLDS_DAYS"): readonly number[] {
  const parsed = ExpiryThresholdsDays.safeParse(text);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => i.message).join("; ");
  throw new Error(`${setting}: ${issues}; expected whole days separated by commas, e.g. 30,14,7,1`);
}

/** The widest threshold: how far ahead a certificate counts as expiring. 0 when there are none. */
export function largestThreshold(thresholds: readonly number[]): number {
  return thresholds.reduce((max, d) => Math.max(max, d), 0);
}
