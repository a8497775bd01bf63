/**
 * The certificate extensions this engine processes. RFC 5280 §4.2: a certificate-using system MUST
 * reject a certificate with a critical extension it does not recognise — that is how a CA says
 * "don't use this unless you understand X".
 */
import type { Certificate } from "./certificate.ts";
import { ExtensionOid } from "./extensions.ts";

/**
 * Extensions whose meaning validation or the S/MIME rules act on. AKI, SKI and AIA are listed because
 * they are understood (path building hints, issuer fetching) even though RFC 5280 says they must not be
 * critical; that breach is a profile matter, not a reason to reject as "unknown".
 */
export const PROCESSED_EXTENSIONS: ReadonlySet<string> = new Set<string>([
  ExtensionOid.basicConstraints,
  ExtensionOid.keyUsage,
  ExtensionOid.extKeyUsage,
  ExtensionOid.subjectAltName,
  ExtensionOid.nameConstraints,
  ExtensionOid.certificatePolicies,
  ExtensionOid.policyMappings,
  ExtensionOid.policyConstraints,
  ExtensionOid.inhibitAnyPolicy,
  ExtensionOid.crlDistributionPoints,
  ExtensionOid.freshestCrl,
  ExtensionOid.authorityKeyIdentifier,
  ExtensionOid.subjectKeyIdentifier,
  ExtensionOid.authorityInfoAccess,
]);

/** The OIDs of the critical extensions of `cert` that this engine does not process. */
export function unsupportedCriticalExtensions(cert: Certificate): string[] {
  const unknown: string[] = [];
  for (const ext of cert.extensions.values()) {
    if (ext.critical && !PROCESSED_EXTENSIONS.has(ext.oid)) unknown.push(ext.oid);
  }
  return unknown;
}
