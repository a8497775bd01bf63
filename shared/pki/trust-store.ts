/**
 * Certificate pools indexed by subject name, and the trust store (the anchors: Exchange Online's
 * virtual certificate collection).
 *
 * Path building asks "who could have issued this?" once per link for every leaf; a map from the
 * RFC 5280 name key makes that O(1) however many anchors or intermediates are loaded.
 */
import { type Certificate, CertificateParseError, parseCertificate } from "./certificate.ts";
import { toBase64 } from "./der.ts";
import { extractCertificates } from "./formats.ts";

const identities = new WeakMap<Certificate, string>();

/**
 * A certificate's identity as a trust anchor or a CA: subject name plus public key (RFC 5280 §6.1.1 (d)
 * defines a trust anchor by name and key, not by the certificate that carries them).
 */
export function caIdentity(cert: Certificate): string {
  let id = identities.get(cert);
  if (id === undefined) {
    id = `${cert.subject.key}\u0000${toBase64(cert.spki)}`;
    identities.set(cert, id);
  }
  return id;
}

/** Certificates indexed by subject name key, de-duplicated by thumbprint. */
export class CertificateIndex {
  readonly #bySubject = new Map<string, Certificate[]>();
  readonly #byThumbprint = new Map<string, Certificate>();
  readonly #byIdentity = new Map<string, Certificate>();

  constructor(certificates: Iterable<Certificate> = []) {
    for (const c of certificates) this.add(c);
  }

  /** Adds a certificate; returns false when an identical one (same thumbprint) is already there. */
  add(cert: Certificate): boolean {
    if (this.#byThumbprint.has(cert.thumbprint)) return false;
    this.#byThumbprint.set(cert.thumbprint, cert);
    if (!this.#byIdentity.has(caIdentity(cert))) this.#byIdentity.set(caIdentity(cert), cert);
    const list = this.#bySubject.get(cert.subject.key);
    if (list) list.push(cert);
    else this.#bySubject.set(cert.subject.key, [cert]);
    return true;
  }

  /** Every certificate whose subject matches the name key (RFC 5280 §7.1 comparison), in insertion order. */
  bySubject(nameKey: string): readonly Certificate[] {
    return this.#bySubject.get(nameKey) ?? [];
  }

  /** The first certificate with the same subject name and public key, if any. */
  byIdentity(cert: Certificate): Certificate | undefined {
    return this.#byIdentity.get(caIdentity(cert));
  }

  /** True when this exact certificate (by thumbprint) is held. */
  has(cert: Certificate): boolean {
    return this.#byThumbprint.has(cert.thumbprint);
  }

  get size(): number {
    return this.#byThumbprint.size;
  }

  /** Every certificate, in insertion order. */
  all(): Certificate[] {
    return [...this.#byThumbprint.values()];
  }
}

/**
 * The trust anchors. A certificate is trusted when an anchor has its subject name and public key
 * (RFC 5280 §6.1.1 (d)); a re-issued root with the same name and key is the same anchor.
 */
export class TrustStore extends CertificateIndex {
  /** The anchor that `cert` stands for (same subject name and key), if any. */
  anchorFor(cert: Certificate): Certificate | undefined {
    if (this.has(cert)) return cert;
    return this.byIdentity(cert);
  }
}

/** Builds a trust store from certificates (duplicates by thumbprint are dropped). */
export const createTrustStore = (certificates: Iterable<Certificate>): TrustStore =>
  new TrustStore(certificates);

/** One trust file's bytes and the name to use in error messages. */
export interface TrustSource {
  readonly bytes: Uint8Array;
  readonly source: string;
}

/**
 * Builds a trust store from files (.sst, .p7b, PEM bundles or DER; the virtual certificate collection an
 * admin uploads). Reading the files is the caller's business, so this stays pure.
 * @throws InputFormatError (formats.ts) or CertificateParseError naming the source when a file is unreadable
 */
export function trustStoreFromFiles(files: readonly TrustSource[]): TrustStore {
  const store = new TrustStore();
  for (const { bytes, source } of files) {
    for (const der of extractCertificates(bytes, source)) {
      try {
        store.add(parseCertificate(der));
      } catch (e) {
        throw new CertificateParseError(`${source}: ${e instanceof Error ? e.message : String(e)}`, {
          cause: e,
        });
      }
    }
  }
  return store;
}
