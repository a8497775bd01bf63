/**
 * A certificate's lifecycle state and its transitions, decided by an ordered chain of small pure checks (the
 * first that applies wins). The state is what the dashboard counts and what the notification policy reacts to;
 * the verdict's problems say why.
 *
 * Transition table (rows: from; ✓ allowed, · not; every state may also stay as it is):
 *
 * | from \ to  | valid | invalid | expiring | expired | revoked | removed |
 * |------------|-------|---------|----------|---------|---------|---------|
 * | discovered |   ✓   |    ✓    |    ✓     |    ✓    |    ✓    |    ✓    |
 * | valid      |       |    ✓    |    ✓     |    ✓    |    ✓    |    ✓    |
 * | invalid    |   ✓   |         |    ✓     |    ✓    |    ✓    |    ✓    |
 * | expiring   |   ✓   |    ✓    |          |    ✓    |    ✓    |    ✓    |
 * | expired    |  (n)  |   (n)   |   (n)    |         |    ✓    |    ✓    |
 * | revoked    |   ·   |    ·    |    ·     |    ·    |         |    ✓    |
 * | removed    |   ·   |    ·    |    ·     |    ·    |    ·    |         |
 *
 * Nothing returns to `discovered`. (n): only when the certificate's notAfter changed (the record's earlier date
 * was wrong or unknown, e.g. Intune metadata replaced by the certificate itself). A certificate's notAfter is
 * fixed, so an expired certificate never becomes usable again: a re-validation at an earlier time (a skewed
 * clock, a replayed message) must not resurrect it and re-send notices. Revoked is final too: a revocation is
 * permanent (RFC 5280 §3.3), except certificateHold, which is reversible and therefore makes a certificate
 * `invalid`, not `revoked`. Removed is terminal: the certificate left the inventory; a re-discovery is a new life
 * and the use case decides whether to start one.
 *
 * `expiring` means usable but within the largest expiry threshold. A certificate that is not ready for its
 * purpose is `invalid` however close its end is: the bigger problem is named.
 */
import type { z } from "zod";
import type { LifecycleState } from "../contracts/events.ts";
import { ProblemCode } from "../pki/problems.ts";
import {
  type CertificatePurposeName,
  hasExpired,
  type Purpose,
  purposesOf,
  type RecordProblem,
} from "./certificate-facts.ts";
import { isWithinDays } from "./expiry.ts";
import { largestThreshold } from "./thresholds.ts";

export type LifecycleStateName = z.infer<typeof LifecycleState>;

/** What the engine last said about the certificate, for both purposes. */
export interface LifecycleVerdict {
  readonly signingReady: boolean;
  readonly encryptionReady: boolean;
  /** Every problem of both purposes (warnings included; only errors count). */
  readonly problems: readonly RecordProblem[];
}

export interface LifecycleInput {
  readonly current: LifecycleStateName;
  /** The latest verdict; absent while the certificate itself is not known yet (metadata only). */
  readonly verdict?: LifecycleVerdict;
  /** The certificate's notAfter, when known. */
  readonly notAfter?: Date;
  /** The notAfter the current state was decided with: an expired certificate comes back only if it differs. */
  readonly previousNotAfter?: Date;
  readonly purpose: CertificatePurposeName;
  /** Revocation learned outside the verdict (a CRL scan, Intune). */
  readonly revoked?: boolean;
  /** The certificate left every source (Intune, directory, manual registration withdrawn). */
  readonly removed?: boolean;
  readonly now: Date;
  /** The expiry thresholds in days; the largest decides when `expiring` begins. */
  readonly thresholds: readonly number[];
}

/** Why a state was chosen: named constants, stable for logs and the audit ledger. */
export const TransitionReason = {
  Removed: "Removed",
  Revoked: "Revoked",
  Expired: "Expired",
  AwaitingValidation: "AwaitingValidation",
  NotReady: "NotReady",
  Expiring: "Expiring",
  Ready: "Ready",
} as const;
export type TransitionReason = (typeof TransitionReason)[keyof typeof TransitionReason];

export interface Transition {
  readonly state: LifecycleStateName;
  /** `state !== current`: the record's revision is bumped and events are emitted only then. */
  readonly changed: boolean;
  readonly reason: TransitionReason;
  readonly message: string;
}

type Decision = Omit<Transition, "changed">;
type Check = (input: LifecycleInput) => Decision | undefined;

const errors = (input: LifecycleInput, code: ProblemCode) =>
  (input.verdict?.problems ?? []).filter((p) => p.severity === "error" && p.code === code);

/** A definitive revocation anywhere in the chain (a revoked CA takes its certificates with it); not a hold. */
const revokedByVerdict = (input: LifecycleInput) =>
  errors(input, ProblemCode.REVOKED).some((p) => p["reason"] !== "certificateHold");

/** The certificate's own EXPIRED (chain index 0); an expired CA makes it invalid, since a CA can be renewed. */
const expiredByVerdict = (input: LifecycleInput) =>
  errors(input, ProblemCode.EXPIRED).some((p) => p["index"] === undefined || p["index"] === 0);

const notAfterChanged = (input: LifecycleInput) =>
  input.notAfter !== undefined &&
  input.previousNotAfter !== undefined &&
  input.notAfter.getTime() !== input.previousNotAfter.getTime();

/** Ready for every purpose the certificate was issued for ("both" needs both). */
export function readyForPurpose(verdict: LifecycleVerdict, purpose: CertificatePurposeName): boolean {
  const ready: Record<Purpose, boolean> = {
    signing: verdict.signingReady,
    encryption: verdict.encryptionReady,
  };
  return purposesOf(purpose).every((p) => ready[p]);
}

const CHAIN: readonly Check[] = [
  (i) =>
    i.current === "removed" || i.removed
      ? { state: "removed", reason: TransitionReason.Removed, message: "the certificate left the inventory" }
      : undefined,
  (i) =>
    i.current === "revoked" || i.revoked || revokedByVerdict(i)
      ? {
          state: "revoked",
          reason: TransitionReason.Revoked,
          message: "the certificate or its chain is revoked",
        }
      : undefined,
  (i) =>
    (i.notAfter !== undefined && hasExpired(i.notAfter, i.now)) || expiredByVerdict(i)
      ? {
          state: "expired",
          reason: TransitionReason.Expired,
          message: "the certificate's notAfter has passed",
        }
      : undefined,
  (i) =>
    i.current === "expired" && !notAfterChanged(i)
      ? {
          state: "expired",
          reason: TransitionReason.Expired,
          message: "expired is final while notAfter is unchanged",
        }
      : undefined,
  (i) =>
    i.verdict === undefined
      ? { state: i.current, reason: TransitionReason.AwaitingValidation, message: "no verdict yet" }
      : undefined,
  (i) =>
    i.verdict !== undefined && !readyForPurpose(i.verdict, i.purpose)
      ? { state: "invalid", reason: TransitionReason.NotReady, message: `not ready for ${i.purpose}` }
      : undefined,
  (i) =>
    i.notAfter !== undefined &&
    largestThreshold(i.thresholds) > 0 &&
    isWithinDays(i.notAfter, i.now, largestThreshold(i.thresholds))
      ? {
          state: "expiring",
          reason: TransitionReason.Expiring,
          message: `ready, and within ${largestThreshold(i.thresholds)} days of its notAfter`,
        }
      : undefined,
];

const READY: Decision = { state: "valid", reason: TransitionReason.Ready, message: "ready for its purpose" };

/**
 * The state a certificate should be in, given what is known now. Pure: the time is `input.now`.
 * The result always obeys the transition table (`canTransition`).
 */
export function nextState(input: LifecycleInput): Transition {
  let decision = READY;
  for (const check of CHAIN) {
    const found = check(input);
    if (found) {
      decision = found;
      break;
    }
  }
  return { ...decision, changed: decision.state !== input.current };
}

const ALLOWED: Readonly<Record<LifecycleStateName, readonly LifecycleStateName[]>> = {
  discovered: ["valid", "invalid", "expiring", "expired", "revoked", "removed"],
  valid: ["invalid", "expiring", "expired", "revoked", "removed"],
  invalid: ["valid", "expiring", "expired", "revoked", "removed"],
  expiring: ["valid", "invalid", "expired", "revoked", "removed"],
  expired: ["revoked", "removed"],
  revoked: ["removed"],
  removed: [],
};

/** Leaving `expired` for a usable or invalid state needs a changed notAfter. */
const AFTER_NOT_AFTER_CHANGED: readonly LifecycleStateName[] = ["valid", "invalid", "expiring"];

/**
 * Whether `from → to` is allowed by the transition table. Staying in the same state is always allowed.
 * @param options.notAfterChanged the certificate's notAfter differs from the one `from` was decided with
 */
export function canTransition(
  from: LifecycleStateName,
  to: LifecycleStateName,
  options: { readonly notAfterChanged?: boolean } = {},
): boolean {
  if (from === to) return true;
  if (ALLOWED[from].includes(to)) return true;
  return from === "expired" && options.notAfterChanged === true && AFTER_NOT_AFTER_CHANGED.includes(to);
}

/** A record's stored per-purpose verdicts as one lifecycle verdict; undefined when it has none yet. */
export function verdictOf(record: {
  readonly signing?: { readonly ready: boolean; readonly problems: readonly RecordProblem[] };
  readonly encryption?: { readonly ready: boolean; readonly problems: readonly RecordProblem[] };
}): LifecycleVerdict | undefined {
  if (record.signing === undefined && record.encryption === undefined) return undefined;
  return {
    signingReady: record.signing?.ready ?? false,
    encryptionReady: record.encryption?.ready ?? false,
    problems: uniqueProblems([...(record.signing?.problems ?? []), ...(record.encryption?.problems ?? [])]),
  };
}

/** Chain-wide problems appear under both purposes; keep each once (same code and message). */
export function uniqueProblems(problems: readonly RecordProblem[]): readonly RecordProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.code}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
