/**
 * What Intune alone knows about a certificate, folded into its verdict: an encryption certificate that was
 * not imported (ENCRYPTION_NOT_IMPORTED) and a certificate Intune failed to deliver (NOT_DELIVERED). The
 * engine never reports these codes, so the Intune part of a stored verdict is replaced, never appended to
 * twice.
 */
import type { CertificateRecord } from "../contracts/rows.ts";
import type { PurposeVerdict } from "../contracts/validation-report.ts";
import { intuneProblems } from "../domain/intune-problems.ts";
import { ProblemCode } from "../pki/problems.ts";

const INTUNE_CODES: ReadonlySet<string> = new Set([
  ProblemCode.ENCRYPTION_NOT_IMPORTED,
  ProblemCode.NOT_DELIVERED,
]);

function merge(verdict: PurposeVerdict | undefined, extra: PurposeVerdict["problems"]): PurposeVerdict {
  const problems = [...(verdict?.problems ?? []).filter((p) => !INTUNE_CODES.has(p.code)), ...extra];
  return { ready: (verdict?.ready ?? true) && problems.every((p) => p.severity !== "error"), problems };
}

/**
 * The record's signing and encryption verdicts with Intune's findings in them. Without an engine verdict
 * (Intune metadata only, no certificate bytes yet), a purpose gets a verdict only when Intune's findings
 * block it: never a "ready" that nothing checked.
 */
export function withIntuneProblems(
  record: CertificateRecord,
): Pick<CertificateRecord, "signing" | "encryption"> {
  const found = intuneProblems(record);
  const engine = (v: PurposeVerdict | undefined) =>
    v && { ...v, ready: v.problems.every((p) => INTUNE_CODES.has(p.code) || p.severity !== "error") };
  const signing = engine(record.signing);
  const encryption = engine(record.encryption);
  return {
    ...((signing || found.signing.length) && { signing: merge(signing, found.signing) }),
    ...((encryption || found.encryption.length) && { encryption: merge(encryption, found.encryption) }),
  };
}
