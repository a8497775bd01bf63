import { describe, expect, it } from "vitest";
import {
  canTransition,
  type LifecycleInput,
  type LifecycleStateName,
  type LifecycleVerdict,
  nextState,
  readyForPurpose,
  type TransitionReason,
  uniqueProblems,
  verdictOf,
} from "../../../shared/domain/lifecycle.ts";
import { inDays, NOW, notReady, problem, ready } from "./records.ts";

const READY: LifecycleVerdict = { signingReady: true, encryptionReady: true, problems: [] };
const verdict = (overrides: Partial<LifecycleVerdict>): LifecycleVerdict => ({ ...READY, ...overrides });
const NOT_READY = verdict({
  signingReady: false,
  encryptionReady: false,
  problems: [problem("CHAIN_UNTRUSTED")],
});

/** A ready "both" certificate a year from expiry, seen for the first time; each case overrides what it tests. */
const input = (overrides: Partial<LifecycleInput>): LifecycleInput => ({
  current: "discovered",
  verdict: READY,
  notAfter: inDays(365),
  purpose: "both",
  now: NOW,
  thresholds: [30, 14, 7, 1],
  ...overrides,
});

describe("nextState", () => {
  const cases: readonly {
    name: string;
    given: Partial<LifecycleInput>;
    state: LifecycleStateName;
    reason: TransitionReason;
  }[] = [
    { name: "discovered and ready → valid", given: {}, state: "valid", reason: "Ready" },
    {
      name: "discovered without a verdict stays discovered",
      given: { verdict: undefined },
      state: "discovered",
      reason: "AwaitingValidation",
    },
    {
      name: "discovered without a verdict but past notAfter → expired (a date is a fact)",
      given: { verdict: undefined, notAfter: inDays(-1) },
      state: "expired",
      reason: "Expired",
    },
    {
      name: "valid without a fresh verdict keeps its state",
      given: { current: "valid", verdict: undefined },
      state: "valid",
      reason: "AwaitingValidation",
    },
    {
      name: "discovered and not ready → invalid",
      given: { verdict: NOT_READY },
      state: "invalid",
      reason: "NotReady",
    },
    {
      name: "discovered ready within the largest threshold → expiring",
      given: { notAfter: inDays(20) },
      state: "expiring",
      reason: "Expiring",
    },
    {
      name: "valid, exactly the largest threshold away → expiring",
      given: { current: "valid", notAfter: inDays(30) },
      state: "expiring",
      reason: "Expiring",
    },
    {
      name: "valid, a second beyond the largest threshold → stays valid",
      given: { current: "valid", notAfter: inDays(30, 1000) },
      state: "valid",
      reason: "Ready",
    },
    {
      name: "expiring, thresholds narrowed to 7 days → valid again",
      given: { current: "expiring", notAfter: inDays(20), thresholds: [7] },
      state: "valid",
      reason: "Ready",
    },
    {
      name: "with no thresholds configured nothing is ever expiring",
      given: { current: "valid", notAfter: inDays(0, 1000), thresholds: [] },
      state: "valid",
      reason: "Ready",
    },
    {
      name: "ready without a known notAfter can't be expiring → valid",
      given: { notAfter: undefined },
      state: "valid",
      reason: "Ready",
    },
    {
      name: "warnings alone don't make a certificate invalid",
      given: { verdict: verdict({ problems: [problem("NONCONFORMANT", {}, "warning")] }) },
      state: "valid",
      reason: "Ready",
    },
    {
      name: "a signing certificate needs only signing",
      given: { purpose: "signing", verdict: verdict({ encryptionReady: false }) },
      state: "valid",
      reason: "Ready",
    },
    {
      name: "a signing certificate not ready for signing → invalid",
      given: { current: "valid", purpose: "signing", verdict: verdict({ signingReady: false }) },
      state: "invalid",
      reason: "NotReady",
    },
    {
      name: "an encryption certificate needs only encryption",
      given: { purpose: "encryption", verdict: verdict({ signingReady: false }) },
      state: "valid",
      reason: "Ready",
    },
    {
      name: "an encryption certificate not ready for encryption → invalid",
      given: { purpose: "encryption", verdict: verdict({ encryptionReady: false }) },
      state: "invalid",
      reason: "NotReady",
    },
    {
      name: "a dual-use certificate needs both purposes",
      given: { current: "valid", purpose: "both", verdict: verdict({ encryptionReady: false }) },
      state: "invalid",
      reason: "NotReady",
    },
    {
      name: "invalid, ready again → valid",
      given: { current: "invalid" },
      state: "valid",
      reason: "Ready",
    },
    {
      name: "invalid near its end stays invalid, not expiring: the bigger problem is named",
      given: { current: "invalid", verdict: NOT_READY, notAfter: inDays(3) },
      state: "invalid",
      reason: "NotReady",
    },
    {
      name: "expiring and no longer ready → invalid",
      given: { current: "expiring", verdict: NOT_READY, notAfter: inDays(3) },
      state: "invalid",
      reason: "NotReady",
    },
    {
      name: "valid, past notAfter → expired",
      given: { current: "valid", notAfter: inDays(-0.5) },
      state: "expired",
      reason: "Expired",
    },
    {
      name: "expiring, past notAfter → expired",
      given: { current: "expiring", notAfter: inDays(0, -1000) },
      state: "expired",
      reason: "Expired",
    },
    {
      name: "invalid, past notAfter → expired",
      given: { current: "invalid", verdict: NOT_READY, notAfter: inDays(-2) },
      state: "expired",
      reason: "Expired",
    },
    {
      name: "the leaf's own EXPIRED problem → expired, even with notAfter unknown",
      given: {
        current: "valid",
        notAfter: undefined,
        verdict: verdict({
          signingReady: false,
          encryptionReady: false,
          problems: [problem("EXPIRED", { index: 0 })],
        }),
      },
      state: "expired",
      reason: "Expired",
    },
    {
      name: "an expired issuing CA makes the certificate invalid, not expired (a CA can be renewed)",
      given: {
        current: "valid",
        verdict: verdict({
          signingReady: false,
          encryptionReady: false,
          problems: [problem("EXPIRED", { index: 1 })],
        }),
      },
      state: "invalid",
      reason: "NotReady",
    },
    {
      name: "expired, re-validated at an earlier time (skewed clock, replay) → stays expired",
      given: { current: "expired", notAfter: inDays(10), previousNotAfter: inDays(10) },
      state: "expired",
      reason: "Expired",
    },
    {
      name: "expired, re-validated with no previous notAfter recorded → stays expired",
      given: { current: "expired", notAfter: inDays(10) },
      state: "expired",
      reason: "Expired",
    },
    {
      name: "expired, and the certificate's real notAfter turns out later → valid",
      given: { current: "expired", notAfter: inDays(200), previousNotAfter: inDays(-1) },
      state: "valid",
      reason: "Ready",
    },
    {
      name: "expired, notAfter corrected but not ready → invalid",
      given: { current: "expired", verdict: NOT_READY, notAfter: inDays(200), previousNotAfter: inDays(-1) },
      state: "invalid",
      reason: "NotReady",
    },
    {
      name: "expired, notAfter corrected into the threshold → expiring",
      given: { current: "expired", notAfter: inDays(5), previousNotAfter: inDays(-1) },
      state: "expiring",
      reason: "Expiring",
    },
    {
      name: "expired, notAfter corrected without a verdict keeps expired until one comes",
      given: { current: "expired", verdict: undefined, notAfter: inDays(200), previousNotAfter: inDays(-1) },
      state: "expired",
      reason: "AwaitingValidation",
    },
    {
      name: "valid, revoked by a CRL scan → revoked",
      given: { current: "valid", revoked: true },
      state: "revoked",
      reason: "Revoked",
    },
    {
      name: "valid, REVOKED in the verdict → revoked",
      given: {
        current: "valid",
        verdict: verdict({
          signingReady: false,
          encryptionReady: false,
          problems: [problem("REVOKED", { index: 0 })],
        }),
      },
      state: "revoked",
      reason: "Revoked",
    },
    {
      name: "a revoked issuing CA revokes the certificate too",
      given: {
        verdict: verdict({
          signingReady: false,
          encryptionReady: false,
          problems: [problem("REVOKED", { index: 1 })],
        }),
      },
      state: "revoked",
      reason: "Revoked",
    },
    {
      name: "certificateHold is reversible → invalid, not revoked",
      given: {
        current: "valid",
        verdict: verdict({
          signingReady: false,
          encryptionReady: false,
          problems: [problem("REVOKED", { index: 0, reason: "certificateHold" })],
        }),
      },
      state: "invalid",
      reason: "NotReady",
    },
    {
      name: "revoked beats expired",
      given: { current: "valid", revoked: true, notAfter: inDays(-3) },
      state: "revoked",
      reason: "Revoked",
    },
    {
      name: "expired, then found revoked → revoked",
      given: { current: "expired", notAfter: inDays(-3), revoked: true },
      state: "revoked",
      reason: "Revoked",
    },
    {
      name: "expiring, revoked → revoked",
      given: { current: "expiring", notAfter: inDays(5), revoked: true },
      state: "revoked",
      reason: "Revoked",
    },
    {
      name: "invalid, revoked → revoked",
      given: { current: "invalid", verdict: NOT_READY, revoked: true },
      state: "revoked",
      reason: "Revoked",
    },
    {
      name: "discovered, revoked → revoked",
      given: { revoked: true, verdict: undefined },
      state: "revoked",
      reason: "Revoked",
    },
    {
      name: "revoked is final: a ready verdict does not bring it back",
      given: { current: "revoked" },
      state: "revoked",
      reason: "Revoked",
    },
    {
      name: "revoked is final: nor does a hold-only verdict",
      given: {
        current: "revoked",
        verdict: verdict({
          problems: [problem("REVOKED", { reason: "certificateHold" })],
          signingReady: false,
        }),
      },
      state: "revoked",
      reason: "Revoked",
    },
    {
      name: "revoked, removed → removed",
      given: { current: "revoked", removed: true },
      state: "removed",
      reason: "Removed",
    },
    {
      name: "valid, removed → removed",
      given: { current: "valid", removed: true },
      state: "removed",
      reason: "Removed",
    },
    {
      name: "expired, removed → removed",
      given: { current: "expired", notAfter: inDays(-3), removed: true },
      state: "removed",
      reason: "Removed",
    },
    {
      name: "discovered, removed → removed",
      given: { removed: true, verdict: undefined },
      state: "removed",
      reason: "Removed",
    },
    {
      name: "removed beats revoked",
      given: { current: "valid", removed: true, revoked: true },
      state: "removed",
      reason: "Removed",
    },
    {
      name: "removed is terminal: ready again changes nothing",
      given: { current: "removed" },
      state: "removed",
      reason: "Removed",
    },
    {
      name: "removed is terminal: nor does a revocation",
      given: { current: "removed", revoked: true, notAfter: inDays(-1) },
      state: "removed",
      reason: "Removed",
    },
  ];

  it.each(cases)("$name", ({ given, state, reason }) => {
    const i = input(given);
    const result = nextState(i);
    expect({ state: result.state, reason: result.reason }).toEqual({ state, reason });
    expect(result.changed).toBe(state !== i.current);
    expect(result.message).not.toBe("");
  });

  // Every state against every kind of news: the result must obey the transition table.
  const STATES: readonly LifecycleStateName[] = [
    "discovered",
    "valid",
    "invalid",
    "expiring",
    "expired",
    "revoked",
    "removed",
  ];
  const NEWS: readonly Partial<LifecycleInput>[] = [
    {},
    { verdict: undefined },
    { verdict: NOT_READY },
    { notAfter: inDays(5) },
    { notAfter: inDays(-5) },
    { notAfter: inDays(200), previousNotAfter: inDays(-5) },
    { verdict: NOT_READY, notAfter: inDays(200), previousNotAfter: inDays(-5) },
    { notAfter: inDays(5), previousNotAfter: inDays(-5) },
    { revoked: true },
    { removed: true },
    {
      verdict: verdict({
        problems: [problem("REVOKED", { reason: "certificateHold" })],
        signingReady: false,
      }),
    },
  ];
  it.each(STATES)("from %s, every outcome is an allowed transition", (current) => {
    for (const news of NEWS) {
      const i = input({ current, ...news });
      const notAfterChanged =
        i.notAfter !== undefined &&
        i.previousNotAfter !== undefined &&
        i.notAfter.getTime() !== i.previousNotAfter.getTime();
      const { state } = nextState(i);
      expect(
        canTransition(current, state, { notAfterChanged }),
        `${current} → ${state} on ${JSON.stringify(news)}`,
      ).toBe(true);
    }
  });

  it("is deterministic: the same input twice gives the same answer", () => {
    const i = input({ current: "valid", notAfter: inDays(12) });
    expect(nextState(i)).toEqual(nextState(i));
  });
});

describe("canTransition", () => {
  // The transition table of lifecycle.ts, written out again: ✓ allowed, n only when notAfter changed, · never.
  const TABLE = `
               discovered valid invalid expiring expired revoked removed
    discovered     ✓        ✓      ✓       ✓        ✓       ✓       ✓
    valid          ·        ✓      ✓       ✓        ✓       ✓       ✓
    invalid        ·        ✓      ✓       ✓        ✓       ✓       ✓
    expiring       ·        ✓      ✓       ✓        ✓       ✓       ✓
    expired        ·        n      n       n        ✓       ✓       ✓
    revoked        ·        ·      ·       ·        ·       ✓       ✓
    removed        ·        ·      ·       ·        ·       ·       ✓
  `;
  const [header, ...rows] = TABLE.trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/));
  const pairs = rows.flatMap(([from, ...marks]) =>
    marks.map((mark, i) => ({
      from: from as LifecycleStateName,
      to: header![i] as LifecycleStateName,
      mark,
    })),
  );

  it("covers all 49 pairs", () => {
    expect(pairs).toHaveLength(49);
  });

  it.each(pairs)("$from → $to: $mark", ({ from, to, mark }) => {
    expect(canTransition(from, to)).toBe(mark === "✓");
    expect(canTransition(from, to, { notAfterChanged: true })).toBe(mark !== "·");
  });
});

describe("readyForPurpose", () => {
  it.each([
    { purpose: "signing", signingReady: true, encryptionReady: false, expected: true },
    { purpose: "signing", signingReady: false, encryptionReady: true, expected: false },
    { purpose: "encryption", signingReady: false, encryptionReady: true, expected: true },
    { purpose: "encryption", signingReady: true, encryptionReady: false, expected: false },
    { purpose: "both", signingReady: true, encryptionReady: true, expected: true },
    { purpose: "both", signingReady: true, encryptionReady: false, expected: false },
    { purpose: "both", signingReady: false, encryptionReady: true, expected: false },
  ] as const)("$purpose with signing=$signingReady encryption=$encryptionReady → $expected", (c) => {
    expect(readyForPurpose(verdict(c), c.purpose)).toBe(c.expected);
  });
});

describe("verdictOf", () => {
  it("is undefined for a record without any verdict", () => {
    expect(verdictOf({})).toBeUndefined();
  });

  it("joins both purposes, keeping a chain-wide problem once", () => {
    const untrusted = problem("CHAIN_UNTRUSTED");
    const keyUsage = problem("KEY_USAGE_ENCRYPTION");
    expect(verdictOf({ signing: notReady(untrusted), encryption: notReady(untrusted, keyUsage) })).toEqual({
      signingReady: false,
      encryptionReady: false,
      problems: [untrusted, keyUsage],
    });
  });

  it("a missing purpose counts as not ready", () => {
    expect(verdictOf({ signing: ready() })).toEqual({
      signingReady: true,
      encryptionReady: false,
      problems: [],
    });
  });

  it("uniqueProblems keeps problems with the same code but different messages", () => {
    const a = problem("CRL_UNREACHABLE", { url: "http://a" });
    const b = problem("CRL_UNREACHABLE", { url: "http://b" });
    expect(uniqueProblems([a, b, a])).toEqual([a, b]);
  });
});
