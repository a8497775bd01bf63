/**
 * The pipeline's own findings about a certificate Intune delivers, beside the engine's: for onCertificateEvent
 * to add to the record's verdict, so that they show on the certificate and in the user's readiness.
 * - ENCRYPTION_NOT_IMPORTED (DESIGN.md rule 5): an encryption certificate from SCEP or Intune PKCS has a key
 *   minted on one device; only an imported PFX (or a manual upload) gives every device the same key and its
 *   history, so mail encrypted to older keys stays readable.
 * - NOT_DELIVERED, per platform: Intune reports the certificate failed or pending on a device of it.
 */
import type { CertificateRecord } from "../contracts/rows.ts";
import { ProblemCode } from "../pki/problems.ts";
import {
  isImported,
  PURPOSES,
  type Purpose,
  type RecordProblem,
  servesPurpose,
} from "./certificate-facts.ts";

export type IntuneFacts = Pick<CertificateRecord, "sources" | "purpose" | "undeliveredOn" | "issuanceState">;

/** The findings for each purpose the certificate serves (an empty list for a purpose it does not serve). */
export function intuneProblems(facts: IntuneFacts): Record<Purpose, RecordProblem[]> {
  const out: Record<Purpose, RecordProblem[]> = { signing: [], encryption: [] };
  for (const purpose of PURPOSES) {
    if (!servesPurpose(facts.purpose, purpose)) continue;
    if (purpose === "encryption" && !isImported(facts))
      out.encryption.push({
        code: ProblemCode.ENCRYPTION_NOT_IMPORTED,
        severity: "error",
        message: `an encryption key must be imported (PFX) so every device can read old mail; this one came from ${facts.sources.join(", ")}`,
      });
    for (const platform of facts.undeliveredOn ?? [])
      out[purpose].push({
        code: ProblemCode.NOT_DELIVERED,
        severity: "error",
        message: `Intune reports the certificate ${facts.issuanceState ?? "not delivered"} on a ${platform} device`,
        platform,
      });
  }
  return out;
}
