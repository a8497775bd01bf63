/**
 * A fresh verdict on one inventory record, from the engine (validate-certificates.ts), with what the verdict
 * teaches about the certificate: its summary, and the CRL URLs of its chain that checkCrls should watch.
 */
import type { CertificateRecord } from "../contracts/rows.ts";
import type { PurposeVerdict } from "../contracts/validation-report.ts";
import { type Certificate, parseCertificate } from "../pki/certificate.ts";
import type { ChainResult, Engine } from "../pki/engine.ts";
import { httpUrls } from "../pki/revocation/scope.ts";
import { type CertificateInput, validateCertificate } from "./validate-certificates.ts";

/** The record fields a validation sets. */
export type ValidatedFields = Pick<
  CertificateRecord,
  "signing" | "encryption" | "emailAddresses" | "crlUrls" | "lastValidatedAt"
> &
  Partial<Pick<CertificateRecord, "subject" | "issuer" | "serialNumber" | "notBefore" | "notAfter">>;

/**
 * Validates the record's certificate at `now` for its purpose, against `smtp` (the user's primary SMTP
 * address, when known: without it the engine cannot tell SMTP_MISMATCH). Never throws for a bad
 * certificate: it becomes a MALFORMED verdict, as in the CLI.
 */
export async function validateRecord(
  engine: Engine,
  record: Pick<CertificateRecord, "certificate" | "purpose" | "thumbprint">,
  options: { now: Date; smtp?: string },
): Promise<ValidatedFields | undefined> {
  if (!record.certificate) return undefined;
  const input = toInput(record.certificate, record.thumbprint);
  const recording = recordChain(engine);
  const outcome = await validateCertificate(recording.engine, input, {
    time: options.now,
    purpose: record.purpose,
    ...(options.smtp && { smtp: options.smtp }),
  });
  const { report } = outcome;
  const summary = report.certificate;
  return {
    signing: plain(report.signing),
    encryption: plain(report.encryption),
    emailAddresses: summary?.emailAddresses ?? [],
    crlUrls: "certificate" in input ? chainCrlUrls(input.certificate, recording.result()) : [],
    lastValidatedAt: options.now.toISOString(),
    ...(summary && {
      subject: summary.subject,
      issuer: summary.issuer,
      serialNumber: summary.serialNumber,
      notBefore: summary.notBefore,
      notAfter: summary.notAfter,
    }),
  };
}

function toInput(base64Der: string, thumbprint: string): CertificateInput {
  const file = `certificate ${thumbprint}`;
  try {
    return { file, certificate: parseCertificate(Buffer.from(base64Der, "base64")) };
  } catch (e) {
    return { file, parseError: e instanceof Error ? e.message : String(e) };
  }
}

/** Problems as stored: plain JSON objects (the engine's may carry class instances in detail fields). */
const plain = (v: PurposeVerdict): PurposeVerdict => JSON.parse(JSON.stringify(v)) as PurposeVerdict;

/** An engine that remembers the chain result of the last leaf it validated. */
function recordChain(engine: Engine) {
  let last: ChainResult | undefined;
  return {
    engine: {
      async validate(leaf, options) {
        last = await engine.validate(leaf, options);
        return last;
      },
    } satisfies Engine,
    result: () => last,
  };
}

/**
 * The http(s) CRL URLs every certificate of the chain but the anchor is checked against (its CRL
 * distribution points and freshest-CRL pointers); the leaf's own when no chain was found.
 */
export function chainCrlUrls(leaf: Certificate, chain: ChainResult | undefined): string[] {
  const path: readonly Certificate[] = chain?.chain ? chain.chain.slice(0, -1) : [leaf];
  const urls = new Set<string>();
  for (const certificate of path)
    for (const dp of [...(certificate.crlDistributionPoints ?? []), ...(certificate.freshestCrl ?? [])])
      for (const url of httpUrls(dp)) urls.add(url);
  return [...urls];
}
