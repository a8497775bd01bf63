/**
 * Validates certificates for S/MIME in Outlook mobile and reports each as DESIGN.md's JSON shape.
 * Used by `smimectl validate` (and by the HTTP route that validates uploads).
 */
import type { ValidationReport } from "../contracts/validation-report.ts";
import type { Certificate } from "../pki/certificate.ts";
import type { Engine } from "../pki/engine.ts";
import { formatName } from "../pki/name.ts";
import { error, type Problem, ProblemCode } from "../pki/problems.ts";
import { checkSmimeRules, emailAddressesOf } from "../pki/smime-rules.ts";
import { buildVerdict, type RequestedPurpose } from "../pki/verdict.ts";

/** One certificate to validate, or why it could not be parsed. */
export type CertificateInput =
  | { readonly file: string; readonly index?: number; readonly certificate: Certificate }
  | { readonly file: string; readonly index?: number; readonly parseError: string };

export interface ValidateRequest {
  readonly time: Date;
  readonly purpose: RequestedPurpose;
  readonly smtp?: string;
}

/** A report plus whether the requested purposes are ready (what decides the CLI's exit status). */
export interface ValidationOutcome {
  readonly report: ValidationReport;
  readonly ready: boolean;
}

const summary = (c: Certificate) => ({
  subject: formatName(c.subject),
  issuer: formatName(c.issuer),
  serialNumber: c.serialNumber,
  thumbprint: c.thumbprint,
  notBefore: c.notBefore.toISOString(),
  notAfter: c.notAfter.toISOString(),
  emailAddresses: emailAddressesOf(c),
});

function malformed(input: { file: string; index?: number }, message: string, request: ValidateRequest) {
  const problems: Problem[] = [error(ProblemCode.MALFORMED, message)];
  const verdict = { ready: false, problems };
  return {
    report: {
      file: input.file,
      index: input.index,
      certificate: null,
      chain: [],
      signing: verdict,
      encryption: verdict,
      checkedAt: request.time.toISOString(),
    },
    ready: false,
  };
}

/**
 * Validates one certificate with a shared engine. An unexpected exception (an engine bug a hostile
 * certificate may trigger) becomes that certificate's MALFORMED verdict, never a failed batch: one bad
 * certificate must not hide the verdicts on the other 9,999, and it is still reported as not ready.
 */
export async function validateCertificate(
  engine: Engine,
  input: CertificateInput,
  request: ValidateRequest,
): Promise<ValidationOutcome> {
  try {
    return await validateOne(engine, input, request);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return malformed(input, `could not be validated (unexpected error: ${why})`, request);
  }
}

async function validateOne(
  engine: Engine,
  input: CertificateInput,
  request: ValidateRequest,
): Promise<ValidationOutcome> {
  if ("parseError" in input) return malformed(input, input.parseError, request);
  const certificate = input.certificate;
  const chain = await engine.validate(certificate, { time: request.time });
  const smime = checkSmimeRules(certificate, { smtp: request.smtp });
  const verdict = buildVerdict(chain, smime, request.purpose);
  return {
    report: {
      file: input.file,
      index: input.index,
      certificate: summary(certificate),
      chain: (chain.chain ?? []).map((c) => formatName(c.subject)),
      signing: { ready: verdict.signing.ready, problems: [...verdict.signing.problems] },
      encryption: { ready: verdict.encryption.ready, problems: [...verdict.encryption.problems] },
      checkedAt: request.time.toISOString(),
    },
    ready: verdict.ready,
  };
}

/**
 * Validates many certificates with up to `concurrency` in flight (CRL and AIA fetches overlap; the CPU work
 * is shared through the engine's caches), yielding outcomes in input order as soon as each is ready.
 */
export async function* validateCertificates(
  engine: Engine,
  inputs: readonly CertificateInput[],
  request: ValidateRequest,
  concurrency = 16,
): AsyncGenerator<ValidationOutcome> {
  const pending = new Map<number, Promise<ValidationOutcome>>();
  let next = 0;
  const fill = () => {
    while (next < inputs.length && pending.size < concurrency) {
      const i = next++;
      pending.set(i, validateCertificate(engine, inputs[i]!, request));
    }
  };
  for (let i = 0; i < inputs.length; i++) {
    fill();
    const outcome = await pending.get(i)!;
    pending.delete(i);
    yield outcome;
  }
}
