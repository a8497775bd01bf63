/**
 * The problems revocation checking reports, worded for an admin: which certificate, which CRL, what to do.
 */
import type { Certificate } from "../certificate.ts";
import { type Crl, CrlReason, type RevokedEntry, reasonName } from "../crl.ts";
import { formatName } from "../name.ts";
import { error, type Problem, ProblemCode, warning } from "../problems.ts";

/** The certificate a problem is about: its subject and where it sits in the chain (0 = end entity). */
export interface Subject {
  readonly cert: Certificate;
  readonly chainIndex: number;
}

const about = (s: Subject): Record<string, unknown> => ({
  certificate: formatName(s.cert.subject),
  index: s.chainIndex,
});

const crlName = (crl: Crl): string => formatName(crl.issuer);

export function revoked(s: Subject, entry: RevokedEntry, crl: Crl): Problem {
  const reason = reasonName(entry.reason);
  const at = entry.revocationDate.toISOString();
  const who = `'${formatName(s.cert.subject)}' (serial ${s.cert.serialNumber})`;
  const message =
    entry.reason === CrlReason.certificateHold
      ? `${who} is on hold (certificateHold) since ${at}, per the CRL of '${crlName(crl)}'`
      : `${who} was revoked on ${at} (${reason}), per the CRL of '${crlName(crl)}'`;
  return error(ProblemCode.REVOKED, message, {
    ...about(s),
    serialNumber: s.cert.serialNumber,
    reason,
    revokedAt: at,
    ...(entry.invalidityDate && { invalidSince: entry.invalidityDate.toISOString() }),
    crlIssuer: crlName(crl),
  });
}

export const unreachable = (s: Subject, reason: string, url?: string): Problem =>
  error(
    ProblemCode.CRL_UNREACHABLE,
    `no usable CRL for '${formatName(s.cert.subject)}'${url ? ` from ${url}` : ""}: ${reason}`,
    { ...about(s), ...(url && { url }), reason },
  );

export const stale = (s: Subject, crl: Crl, url?: string): Problem =>
  error(
    ProblemCode.CRL_STALE,
    `the CRL of '${crlName(crl)}'${url ? ` from ${url}` : ""} expired at ${crl.nextUpdate?.toISOString()}; ` +
      `the revocation status of '${formatName(s.cert.subject)}' is unknown until the CA publishes a new one`,
    { ...about(s), crlIssuer: crlName(crl), nextUpdate: crl.nextUpdate?.toISOString(), ...(url && { url }) },
  );

export const invalid = (s: Subject, crl: Crl | undefined, why: string, url?: string): Problem =>
  error(
    ProblemCode.CRL_INVALID,
    `the CRL${crl ? ` of '${crlName(crl)}'` : ""}${url ? ` from ${url}` : ""} cannot be used for ` +
      `'${formatName(s.cert.subject)}': ${why}`,
    { ...about(s), ...(crl && { crlIssuer: crlName(crl) }), ...(url && { url }), reason: why },
  );

/** A CRL that RFC 5280 calls malformed but that OpenSSL and CryptoAPI read anyway. */
export const nonconformant = (s: Subject, crl: Crl, rule: string): Problem =>
  warning(ProblemCode.NONCONFORMANT, `the CRL of '${crlName(crl)}' breaks ${rule}`, {
    ...about(s),
    crlIssuer: crlName(crl),
    rule,
  });
