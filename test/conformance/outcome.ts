/**
 * What running one conformance case produced, and the verdict on it. Plain data: outcomes cross the
 * worker boundary (structured clone) and end up in reports/conformance.json.
 */
import type { Severity } from "../../shared/pki/problems.ts";

/** Which suite a case comes from. */
export type Suite = "pkits" | "limbo";

/** The suite's expectation, in limbo's words (PKITS "valid" is SUCCESS, "invalid" is FAILURE). */
export type Expected = "SUCCESS" | "FAILURE";

/** A problem as reported: the engine's, or one the harness adds for a TLS-only check (peer name, EKU). */
export interface ReportedProblem {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** `harness` marks checks the S/MIME engine does not make (hostname, TLS EKU): the runner's own. */
  readonly source: "engine" | "harness";
  /** The rule named by a NONCONFORMANT problem, when the engine gives one. */
  readonly rule?: string;
}

/** What one case produced. */
export interface CaseOutcome {
  readonly problems: readonly ReportedProblem[];
  /** The engine's user-constrained policy set (PKITS), when it returned one. */
  readonly userConstrainedPolicySet?: readonly string[];
  /** Subjects of the chain the engine built, leaf first as returned. */
  readonly chain?: readonly string[];
  /** Things worth knowing that are not problems: an unusable input certificate, dropped not-applicable problems. */
  readonly notes: readonly string[];
  /** The engine threw or ran past the time bound: always a miss, never a verdict. */
  readonly engineFailure?: string;
  readonly durationMs: number;
}

/**
 * - `right`: the engine's answer agrees with the suite.
 * - `tolerated`: an expected FAILURE answered only with warnings, for a rule listed in tolerated.ts.
 * - `miss`: anything else that was judged.
 * - `skipped`: listed in limbo-skips.ts; still run, but its answer is information only.
 */
export type Verdict = "right" | "tolerated" | "miss" | "skipped";

/** How the engine answered, in one word. */
export type Answer = "accepted" | "accepted-with-warnings" | "rejected" | "engine-failure";

export interface CaseResult {
  readonly suite: Suite;
  readonly id: string;
  /** PKITS section (4.1 … 4.16) or limbo family (the id's first `::` segment). */
  readonly group: string;
  readonly title: string;
  readonly expected: Expected;
  readonly answer: Answer;
  readonly verdict: Verdict;
  /** An expected FAILURE answered with no problem at all: the one outcome that must never happen. */
  readonly falseAccept: boolean;
  /** Why it is a miss, the skip reason, or the tolerated rule. */
  readonly reason?: string;
  readonly outcome: CaseOutcome;
}
