/**
 * Problem codes: the stable contract of every verdict (DESIGN.md "Problem codes").
 */

export const ProblemCode = {
  MALFORMED: "MALFORMED",
  CHAIN_UNTRUSTED: "CHAIN_UNTRUSTED",
  SIGNATURE_INVALID: "SIGNATURE_INVALID",
  EXPIRED: "EXPIRED",
  NOT_YET_VALID: "NOT_YET_VALID",
  ISSUER_NOT_CA: "ISSUER_NOT_CA",
  PATH_LENGTH_EXCEEDED: "PATH_LENGTH_EXCEEDED",
  NAME_CONSTRAINTS_VIOLATED: "NAME_CONSTRAINTS_VIOLATED",
  POLICY_INVALID: "POLICY_INVALID",
  UNSUPPORTED_CRITICAL_EXTENSION: "UNSUPPORTED_CRITICAL_EXTENSION",
  REVOKED: "REVOKED",
  CRL_UNREACHABLE: "CRL_UNREACHABLE",
  CRL_STALE: "CRL_STALE",
  CRL_INVALID: "CRL_INVALID",
  EKU_NOT_EMAIL_PROTECTION: "EKU_NOT_EMAIL_PROTECTION",
  KEY_USAGE_SIGNING: "KEY_USAGE_SIGNING",
  KEY_USAGE_ENCRYPTION: "KEY_USAGE_ENCRYPTION",
  NO_EMAIL_ADDRESS: "NO_EMAIL_ADDRESS",
  SMTP_MISMATCH: "SMTP_MISMATCH",
  NONCONFORMANT: "NONCONFORMANT",
  // Pipeline only: found from Intune, the directory and policies, never by the engine alone.
  ENCRYPTION_NOT_IMPORTED: "ENCRYPTION_NOT_IMPORTED",
  NOT_PUBLISHED_FOR_RECIPIENTS: "NOT_PUBLISHED_FOR_RECIPIENTS",
  POLICY_DRIFT: "POLICY_DRIFT",
  NOT_DELIVERED: "NOT_DELIVERED",
} as const;

export type ProblemCode = (typeof ProblemCode)[keyof typeof ProblemCode];

/** `error` makes a purpose not ready; `warning` is reported but tolerated by Exchange Online and Outlook. */
export type Severity = "error" | "warning";

export interface Problem {
  readonly code: ProblemCode;
  readonly severity: Severity;
  readonly message: string;
  /** Extra detail fields (e.g. `certificate`, `url`, `rule`); the code is the contract, these are help. */
  readonly [detail: string]: unknown;
}

/** An error-severity problem. */
export const error = (code: ProblemCode, message: string, detail: Record<string, unknown> = {}): Problem => ({
  code,
  severity: "error",
  message,
  ...detail,
});

/** A warning-severity problem: a rule broken that mainstream validators tolerate; names the rule. */
export const warning = (
  code: ProblemCode,
  message: string,
  detail: Record<string, unknown> = {},
): Problem => ({
  code,
  severity: "warning",
  message,
  ...detail,
});

export const hasErrors = (problems: readonly Problem[]): boolean =>
  problems.some((p) => p.severity === "error");
