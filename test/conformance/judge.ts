/**
 * The verdict on one case: the rules of the "Done when", in one place for both suites.
 *
 * - Expected SUCCESS is right when no problem is an error (warnings are fine: they report, never block),
 *   and, when the suite names a user-constrained policy set, the engine's set equals it as a set.
 * - Expected FAILURE is right when some problem is an error. Only warnings is right only when the case
 *   is listed in tolerated.ts with its rule and evidence (`tolerated`). No problem at all is a false accept.
 * - An engine that throws or runs past the time bound has given no answer: a miss, whatever was expected.
 * - A skipped case (limbo-skips.ts) is still run so its answer shows in the report, but is not judged.
 */
import type { Answer, CaseOutcome, Expected, Verdict } from "./outcome.ts";

export interface JudgeInput {
  readonly expected: Expected;
  readonly outcome: CaseOutcome;
  /** Present when the case is in the skip list. */
  readonly skipReason?: string;
  /**
   * Present when the case is in tolerated.ts: the rule that was broken, and its RFC section, which some
   * warning must name (in its `rule`, else its message) so that an unrelated warning never passes for it.
   */
  readonly tolerated?: { readonly rule: string; readonly section: string; readonly evidence?: string };
  /** PKITS: the user-constrained policy set a valid path must yield. */
  readonly expectedPolicySet?: readonly string[];
}

export interface Judgement {
  readonly answer: Answer;
  readonly verdict: Verdict;
  readonly falseAccept: boolean;
  readonly reason?: string;
}

/** How the engine answered, from its problems. */
export function answerOf(outcome: CaseOutcome): Answer {
  if (outcome.engineFailure !== undefined) return "engine-failure";
  if (outcome.problems.some((p) => p.severity === "error")) return "rejected";
  if (outcome.problems.length > 0) return "accepted-with-warnings";
  return "accepted";
}

/** Set equality, order and duplicates ignored. */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

function codes(outcome: CaseOutcome, severity?: "error" | "warning"): string {
  const picked = outcome.problems.filter((p) => severity === undefined || p.severity === severity);
  return [...new Set(picked.map((p) => p.code))].join(", ");
}

/** Judges one case; pure. */
export function judge(input: JudgeInput): Judgement {
  const { expected, outcome } = input;
  const answer = answerOf(outcome);
  const falseAccept = expected === "FAILURE" && answer === "accepted";
  if (input.skipReason !== undefined) {
    return { answer, verdict: "skipped", falseAccept: false, reason: input.skipReason };
  }
  if (answer === "engine-failure") {
    return {
      answer,
      verdict: "miss",
      falseAccept: false,
      reason: `engine failure: ${outcome.engineFailure}`,
    };
  }
  if (expected === "SUCCESS") return judgeSuccess(input, answer);
  if (answer === "rejected") return { answer, verdict: "right", falseAccept };
  if (answer === "accepted-with-warnings") return judgeWarnings(input, answer);
  return { answer, verdict: "miss", falseAccept, reason: "false accept: no problem at all" };
}

function judgeSuccess(input: JudgeInput, answer: Answer): Judgement {
  const { outcome, expectedPolicySet } = input;
  if (answer === "rejected") {
    return { answer, verdict: "miss", falseAccept: false, reason: `rejected: ${codes(outcome, "error")}` };
  }
  if (expectedPolicySet !== undefined) {
    const got = outcome.userConstrainedPolicySet;
    if (got === undefined || !sameSet(got, expectedPolicySet)) {
      const shown = got === undefined ? "none returned" : `{${got.join(", ")}}`;
      return {
        answer,
        verdict: "miss",
        falseAccept: false,
        reason: `user-constrained policy set: expected {${expectedPolicySet.join(", ")}}, got ${shown}`,
      };
    }
  }
  return { answer, verdict: "right", falseAccept: false };
}

function judgeWarnings(input: JudgeInput, answer: Answer): Judgement {
  const { outcome, tolerated } = input;
  if (!tolerated) {
    const reason = `only warnings (${codes(outcome, "warning")}) and the case is not in tolerated.ts`;
    return { answer, verdict: "miss", falseAccept: false, reason };
  }
  const named = outcome.problems.some((p) => (p.rule ?? p.message).includes(tolerated.section));
  return named
    ? { answer, verdict: "tolerated", falseAccept: false, reason: tolerationReason(tolerated) }
    : {
        answer,
        verdict: "miss",
        falseAccept: false,
        reason: `no warning names ${tolerated.section} (${tolerated.rule})`,
      };
}

const tolerationReason = (t: NonNullable<JudgeInput["tolerated"]>): string =>
  t.evidence ? `${t.rule} (evidence: ${t.evidence})` : t.rule;
