/**
 * What makes a CRL unusable whatever certificate it is asked about, computed once per CRL object: with
 * 10,000 leaves under one CA, these checks (and the entry index they force) run once, not 10,000 times.
 */
import { sameAlgorithm } from "../certificate.ts";
import { type Crl, CrlParseError } from "../crl.ts";

const verdicts = new WeakMap<Crl, string | null>();

function findDefect(crl: Crl): string | undefined {
  if (crl.version > 2) return `unsupported CRL version ${crl.version}`;
  if (!sameAlgorithm(crl.signatureAlgorithm, crl.tbsSignatureAlgorithm)) {
    return "the signature algorithm inside tbsCertList differs from the outer one";
  }
  if (crl.unsupportedCriticalExtensions.length > 0) {
    return `unsupported critical CRL extension ${crl.unsupportedCriticalExtensions.join(", ")}`;
  }
  try {
    const entry = crl.unsupportedCriticalEntryExtensions;
    if (entry.length > 0) return `unsupported critical CRL entry extension ${entry.join(", ")}`;
  } catch (e) {
    if (e instanceof CrlParseError) return e.message;
    throw e;
  }
  return undefined;
}

/** Why the CRL cannot be used at all (RFC 5280 §5.2, §5.3: unknown critical extensions), or undefined. */
export function crlDefect(crl: Crl): string | undefined {
  let verdict = verdicts.get(crl);
  if (verdict === undefined) {
    verdict = findDefect(crl) ?? null;
    verdicts.set(crl, verdict);
  }
  return verdict ?? undefined;
}
