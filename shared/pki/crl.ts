/**
 * Certificate revocation lists (RFC 5280 §5), read straight from DER with a lazily built serial index.
 *
 * The header and CRL extensions are decoded at once (a few hundred bytes); the revoked entries, which can be
 * megabytes, are indexed on the first `lookup` and decoded one by one only when a lookup hits (crl-index.ts).
 */
import { type AlgorithmIdentifier, parseAlgorithmIdentifier } from "./certificate.ts";
import { decodeEntry, type RevokedEntry, readExtensions } from "./crl-entry.ts";
import { RevokedIndex } from "./crl-index.ts";
import { CrlParseError } from "./crl-parse-error.ts";
import {
  content,
  DerError,
  encoding,
  parseOne,
  Reader,
  readBitString,
  readSmallInteger,
  readTime,
  Tag,
  type Tlv,
} from "./der.ts";
import {
  decodeAuthorityKeyIdentifier,
  decodeCrlNumber,
  decodeDeltaCrlIndicator,
  decodeFreshestCrl,
  decodeIssuingDistributionPoint,
} from "./extension-decoders.ts";
import {
  type AuthorityKeyIdentifier,
  type DistributionPoint,
  type Extension,
  ExtensionOid,
  type IssuingDistributionPoint,
} from "./extensions.ts";
import { type Name, parseName } from "./name.ts";

export { CrlReason, type RevokedEntry, reasonName } from "./crl-entry.ts";
export { CrlParseError } from "./crl-parse-error.ts";

/** A parsed CRL: header fields, decoded CRL extensions, and lookups into the revoked entries. */
export interface Crl {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly tbsSignatureAlgorithm: AlgorithmIdentifier;
  readonly signature: Uint8Array;
  /** The signatureValue BIT STRING's unused-bits count; non-zero means a signature that cannot verify. */
  readonly signatureUnusedBits: number;
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
  /**
   * Critical CRL extensions that cannot be processed (unknown, or known but required to be non-critical):
   * RFC 5280 §5.2 forbids using such a CRL.
   */
  readonly unsupportedCriticalExtensions: readonly string[];
  /**
   * Critical CRL entry extensions this parser does not process (RFC 5280 §5.3: the CRL must not be used).
   * Reading it builds the index, so it may throw CrlParseError.
   */
  readonly unsupportedCriticalEntryExtensions: readonly string[];
  /** Number of revoked entries (builds the index; may throw CrlParseError). */
  readonly size: number;
  /**
   * The entry for a serial of a certificate issued by `certificateIssuer` (matters for indirect CRLs).
   * The first call builds the index; a malformed entry list throws CrlParseError then.
   */
  lookup(serialNumber: string, certificateIssuer: Name): RevokedEntry | undefined;
  /** As `lookup`, by the serial INTEGER's content octets (Certificate.serialNumberBytes): no hex round trip. */
  lookupSerial(serial: Uint8Array, certificateIssuer: Name): RevokedEntry | undefined;
}

// CRL extensions that may be critical and that revocation checking processes (RFC 5280 §5.2). cRLNumber,
// freshestCRL and authorityInfoAccess must be non-critical (§5.2.3, §5.2.6, §5.2.7); marked critical they
// count as unsupported, as OpenSSL treats them (x509-limbo crl::crlnumber-critical).
const PROCESSED_WHEN_CRITICAL = new Set<string>([
  ExtensionOid.authorityKeyIdentifier,
  ExtensionOid.issuerAltName,
  ExtensionOid.deltaCrlIndicator,
  ExtensionOid.issuingDistributionPoint,
]);

const isTime = (tag: number): boolean => tag === Tag.UTC_TIME || tag === Tag.GENERALIZED_TIME;

/** Decodes a known extension, naming it when it is malformed. */
function decodeExtension<T>(exts: ReadonlyMap<string, Extension>, oid: string, decode: (v: Uint8Array) => T) {
  const ext = exts.get(oid);
  if (!ext) return undefined;
  try {
    return decode(ext.value);
  } catch (e) {
    throw new CrlParseError(`malformed CRL extension ${oid}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

interface Header {
  tbs: Tlv;
  version: number;
  tbsSignatureAlgorithm: AlgorithmIdentifier;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  signatureUnusedBits: number;
  issuer: Name;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  revoked: Tlv | undefined;
  extensions: Map<string, Extension>;
}

function readHeader(der: Uint8Array): Header {
  const outer = parseOne(der, "CertificateList");
  if (outer.tag !== Tag.SEQUENCE) throw new DerError("expected CertificateList SEQUENCE", 0);
  const o = new Reader(outer);
  const tbs = o.next(Tag.SEQUENCE, "tbsCertList");
  const signatureAlgorithm = parseAlgorithmIdentifier(o.next(Tag.SEQUENCE, "signatureAlgorithm"));
  const signatureTlv = o.next(Tag.BIT_STRING, "signatureValue");
  const { unusedBits, bits } = readBitString(signatureTlv);
  o.end("CertificateList");

  const r = new Reader(tbs);
  const versionTlv = r.optional(Tag.INTEGER);
  const version = versionTlv ? readSmallInteger(versionTlv) + 1 : 1;
  const tbsSignatureAlgorithm = parseAlgorithmIdentifier(r.next(Tag.SEQUENCE, "signature"));
  const issuer = parseName(r.next(Tag.SEQUENCE, "issuer"));
  const thisUpdate = readTime(r.next(undefined, "thisUpdate"));
  const nextUpdate = isTime(r.peekTag()) ? readTime(r.next()) : undefined;
  const revoked = r.optional(Tag.SEQUENCE);
  const extsWrapper = r.optional(0xa0);
  r.end("tbsCertList");
  let extensions = new Map<string, Extension>();
  if (extsWrapper) {
    const inner = new Reader(extsWrapper);
    extensions = readExtensions(inner.next(Tag.SEQUENCE, "crlExtensions"));
    inner.end("crlExtensions");
  }
  return {
    tbs,
    version,
    tbsSignatureAlgorithm,
    signatureAlgorithm,
    // Unused bits make the signature malformed; keep the whole content then, so it cannot verify.
    signature: unusedBits === 0 ? bits : content(signatureTlv),
    signatureUnusedBits: unusedBits,
    issuer,
    thisUpdate,
    nextUpdate,
    revoked,
    extensions,
  };
}

/** serialKey hex (two's-complement INTEGER content) back to its octets. */
function hexToInteger(hex: string): Uint8Array {
  const odd = hex.length % 2;
  const out = new Uint8Array((hex.length + odd) / 2);
  for (let i = 0, c = -odd; i < out.length; i++, c += 2) {
    out[i] = (c < 0 ? 0 : nibble(hex.charCodeAt(c)) << 4) | nibble(hex.charCodeAt(c + 1));
  }
  return out;
}

function nibble(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  throw new RangeError("serial number is not hexadecimal");
}

/**
 * Any failure while reading bytes is a malformed CRL: DerError, but also a TextDecoder refusing a bad
 * UTF8String in a name. Callers then need to catch one type only.
 */
function asParseError(e: unknown): CrlParseError {
  if (e instanceof CrlParseError) return e;
  if (e instanceof DerError) return new CrlParseError(`malformed CRL: ${e.message}`, e.offset);
  return new CrlParseError(`malformed CRL: ${e instanceof Error ? e.message : String(e)}`);
}

class ParsedCrl implements Crl {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly tbsSignatureAlgorithm: AlgorithmIdentifier;
  readonly signature: Uint8Array;
  readonly signatureUnusedBits: number;
  readonly version: number;
  readonly issuer: Name;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly crlNumber?: string;
  readonly deltaCrlIndicator?: string;
  readonly issuingDistributionPoint?: IssuingDistributionPoint;
  readonly authorityKeyIdentifier?: AuthorityKeyIdentifier;
  readonly freshestCrl?: readonly DistributionPoint[];
  readonly extensions: ReadonlyMap<string, Extension>;
  readonly unsupportedCriticalExtensions: readonly string[];
  private readonly revoked: Tlv | undefined;
  private index: RevokedIndex | undefined;

  constructor(der: Uint8Array, h: Header) {
    this.der = der;
    this.tbs = encoding(h.tbs);
    this.signatureAlgorithm = h.signatureAlgorithm;
    this.tbsSignatureAlgorithm = h.tbsSignatureAlgorithm;
    this.signature = h.signature;
    this.signatureUnusedBits = h.signatureUnusedBits;
    this.version = h.version;
    this.issuer = h.issuer;
    this.thisUpdate = h.thisUpdate;
    if (h.nextUpdate) this.nextUpdate = h.nextUpdate;
    this.extensions = h.extensions;
    this.revoked = h.revoked;
    const exts = h.extensions;
    const crlNumber = decodeExtension(exts, ExtensionOid.crlNumber, decodeCrlNumber);
    if (crlNumber !== undefined) this.crlNumber = crlNumber;
    const base = decodeExtension(exts, ExtensionOid.deltaCrlIndicator, decodeDeltaCrlIndicator);
    if (base !== undefined) this.deltaCrlIndicator = base;
    const idp = decodeExtension(exts, ExtensionOid.issuingDistributionPoint, decodeIssuingDistributionPoint);
    if (idp) this.issuingDistributionPoint = idp;
    const aki = decodeExtension(exts, ExtensionOid.authorityKeyIdentifier, decodeAuthorityKeyIdentifier);
    if (aki) this.authorityKeyIdentifier = aki;
    const freshest = decodeExtension(exts, ExtensionOid.freshestCrl, decodeFreshestCrl);
    if (freshest) this.freshestCrl = freshest;
    this.unsupportedCriticalExtensions = [...exts.values()]
      .filter((e) => e.critical && !PROCESSED_WHEN_CRITICAL.has(e.oid))
      .map((e) => e.oid);
  }

  private revokedIndex(): RevokedIndex {
    if (!this.index) {
      try {
        const indirect = this.issuingDistributionPoint?.indirectCrl ?? false;
        this.index = new RevokedIndex(this.der, this.revoked, this.issuer, indirect);
      } catch (e) {
        throw asParseError(e);
      }
    }
    return this.index;
  }

  get size(): number {
    return this.revokedIndex().size;
  }

  get unsupportedCriticalEntryExtensions(): readonly string[] {
    return this.revokedIndex().unsupportedCriticalEntryExtensions;
  }

  lookup(serialNumber: string, certificateIssuer: Name): RevokedEntry | undefined {
    return this.lookupSerial(hexToInteger(serialNumber), certificateIssuer);
  }

  lookupSerial(serial: Uint8Array, certificateIssuer: Name): RevokedEntry | undefined {
    const hit = this.revokedIndex().find(serial, certificateIssuer);
    if (!hit) return undefined;
    try {
      return decodeEntry(hit.entry, this.issuingDistributionPoint?.indirectCrl ? hit.issuer : undefined);
    } catch (e) {
      throw asParseError(e);
    }
  }
}

/**
 * Parses a DER CertificateList. The header and CRL extensions are read now; the revoked entries are
 * indexed on the first `lookup`. Throws CrlParseError for malformed DER or a malformed known extension.
 */
export function parseCrl(der: Uint8Array): Crl {
  try {
    return new ParsedCrl(der, readHeader(der));
  } catch (e) {
    throw asParseError(e);
  }
}
