/**
 * The X.509 certificate model used by validation, read straight from DER (see der.ts for why).
 */
import { createHash } from "node:crypto";
import {
  content,
  DerError,
  encoding,
  parseOne,
  Reader,
  readBitString,
  readBoolean,
  readOid,
  readSmallInteger,
  readTime,
  serialKey,
  Tag,
  type Tlv,
} from "./der.ts";
import {
  decodeAuthorityInfoAccess,
  decodeAuthorityKeyIdentifier,
  decodeBasicConstraints,
  decodeCertificatePolicies,
  decodeCrlDistributionPoints,
  decodeExtKeyUsage,
  decodeFreshestCrl,
  decodeInhibitAnyPolicy,
  decodeKeyUsage,
  decodeNameConstraints,
  decodePolicyConstraints,
  decodePolicyMappings,
  decodeSubjectAltName,
  decodeSubjectKeyIdentifier,
} from "./extension-decoders.ts";
import {
  type AccessDescription,
  type AuthorityKeyIdentifier,
  type BasicConstraints,
  type CertificateExtensions,
  type DistributionPoint,
  type Extension,
  ExtensionOid,
  type NameConstraints,
  type PolicyConstraints,
  type PolicyInformation,
  type PolicyMapping,
} from "./extensions.ts";
import type { GeneralName } from "./general-name.ts";
import { type Name, namesEqual, parseName } from "./name.ts";

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
  /**
   * The serial INTEGER's content octets as encoded (two's complement), so validation can flag serials that
   * are negative, zero or longer than 20 octets (RFC 5280 §4.1.2.2).
   */
  readonly serialNumberBytes: Uint8Array;
  /** The outer signatureAlgorithm. */
  readonly signatureAlgorithm: AlgorithmIdentifier;
  /** tbsCertificate.signature; must equal the outer one. */
  readonly tbsSignatureAlgorithm: AlgorithmIdentifier;
  /** The signatureValue octets. */
  readonly signature: Uint8Array;
  /**
   * The BIT STRING's unused-bits count; non-zero means a malformed signature, and `signature` then holds the
   * whole BIT STRING content (unused-bits octet first) so it cannot verify.
   */
  readonly signatureUnusedBits: number;
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

/** The certificate cannot be read; `message` says what is wrong and where. */
export class CertificateParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CertificateParseError";
  }
}

/** Parses an AlgorithmIdentifier SEQUENCE. */
export function parseAlgorithmIdentifier(t: Tlv): AlgorithmIdentifier {
  if (t.tag !== Tag.SEQUENCE) throw new DerError("expected AlgorithmIdentifier SEQUENCE", t.offset);
  const r = new Reader(t);
  const oid = readOid(r.next(Tag.OID, "algorithm"));
  if (r.done) return { oid };
  const parameters = encoding(r.next());
  r.end("AlgorithmIdentifier");
  return { oid, parameters };
}

/** Same algorithm and byte-identical parameters (RFC 5280 §4.1.1.2 wants the two copies equal). */
export function sameAlgorithm(a: AlgorithmIdentifier, b: AlgorithmIdentifier): boolean {
  if (a.oid !== b.oid) return false;
  if (!a.parameters || !b.parameters) return a.parameters === b.parameters;
  return Buffer.compare(a.parameters, b.parameters) === 0;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The decoders for the extensions the model exposes, by OID, with the field each fills. */
const DECODERS: ReadonlyMap<
  string,
  { field: keyof CertificateExtensions; decode: (v: Uint8Array) => unknown }
> = new Map([
  [ExtensionOid.basicConstraints, { field: "basicConstraints", decode: decodeBasicConstraints }],
  [ExtensionOid.keyUsage, { field: "keyUsage", decode: decodeKeyUsage }],
  [ExtensionOid.extKeyUsage, { field: "extKeyUsage", decode: decodeExtKeyUsage }],
  [ExtensionOid.subjectAltName, { field: "subjectAltName", decode: decodeSubjectAltName }],
  [ExtensionOid.nameConstraints, { field: "nameConstraints", decode: decodeNameConstraints }],
  [ExtensionOid.certificatePolicies, { field: "certificatePolicies", decode: decodeCertificatePolicies }],
  [ExtensionOid.policyMappings, { field: "policyMappings", decode: decodePolicyMappings }],
  [ExtensionOid.policyConstraints, { field: "policyConstraints", decode: decodePolicyConstraints }],
  [ExtensionOid.inhibitAnyPolicy, { field: "inhibitAnyPolicy", decode: decodeInhibitAnyPolicy }],
  [
    ExtensionOid.crlDistributionPoints,
    { field: "crlDistributionPoints", decode: decodeCrlDistributionPoints },
  ],
  [ExtensionOid.freshestCrl, { field: "freshestCrl", decode: decodeFreshestCrl }],
  [ExtensionOid.authorityInfoAccess, { field: "authorityInfoAccess", decode: decodeAuthorityInfoAccess }],
  [
    ExtensionOid.authorityKeyIdentifier,
    { field: "authorityKeyIdentifier", decode: decodeAuthorityKeyIdentifier },
  ],
  [ExtensionOid.subjectKeyIdentifier, { field: "subjectKeyIdentifier", decode: decodeSubjectKeyIdentifier }],
]);

/** The certificate object; a class so every instance shares one shape (the extension fields are always set). */
class ParsedCertificate implements Certificate {
  basicConstraints: BasicConstraints | undefined = undefined;
  keyUsage: number | undefined = undefined;
  extKeyUsage: readonly string[] | undefined = undefined;
  subjectAltName: readonly GeneralName[] | undefined = undefined;
  nameConstraints: NameConstraints | undefined = undefined;
  certificatePolicies: readonly PolicyInformation[] | undefined = undefined;
  policyMappings: readonly PolicyMapping[] | undefined = undefined;
  policyConstraints: PolicyConstraints | undefined = undefined;
  inhibitAnyPolicy: number | undefined = undefined;
  crlDistributionPoints: readonly DistributionPoint[] | undefined = undefined;
  freshestCrl: readonly DistributionPoint[] | undefined = undefined;
  authorityInfoAccess: readonly AccessDescription[] | undefined = undefined;
  authorityKeyIdentifier: AuthorityKeyIdentifier | undefined = undefined;
  subjectKeyIdentifier: Uint8Array | undefined = undefined;
  /** Computed eagerly (about 1.5 µs): every report prints it, and a getter would be lost by `{...cert}`. */
  readonly thumbprint: string;

  constructor(
    readonly der: Uint8Array,
    readonly tbs: Uint8Array,
    readonly version: number,
    readonly serialNumber: string,
    readonly serialNumberBytes: Uint8Array,
    readonly signatureAlgorithm: AlgorithmIdentifier,
    readonly tbsSignatureAlgorithm: AlgorithmIdentifier,
    readonly signature: Uint8Array,
    readonly signatureUnusedBits: number,
    readonly issuer: Name,
    readonly subject: Name,
    readonly notBefore: Date,
    readonly notAfter: Date,
    readonly spki: Uint8Array,
    readonly publicKeyAlgorithm: AlgorithmIdentifier,
    readonly extensions: ReadonlyMap<string, Extension>,
    readonly selfIssued: boolean,
  ) {
    this.thumbprint = createHash("sha1").update(der).digest("hex").toUpperCase();
  }
}

function readVersion(r: Reader): number {
  const v = r.optional(0xa0);
  if (!v) return 1;
  const inner = parseOne(content(v), "version");
  if (inner.tag !== Tag.INTEGER) throw new DerError("version is not an INTEGER", v.offset);
  const value = readSmallInteger(inner);
  if (value > 2) throw new CertificateParseError(`unsupported certificate version ${value + 1}`);
  return value + 1;
}

function readExtensions(t: Tlv): Map<string, Extension> {
  const list = parseOne(content(t), "extensions");
  if (list.tag !== Tag.SEQUENCE) throw new DerError("expected Extensions SEQUENCE", t.offset);
  const out = new Map<string, Extension>();
  const r = new Reader(list);
  while (!r.done) {
    const er = new Reader(r.next(Tag.SEQUENCE, "Extension"));
    const oid = readOid(er.next(Tag.OID, "extnID"));
    const criticalTlv = er.optional(Tag.BOOLEAN);
    const critical = criticalTlv ? readBoolean(criticalTlv) : false;
    const value = content(er.next(Tag.OCTET_STRING, "extnValue"));
    er.end("Extension");
    if (out.has(oid)) throw new CertificateParseError(`duplicate extension ${oid}`);
    out.set(oid, { oid, critical, value });
  }
  return out;
}

function decodeKnownExtensions(
  cert: Mutable<CertificateExtensions>,
  extensions: Map<string, Extension>,
): void {
  for (const ext of extensions.values()) {
    const decoder = DECODERS.get(ext.oid);
    if (!decoder) continue;
    try {
      (cert as Record<string, unknown>)[decoder.field] = decoder.decode(ext.value);
    } catch (e) {
      throw new CertificateParseError(`extension ${ext.oid} (${decoder.field}): ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
}

function parseTbsAndBuild(der: Uint8Array): ParsedCertificate {
  const outer = new Reader(parseOne(der, "certificate"));
  const tbsTlv = outer.next(Tag.SEQUENCE, "tbsCertificate");
  const signatureAlgorithm = parseAlgorithmIdentifier(outer.next(Tag.SEQUENCE, "signatureAlgorithm"));
  const sigTlv = outer.next(Tag.BIT_STRING, "signatureValue");
  const sig = readBitString(sigTlv);
  outer.end("Certificate");

  const r = new Reader(tbsTlv);
  const version = readVersion(r);
  const serialTlv = r.next(Tag.INTEGER, "serialNumber");
  if (serialTlv.end === serialTlv.start) throw new DerError("empty serialNumber", serialTlv.offset);
  const tbsSignatureAlgorithm = parseAlgorithmIdentifier(r.next(Tag.SEQUENCE, "signature"));
  const issuer = parseName(r.next(Tag.SEQUENCE, "issuer"));
  const validity = new Reader(r.next(Tag.SEQUENCE, "validity"));
  const notBefore = readTime(validity.next(undefined, "notBefore"));
  const notAfter = readTime(validity.next(undefined, "notAfter"));
  validity.end("Validity");
  const subject = parseName(r.next(Tag.SEQUENCE, "subject"));
  const spkiTlv = r.next(Tag.SEQUENCE, "subjectPublicKeyInfo");
  const spkiReader = new Reader(spkiTlv);
  const publicKeyAlgorithm = parseAlgorithmIdentifier(spkiReader.next(Tag.SEQUENCE, "algorithm"));
  spkiReader.next(Tag.BIT_STRING, "subjectPublicKey");
  spkiReader.end("SubjectPublicKeyInfo");
  const issuerUid = r.optional(0x81);
  const subjectUid = r.optional(0x82);
  if ((issuerUid || subjectUid) && version === 1)
    throw new CertificateParseError("unique identifier in a v1 certificate");
  const extTlv = r.optional(0xa3);
  r.end("TBSCertificate");
  if (extTlv && version !== 3) throw new CertificateParseError(`extensions in a v${version} certificate`);
  const extensions = extTlv ? readExtensions(extTlv) : new Map<string, Extension>();

  const cert = new ParsedCertificate(
    der,
    encoding(tbsTlv),
    version,
    serialKey(serialTlv.bytes, serialTlv.start, serialTlv.end),
    content(serialTlv),
    signatureAlgorithm,
    tbsSignatureAlgorithm,
    // A signature is a whole number of octets. With unused bits the value is not the signature the issuer
    // computed (PKITS tampers with exactly this octet), so keep the unused-bits octet in: it can never verify.
    sig.unusedBits === 0 ? sig.bits : content(sigTlv),
    sig.unusedBits,
    issuer,
    subject,
    notBefore,
    notAfter,
    encoding(spkiTlv),
    publicKeyAlgorithm,
    extensions,
    namesEqual(issuer, subject),
  );
  decodeKnownExtensions(cert, extensions);
  return cert;
}

/**
 * Parses one DER certificate. The result keeps views into `der` (no copies), so `der` must not be mutated.
 * Unknown extensions stay raw in `extensions`; known ones are also decoded into their fields.
 * @throws CertificateParseError naming what is malformed.
 */
export function parseCertificate(der: Uint8Array): Certificate {
  try {
    return parseTbsAndBuild(der);
  } catch (e) {
    if (e instanceof CertificateParseError) throw e;
    if (e instanceof DerError)
      throw new CertificateParseError(`malformed certificate: ${e.message}`, { cause: e });
    throw new CertificateParseError(`malformed certificate: ${(e as Error).message}`, { cause: e });
  }
}
