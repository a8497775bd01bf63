import { describe, expect, it } from "vitest";
import { type JudgeInput, judge, sameSet } from "../../conformance/judge.ts";
import type { CaseOutcome, ReportedProblem } from "../../conformance/outcome.ts";

const problem = (severity: "error" | "warning", code = "NONCONFORMANT", rule?: string): ReportedProblem => ({
  code,
  severity,
  message: `${severity} ${code}`,
  source: "engine",
  ...(rule ? { rule } : {}),
});

const tolerated = { rule: "RFC 5280 §4.1.2.2: serialNumber MUST be positive", section: "4.1.2.2" };

const outcome = (problems: ReportedProblem[], extra: Partial<CaseOutcome> = {}): CaseOutcome => ({
  problems,
  notes: [],
  durationMs: 1,
  ...extra,
});

const cases: Array<{
  name: string;
  input: JudgeInput;
  verdict: string;
  falseAccept?: boolean;
  answer: string;
}> = [
  {
    name: "expected SUCCESS, no problems",
    input: { expected: "SUCCESS", outcome: outcome([]) },
    verdict: "right",
    answer: "accepted",
  },
  {
    name: "expected SUCCESS, warnings only",
    input: { expected: "SUCCESS", outcome: outcome([problem("warning")]) },
    verdict: "right",
    answer: "accepted-with-warnings",
  },
  {
    name: "expected SUCCESS, an error",
    input: { expected: "SUCCESS", outcome: outcome([problem("error", "EXPIRED")]) },
    verdict: "miss",
    answer: "rejected",
  },
  {
    name: "expected SUCCESS, policy set equal in another order",
    input: {
      expected: "SUCCESS",
      outcome: outcome([], { userConstrainedPolicySet: ["1.2", "1.1"] }),
      expectedPolicySet: ["1.1", "1.2"],
    },
    verdict: "right",
    answer: "accepted",
  },
  {
    name: "expected SUCCESS, policy set differs",
    input: {
      expected: "SUCCESS",
      outcome: outcome([], { userConstrainedPolicySet: ["1.1"] }),
      expectedPolicySet: [],
    },
    verdict: "miss",
    answer: "accepted",
  },
  {
    name: "expected SUCCESS, policy set expected but none returned",
    input: { expected: "SUCCESS", outcome: outcome([]), expectedPolicySet: ["1.1"] },
    verdict: "miss",
    answer: "accepted",
  },
  {
    name: "expected FAILURE, an error",
    input: { expected: "FAILURE", outcome: outcome([problem("warning"), problem("error", "REVOKED")]) },
    verdict: "right",
    answer: "rejected",
  },
  {
    name: "expected FAILURE, warnings only, listed as tolerated, a warning names the rule",
    input: {
      expected: "FAILURE",
      outcome: outcome([problem("warning", "NONCONFORMANT", "RFC 5280 4.1.2.2")]),
      tolerated,
    },
    verdict: "tolerated",
    answer: "accepted-with-warnings",
  },
  {
    name: "expected FAILURE, warnings only, listed as tolerated, but no warning names the rule",
    input: {
      expected: "FAILURE",
      outcome: outcome([problem("warning", "NONCONFORMANT", "RFC 5280 4.2.1.1")]),
      tolerated,
    },
    verdict: "miss",
    answer: "accepted-with-warnings",
  },
  {
    name: "expected FAILURE, warnings only and not listed",
    input: { expected: "FAILURE", outcome: outcome([problem("warning")]) },
    verdict: "miss",
    answer: "accepted-with-warnings",
  },
  {
    name: "expected FAILURE, no problem at all: false accept, even when listed as tolerated",
    input: { expected: "FAILURE", outcome: outcome([]), tolerated },
    verdict: "miss",
    falseAccept: true,
    answer: "accepted",
  },
  {
    name: "engine threw: a miss even when FAILURE was expected",
    input: { expected: "FAILURE", outcome: outcome([], { engineFailure: "Error: boom" }) },
    verdict: "miss",
    answer: "engine-failure",
  },
  {
    name: "skipped: not judged and never a false accept",
    input: { expected: "FAILURE", outcome: outcome([]), skipReason: "TLS only" },
    verdict: "skipped",
    answer: "accepted",
  },
];

describe("judge", () => {
  it.each(cases)("$name", ({ input, verdict, falseAccept, answer }) => {
    const j = judge(input);
    expect(j.verdict).toBe(verdict);
    expect(j.answer).toBe(answer);
    expect(j.falseAccept).toBe(falseAccept ?? false);
    if (verdict === "miss") expect(j.reason).toBeTruthy();
  });
});

describe("sameSet", () => {
  it.each([
    { name: "both empty", a: [], b: [], same: true },
    { name: "order and duplicates ignored", a: ["1", "2", "2"], b: ["2", "1"], same: true },
    { name: "a subset is not equal", a: ["1"], b: ["1", "2"], same: false },
    { name: "different members", a: ["1", "3"], b: ["1", "2"], same: false },
  ])("$name", ({ a, b, same }) => expect(sameSet(a, b)).toBe(same));
});
