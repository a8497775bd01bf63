/**
 * `POST certificates/validate`: an admin checks a certificate before rolling it out. The same engine and the
 * same report as `smimectl validate --json` (validate-certificates.ts), over the runtime's trust store and
 * its guarded, cached CRL and AIA fetching. Nothing is stored: this is a question, not a registration.
 */
import { z } from "zod";
import type { ValidationReport } from "../contracts/validation-report.ts";
import type { Deps } from "./deps.ts";
import { parseInput } from "./input-error.ts";
import { readCertificate } from "./register-certificate.ts";
import { validateCertificate } from "./validate-certificates.ts";

/** The JSON body; a PEM body becomes `{certificate: <the text>}`. */
export const ValidateUploadBody = z.object({
  /** PEM, or base64 DER: one certificate, the user's. */
  certificate: z
    .string()
    .min(1, "required")
    .max(64 * 1024, "at most 64 KiB"),
  smtp: z.email("an e-mail address").optional(),
  purpose: z.enum(["signing", "encryption", "both"]).default("both"),
});
export type ValidateUploadBody = z.input<typeof ValidateUploadBody>;

export type ValidateUploadDeps = Pick<Deps, "pki" | "clock">;

export interface ValidateUploadResult {
  readonly report: ValidationReport;
  /** Ready for every purpose asked. */
  readonly ready: boolean;
}

/**
 * Validates one uploaded certificate at the time now.
 * @throws InputError naming the field when the body holds no single readable certificate
 */
export async function validateUpload(
  deps: ValidateUploadDeps,
  input: ValidateUploadBody,
): Promise<ValidateUploadResult> {
  const body = parseInput(ValidateUploadBody, input);
  const certificate = readCertificate(body.certificate);
  const engine = await deps.pki.engine();
  const outcome = await validateCertificate(
    engine,
    { file: "upload", certificate },
    { time: deps.clock.now(), purpose: body.purpose, ...(body.smtp && { smtp: body.smtp }) },
  );
  return { report: outcome.report, ready: outcome.ready };
}
