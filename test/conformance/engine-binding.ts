/**
 * The slice of the validation engine the conformance runner drives, behind one small interface so the
 * case logic (pkits.ts, limbo.ts) can be exercised with a fake engine in unit tests.
 */
import { type Certificate, parseCertificate } from "../../shared/pki/certificate.ts";
import { type Crl, parseCrl } from "../../shared/pki/crl.ts";
import { type ChainResult, type EngineOptions, validateChain } from "../../shared/pki/engine.ts";
import { extractCertificates, extractCrls } from "../../shared/pki/formats.ts";

export type { ChainResult, EngineOptions };

/** The engine entry points the suites need. */
export interface ConformanceEngine {
  parseCertificate(der: Uint8Array): Certificate;
  parseCrl(der: Uint8Array): Crl;
  /** DER of every certificate in a PEM/DER/PKCS#7/SST buffer. */
  extractCertificates(bytes: Uint8Array, source: string): Uint8Array[];
  /** DER of every CRL in a PEM/DER/PKCS#7 buffer. */
  extractCrls(bytes: Uint8Array, source: string): Uint8Array[];
  /** Offline: the runner never passes fetchCrl or fetchIssuers. */
  validateChain(leaf: Certificate, options: EngineOptions): Promise<ChainResult>;
}

/** The real engine (shared/pki). */
export const sharedPkiEngine: ConformanceEngine = {
  parseCertificate,
  parseCrl,
  extractCertificates,
  extractCrls,
  validateChain,
};
