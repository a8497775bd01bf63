/**
 * The validation report: what `smimectl validate --json` prints and `POST certificates/validate` answers
 * (DESIGN.md "CLI"). A public contract: add fields, never rename.
 */
import { z } from "zod";
import { ProblemCode } from "../pki/problems.ts";

export const ProblemSchema = z
  .object({
    code: z.enum(Object.values(ProblemCode) as [ProblemCode, ...ProblemCode[]]),
    severity: z.enum(["error", "warning"]),
    message: z.string(),
  })
  .catchall(z.unknown());

export const PurposeVerdictSchema = z.object({
  ready: z.boolean(),
  problems: z.array(ProblemSchema),
});

export const CertificateSummarySchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  /** Lower-case hex, no redundant leading zeros. */
  serialNumber: z.string(),
  /** SHA-1 of the DER, upper-case hex. */
  thumbprint: z.string(),
  notBefore: z.iso.datetime(),
  notAfter: z.iso.datetime(),
  emailAddresses: z.array(z.string()),
});

export const ValidationReportSchema = z.object({
  /** The file the certificate came from, as named on the command line or found in a directory. */
  file: z.string(),
  /** Position of the certificate in its file, when the file holds more than one. */
  index: z.number().int().nonnegative().optional(),
  /** Null when the certificate could not be parsed (its problems say why). */
  certificate: CertificateSummarySchema.nullable(),
  /** Subjects from the certificate up to the trust anchor; empty when no path was found. */
  chain: z.array(z.string()),
  signing: PurposeVerdictSchema,
  encryption: PurposeVerdictSchema,
  checkedAt: z.iso.datetime(),
});

export type ValidationReport = z.infer<typeof ValidationReportSchema>;
export type PurposeVerdict = z.infer<typeof PurposeVerdictSchema>;
export type CertificateSummary = z.infer<typeof CertificateSummarySchema>;
