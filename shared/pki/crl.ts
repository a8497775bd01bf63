/**
 * Certificate revocation lists, read straight from DER with a lazily built serial index.
 * CONTRACT STUB — replaced by the implementation.
 */
import type { AlgorithmIdentifier } from "./certificate.ts";
import type { AuthorityKeyIdentifier, DistributionPoint, Extension, IssuingDistributionPoint } from "./extensions.ts";
import type { Name } from "./name.ts";

export interface RevokedEntry {
  readonly serialNumber: string;
  readonly revocationDate: Date;
  /** CRLReason code (RFC 5280 §5.3.1), when present. */
  readonly reason?: number;
  readonly invalidityDate?: Date;
  /** For indirect CRLs: the issuer this entry belongs to. */
  readonly certificateIssuer?: Name;
}

export interface Crl {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly tbsSignatureAlgorithm: AlgorithmIdentifier;
  readonly signature: Uint8Array;
  readonly version: number;
  readonly issuer: Name;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** CRL number as lower-case hex (serialKey form). */
  readonly crlNumber?: string;
  /** For delta CRLs: the BaseCRLNumber (serialKey form). */
  readonly deltaCrlIndicator?: string;
  readonly issuingDistributionPoint?: IssuingDistributionPoint;
  readonly authorityKeyIdentifier?: AuthorityKeyIdentifier;
  readonly freshestCrl?: readonly DistributionPoint[];
  readonly extensions: ReadonlyMap<string, Extension>;
  /** Number of revoked entries. */
  readonly size: number;
  /** The entry for a serial of a certificate issued by `certificateIssuer` (matters for indirect CRLs). */
  lookup(serialNumber: string, certificateIssuer: Name): RevokedEntry | undefined;
}

export function parseCrl(_der: Uint8Array): Crl {
  throw new Error("parseCrl: not implemented yet");
}
