/**
 * Signature verification through node:crypto (WebCrypto lacks DSA; node:crypto has every algorithm we need).
 * CONTRACT STUB — replaced by the implementation.
 */
import type { AlgorithmIdentifier } from "./certificate.ts";

export interface SignedObject {
  /** The algorithm named by the signed object (certificate or CRL outer signatureAlgorithm). */
  readonly algorithm: AlgorithmIdentifier;
  /** The bytes the signature covers (tbsCertificate / tbsCertList DER). */
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
}

export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Verifies `object` with the public key in `issuerSpki` (SubjectPublicKeyInfo DER).
 * `inheritedDsaParameters`: DER of Dss-Parms from up the path, when the issuer key omits them (RFC 5280 §6.1.4 (f)).
 * Results are cached, so verifying the same CA signature for 10,000 leaves costs one verification.
 */
export function verifySignature(
  _object: SignedObject,
  _issuerSpki: Uint8Array,
  _inheritedDsaParameters?: Uint8Array,
): VerifyResult {
  throw new Error("verifySignature: not implemented yet");
}
