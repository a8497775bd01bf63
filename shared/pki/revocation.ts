/**
 * RFC 5280 §6.3 CRL-based revocation checking for every certificate of a path but the anchor.
 * CONTRACT STUB — replaced by the implementation.
 */
import type { Certificate } from "./certificate.ts";
import type { Crl } from "./crl.ts";
import type { Problem } from "./problems.ts";

export type CrlFetchResult = { readonly ok: true; readonly crl: Crl } | { readonly ok: false; readonly reason: string };

export interface RevocationContext {
  readonly time: Date;
  /** CRLs given up front (files). Used before any fetch. */
  readonly crls: readonly Crl[];
  /** Fetches (and caches) a CRL by http(s) URL; absent when offline, which makes a needed fetch CRL_UNREACHABLE. */
  readonly fetchCrl?: (url: string) => Promise<CrlFetchResult>;
  /** Certificates that may have signed a CRL (path, intermediates, anchors). */
  readonly candidateSigners: readonly Certificate[];
  /**
   * Validates the certification path of a CRL signer that is not the certificate's own issuer
   * (RFC 5280 §6.3.3 (f)): the signer must chain to the same trust anchor. Returns problems, empty when valid.
   */
  readonly validateSigner: (signer: Certificate, anchor: Certificate) => Promise<readonly Problem[]>;
}

/** `path` is anchor first, end entity last; every certificate but the anchor is checked. */
export async function checkRevocation(_path: readonly Certificate[], _ctx: RevocationContext): Promise<Problem[]> {
  throw new Error("checkRevocation: not implemented yet");
}
