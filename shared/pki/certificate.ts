/**
 * The X.509 certificate model used by validation, read straight from DER (see der.ts for why).
 */
import type { CertificateExtensions, Extension } from "./extensions.ts";
import type { Name } from "./name.ts";

/** An AlgorithmIdentifier: `parameters` is the DER of the parameters field, when present. */
export interface AlgorithmIdentifier {
  readonly oid: string;
  readonly parameters?: Uint8Array;
}

export interface Certificate extends CertificateExtensions {
  /** The whole certificate DER. */
  readonly der: Uint8Array;
  /** The DER of tbsCertificate: what the signature covers. */
  readonly tbs: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  /** serialKey form: lower-case hex without redundant leading zeros. */
  readonly serialNumber: string;
  /** The outer signatureAlgorithm. */
  readonly signatureAlgorithm: AlgorithmIdentifier;
  /** tbsCertificate.signature; must equal the outer one. */
  readonly tbsSignatureAlgorithm: AlgorithmIdentifier;
  readonly signature: Uint8Array;
  readonly issuer: Name;
  readonly subject: Name;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER of SubjectPublicKeyInfo (what node:crypto createPublicKey takes as `spki`). */
  readonly spki: Uint8Array;
  readonly publicKeyAlgorithm: AlgorithmIdentifier;
  /** Every extension by OID, decoded or not. */
  readonly extensions: ReadonlyMap<string, Extension>;
  /** SHA-1 of the DER, upper-case hex (what Windows and Exchange call the thumbprint). */
  readonly thumbprint: string;
  /** Subject and issuer names match (RFC 5280 self-issued). */
  readonly selfIssued: boolean;
}
