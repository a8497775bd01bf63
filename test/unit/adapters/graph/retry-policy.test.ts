import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  parseRetryAfter,
} from "../../../../shared/adapters/graph/retry-policy.ts";

const now = new Date("2026-11-28T12:00:00Z");

describe("parseRetryAfter", () => {
  it.each([
    { name: "seconds", value: "7", ms: 7000 },
    { name: "zero seconds", value: "0", ms: 0 },
    { name: "seconds with spaces", value: " 12 ", ms: 12_000 },
    { name: "an HTTP date 30 s ahead", value: "Sat, 28 Nov 2026 12:00:30 GMT", ms: 30_000 },
    { name: "an HTTP date in the past", value: "Sat, 28 Nov 2026 11:59:00 GMT", ms: 0 },
    { name: "absent", value: null, ms: undefined },
    { name: "empty", value: "", ms: undefined },
    { name: "unreadable", value: "soon", ms: undefined },
    { name: "negative seconds", value: "-5", ms: undefined },
  ])("$name → $ms", ({ value, ms }) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});

describe("backoffDelay (full jitter)", () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 500, maxDelayMs: 3000 };
  it.each([
    { attempt: 1, random: 0.5, ms: 250 },
    { attempt: 2, random: 0.5, ms: 500 },
    { attempt: 3, random: 0.5, ms: 1000 },
    { attempt: 3, random: 0, ms: 0 },
    { attempt: 3, random: 0.999, ms: 1998 },
    { name: "capped", attempt: 10, random: 0.5, ms: 1500 },
  ])("attempt $attempt, random $random → $ms ms", ({ attempt, random, ms }) => {
    expect(backoffDelay(policy, attempt, random)).toBe(ms);
  });
});

describe("isRetryableStatus", () => {
  it.each([
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [410, false],
  ])("%i → %s", (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});
