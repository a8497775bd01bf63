/**
 * Decoders for the certificate and CRL extensions of RFC 5280 §4.2 and §5.2–5.3.
 *
 * Each takes the content of the extnValue OCTET STRING and returns the type from extensions.ts, or throws
 * DerError. They are shared by the certificate parser and the CRL parser, so they know nothing of either.
 */
import {
  children,
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
import type {
  AccessDescription,
  AuthorityKeyIdentifier,
  BasicConstraints,
  DistributionPoint,
  DistributionPointName,
  GeneralSubtree,
  IssuingDistributionPoint,
  NameConstraints,
  PolicyConstraints,
  PolicyInformation,
  PolicyMapping,
  PolicyQualifier,
} from "./extensions.ts";
import { type GeneralName, parseGeneralName, parseGeneralNames } from "./general-name.ts";
import { type Name, parseNameDer } from "./name.ts";

/** Re-tags an IMPLICIT-tagged primitive so the universal readers accept it. */
const as = (t: Tlv, tag: number): Tlv => ({
  bytes: t.bytes,
  tag,
  offset: t.offset,
  start: t.start,
  end: t.end,
});

/** Children of a SEQUENCE OF, which RFC 5280 requires to hold at least one element. */
function nonEmptySequence(t: Tlv, what: string): Tlv[] {
  if (t.tag !== Tag.SEQUENCE) throw new DerError(`expected ${what} SEQUENCE`, t.offset);
  const items = children(t);
  if (items.length === 0) throw new DerError(`empty ${what}`, t.offset);
  return items;
}

/**
 * A named BIT STRING (KeyUsage, ReasonFlags) as a mask: bit n is `1 << n`. DER numbers bits from the most
 * significant bit of the first byte, so bit 0 is 0x80 of byte 0 and bit 8 is 0x80 of byte 1.
 */
export function bitStringMask(t: Tlv): number {
  const { unusedBits, bits } = readBitString(t);
  if (bits.length === 0 && unusedBits !== 0)
    throw new DerError("empty BIT STRING with unused bits", t.offset);
  let mask = 0;
  const n = Math.min(bits.length, 4);
  for (let i = 0; i < n; i++) {
    const byte = bits[i]!;
    for (let b = 0; b < 8; b++) if (byte & (0x80 >> b)) mask |= 1 << (i * 8 + b);
  }
  return mask >>> 0;
}

/** basicConstraints (2.5.29.19). An explicit `cA FALSE` is tolerated, as OpenSSL and Go do. */
export function decodeBasicConstraints(value: Uint8Array): BasicConstraints {
  const r = new Reader(parseOne(value, "basicConstraints"));
  const caTlv = r.optional(Tag.BOOLEAN);
  const ca = caTlv ? readBoolean(caTlv) : false;
  const lenTlv = r.optional(Tag.INTEGER);
  r.end("BasicConstraints");
  return lenTlv ? { ca, pathLenConstraint: readSmallInteger(lenTlv) } : { ca };
}

/** keyUsage (2.5.29.15) as a `KeyUsage` mask. */
export function decodeKeyUsage(value: Uint8Array): number {
  return bitStringMask(parseOne(value, "keyUsage"));
}

/** extKeyUsage (2.5.29.37): the KeyPurposeId OIDs. An empty list is malformed (RFC 5280 §4.2.1.12: SIZE (1..MAX)). */
export function decodeExtKeyUsage(value: Uint8Array): string[] {
  return nonEmptySequence(parseOne(value, "extKeyUsage"), "ExtKeyUsageSyntax").map(readOid);
}

/**
 * GeneralNames for subjectAltName, issuerAltName and the CRL entry certificateIssuer. RFC 5280 requires at
 * least one name, which is what makes `rfc5280::san::malformed`-style values fail here.
 */
export function decodeGeneralNames(value: Uint8Array): GeneralName[] {
  const t = parseOne(value, "GeneralNames");
  nonEmptySequence(t, "GeneralNames");
  return parseGeneralNames(t);
}

export const decodeSubjectAltName = decodeGeneralNames;
export const decodeIssuerAltName = decodeGeneralNames;
/** CRL entry extension certificateIssuer (2.5.29.29), for indirect CRLs. */
export const decodeCertificateIssuer = decodeGeneralNames;

function decodeSubtrees(t: Tlv): GeneralSubtree[] {
  const out: GeneralSubtree[] = [];
  for (const s of children(t)) {
    if (s.tag !== Tag.SEQUENCE) throw new DerError("expected GeneralSubtree SEQUENCE", s.offset);
    const r = new Reader(s);
    const base = parseGeneralName(r.next(undefined, "GeneralSubtree base"));
    const min = r.optional(0x80);
    const max = r.optional(0x81);
    r.end("GeneralSubtree");
    const minimum = min ? readSmallInteger(as(min, Tag.INTEGER)) : 0;
    out.push(max ? { base, minimum, maximum: readSmallInteger(as(max, Tag.INTEGER)) } : { base, minimum });
  }
  if (out.length === 0) throw new DerError("empty GeneralSubtrees", t.offset);
  return out;
}

/** nameConstraints (2.5.29.30). An extension with neither list is malformed (RFC 5280 §4.2.1.10). */
export function decodeNameConstraints(value: Uint8Array): NameConstraints {
  const t = parseOne(value, "nameConstraints");
  if (t.tag !== Tag.SEQUENCE) throw new DerError("expected NameConstraints SEQUENCE", t.offset);
  const r = new Reader(t);
  const permittedTlv = r.optional(0xa0);
  const excludedTlv = r.optional(0xa1);
  r.end("NameConstraints");
  if (!permittedTlv && !excludedTlv)
    throw new DerError("NameConstraints has neither permitted nor excluded subtrees", 0);
  const out: { permitted?: GeneralSubtree[]; excluded?: GeneralSubtree[] } = {};
  if (permittedTlv) out.permitted = decodeSubtrees(permittedTlv);
  if (excludedTlv) out.excluded = decodeSubtrees(excludedTlv);
  return out;
}

/** certificatePolicies (2.5.29.32); qualifiers are kept as DER, validation does not interpret them. */
export function decodeCertificatePolicies(value: Uint8Array): PolicyInformation[] {
  return nonEmptySequence(parseOne(value, "certificatePolicies"), "certificatePolicies").map((p) => {
    if (p.tag !== Tag.SEQUENCE) throw new DerError("expected PolicyInformation SEQUENCE", p.offset);
    const r = new Reader(p);
    const policyId = readOid(r.next(Tag.OID, "policyIdentifier"));
    const q = r.optional(Tag.SEQUENCE);
    r.end("PolicyInformation");
    const qualifiers: PolicyQualifier[] = q
      ? nonEmptySequence(q, "policyQualifiers").map((info) => {
          if (info.tag !== Tag.SEQUENCE)
            throw new DerError("expected PolicyQualifierInfo SEQUENCE", info.offset);
          const qr = new Reader(info);
          const id = readOid(qr.next(Tag.OID, "policyQualifierId"));
          const qualifier = encoding(qr.next(undefined, "qualifier"));
          qr.end("PolicyQualifierInfo");
          return { id, qualifier };
        })
      : [];
    return { policyId, qualifiers };
  });
}

/** policyMappings (2.5.29.33). */
export function decodePolicyMappings(value: Uint8Array): PolicyMapping[] {
  return nonEmptySequence(parseOne(value, "policyMappings"), "PolicyMappings").map((m) => {
    if (m.tag !== Tag.SEQUENCE) throw new DerError("expected PolicyMapping SEQUENCE", m.offset);
    const r = new Reader(m);
    const issuerDomainPolicy = readOid(r.next(Tag.OID, "issuerDomainPolicy"));
    const subjectDomainPolicy = readOid(r.next(Tag.OID, "subjectDomainPolicy"));
    r.end("PolicyMapping");
    return { issuerDomainPolicy, subjectDomainPolicy };
  });
}

/** policyConstraints (2.5.29.36). Both fields absent is malformed (RFC 5280 §4.2.1.11). */
export function decodePolicyConstraints(value: Uint8Array): PolicyConstraints {
  const t = parseOne(value, "policyConstraints");
  if (t.tag !== Tag.SEQUENCE) throw new DerError("expected PolicyConstraints SEQUENCE", t.offset);
  const r = new Reader(t);
  const explicit = r.optional(0x80);
  const inhibit = r.optional(0x81);
  r.end("PolicyConstraints");
  if (!explicit && !inhibit) throw new DerError("PolicyConstraints is empty", 0);
  const out: { requireExplicitPolicy?: number; inhibitPolicyMapping?: number } = {};
  if (explicit) out.requireExplicitPolicy = readSmallInteger(as(explicit, Tag.INTEGER));
  if (inhibit) out.inhibitPolicyMapping = readSmallInteger(as(inhibit, Tag.INTEGER));
  return out;
}

/** inhibitAnyPolicy (2.5.29.54): SkipCerts. */
export function decodeInhibitAnyPolicy(value: Uint8Array): number {
  const t = parseOne(value, "inhibitAnyPolicy");
  if (t.tag !== Tag.INTEGER) throw new DerError("expected INTEGER", t.offset);
  return readSmallInteger(t);
}

/**
 * DistributionPointName from its explicit [0] wrapper. `nameRelativeToCrlIssuer` is returned as the DER of
 * a RelativeDistinguishedName (tag SET), ready to append to the CRL issuer's name (see `distributionPointNames`).
 */
function decodeDistributionPointName(wrapper: Tlv): DistributionPointName {
  const r = new Reader(wrapper);
  const inner = r.next(undefined, "DistributionPointName");
  r.end("distributionPoint");
  if (inner.tag === 0xa0) {
    const names = children(inner).map(parseGeneralName);
    if (names.length === 0) throw new DerError("empty fullName", inner.offset);
    return { fullName: names };
  }
  if (inner.tag === 0xa1) {
    // A copy, never a view: Buffer.slice shares memory, and the caller's signed bytes must not change.
    const rdn = Uint8Array.from(encoding(inner));
    rdn[0] = Tag.SET;
    // Parse it as a one-RDN Name now, so a malformed RDN fails here rather than when a CRL is matched.
    parseNameDer(wrapInSequence(rdn));
    return { nameRelativeToCrlIssuer: rdn };
  }
  throw new DerError(`unknown DistributionPointName tag 0x${inner.tag.toString(16)}`, inner.offset);
}

function decodeDistributionPoint(t: Tlv): DistributionPoint {
  if (t.tag !== Tag.SEQUENCE) throw new DerError("expected DistributionPoint SEQUENCE", t.offset);
  const r = new Reader(t);
  const name = r.optional(0xa0);
  const reasons = r.optional(0x81);
  const issuer = r.optional(0xa2);
  r.end("DistributionPoint");
  // RFC 5280 §4.2.1.13: a point must carry a distributionPoint or a cRLIssuer.
  if (!name && !issuer)
    throw new DerError("DistributionPoint has neither distributionPoint nor cRLIssuer", t.offset);
  const out: { name?: DistributionPointName; reasons?: number; crlIssuer?: GeneralName[] } = {};
  if (name) out.name = decodeDistributionPointName(name);
  if (reasons) out.reasons = bitStringMask(as(reasons, Tag.BIT_STRING));
  if (issuer) {
    out.crlIssuer = children(issuer).map(parseGeneralName);
    if (out.crlIssuer.length === 0) throw new DerError("empty cRLIssuer", issuer.offset);
  }
  return out;
}

/** cRLDistributionPoints (2.5.29.31). */
export function decodeCrlDistributionPoints(value: Uint8Array): DistributionPoint[] {
  return nonEmptySequence(parseOne(value, "cRLDistributionPoints"), "CRLDistributionPoints").map(
    decodeDistributionPoint,
  );
}

/** freshestCRL (2.5.29.46), in certificates and CRLs: the same syntax as cRLDistributionPoints. */
export const decodeFreshestCrl = decodeCrlDistributionPoints;

/** authorityInfoAccess (1.3.6.1.5.5.7.1.1) and subjectInfoAccess (1.3.6.1.5.5.7.1.11). */
export function decodeAuthorityInfoAccess(value: Uint8Array): AccessDescription[] {
  return nonEmptySequence(parseOne(value, "authorityInfoAccess"), "AuthorityInfoAccessSyntax").map((a) => {
    if (a.tag !== Tag.SEQUENCE) throw new DerError("expected AccessDescription SEQUENCE", a.offset);
    const r = new Reader(a);
    const method = readOid(r.next(Tag.OID, "accessMethod"));
    const location = parseGeneralName(r.next(undefined, "accessLocation"));
    r.end("AccessDescription");
    return { method, location };
  });
}

export const decodeSubjectInfoAccess = decodeAuthorityInfoAccess;

/** authorityKeyIdentifier (2.5.29.35), in certificates and CRLs. */
export function decodeAuthorityKeyIdentifier(value: Uint8Array): AuthorityKeyIdentifier {
  const t = parseOne(value, "authorityKeyIdentifier");
  if (t.tag !== Tag.SEQUENCE) throw new DerError("expected AuthorityKeyIdentifier SEQUENCE", t.offset);
  const r = new Reader(t);
  const keyId = r.optional(0x80);
  const issuer = r.optional(0xa1);
  const serial = r.optional(0x82);
  r.end("AuthorityKeyIdentifier");
  const out: {
    keyIdentifier?: Uint8Array;
    authorityCertIssuer?: GeneralName[];
    authorityCertSerialNumber?: string;
  } = {};
  if (keyId) out.keyIdentifier = content(keyId);
  if (issuer) out.authorityCertIssuer = children(issuer).map(parseGeneralName);
  if (serial) {
    if (serial.end === serial.start) throw new DerError("empty authorityCertSerialNumber", serial.offset);
    out.authorityCertSerialNumber = serialKey(serial.bytes, serial.start, serial.end);
  }
  return out;
}

/** subjectKeyIdentifier (2.5.29.14): the key identifier bytes. */
export function decodeSubjectKeyIdentifier(value: Uint8Array): Uint8Array {
  const t = parseOne(value, "subjectKeyIdentifier");
  if (t.tag !== Tag.OCTET_STRING) throw new DerError("expected OCTET STRING", t.offset);
  return content(t);
}

/** issuingDistributionPoint (2.5.29.28), a CRL extension. */
export function decodeIssuingDistributionPoint(value: Uint8Array): IssuingDistributionPoint {
  const t = parseOne(value, "issuingDistributionPoint");
  if (t.tag !== Tag.SEQUENCE) throw new DerError("expected IssuingDistributionPoint SEQUENCE", t.offset);
  const r = new Reader(t);
  const dp = r.optional(0xa0);
  const flag = (tag: number): boolean => {
    const f = r.optional(tag);
    return f ? readBoolean(as(f, Tag.BOOLEAN)) : false;
  };
  const onlyContainsUserCerts = flag(0x81);
  const onlyContainsCACerts = flag(0x82);
  const reasons = r.optional(0x83);
  const indirectCrl = flag(0x84);
  const onlyContainsAttributeCerts = flag(0x85);
  r.end("IssuingDistributionPoint");
  const out: {
    distributionPoint?: DistributionPointName;
    onlyContainsUserCerts: boolean;
    onlyContainsCACerts: boolean;
    onlySomeReasons?: number;
    indirectCrl: boolean;
    onlyContainsAttributeCerts: boolean;
  } = { onlyContainsUserCerts, onlyContainsCACerts, indirectCrl, onlyContainsAttributeCerts };
  if (dp) out.distributionPoint = decodeDistributionPointName(dp);
  if (reasons) out.onlySomeReasons = bitStringMask(as(reasons, Tag.BIT_STRING));
  return out;
}

/** An INTEGER extension value in serialKey form: cRLNumber (2.5.29.20) and deltaCRLIndicator (2.5.29.27). */
function decodeIntegerKey(value: Uint8Array, what: string): string {
  const t = parseOne(value, what);
  if (t.tag !== Tag.INTEGER || t.end === t.start) throw new DerError("expected INTEGER", t.offset);
  if (t.bytes[t.start]! & 0x80) throw new DerError(`negative ${what}`, t.offset);
  return serialKey(t.bytes, t.start, t.end);
}

/** cRLNumber (2.5.29.20) in serialKey form (lower-case hex, no redundant leading zeros). */
export const decodeCrlNumber = (value: Uint8Array): string => decodeIntegerKey(value, "cRLNumber");

/** deltaCRLIndicator (2.5.29.27): the BaseCRLNumber in serialKey form. */
export const decodeDeltaCrlIndicator = (value: Uint8Array): string =>
  decodeIntegerKey(value, "BaseCRLNumber");

/** CRL entry reasonCode (2.5.29.21): the CRLReason ENUMERATED value. */
export function decodeReasonCode(value: Uint8Array): number {
  const t = parseOne(value, "reasonCode");
  if (t.tag !== Tag.ENUMERATED) throw new DerError("expected ENUMERATED", t.offset);
  return readSmallInteger(t);
}

/** CRL entry invalidityDate (2.5.29.24): a GeneralizedTime. */
export function decodeInvalidityDate(value: Uint8Array): Date {
  const t = parseOne(value, "invalidityDate");
  if (t.tag !== Tag.GENERALIZED_TIME) throw new DerError("expected GeneralizedTime", t.offset);
  return readTime(t);
}

function wrapInSequence(inner: Uint8Array): Uint8Array {
  const len = inner.length;
  const header =
    len < 0x80
      ? [Tag.SEQUENCE, len]
      : len < 0x100
        ? [Tag.SEQUENCE, 0x81, len]
        : [Tag.SEQUENCE, 0x82, len >> 8, len & 0xff];
  const out = new Uint8Array(header.length + len);
  out.set(header, 0);
  out.set(inner, header.length);
  return out;
}

/**
 * The full names of a DistributionPointName (RFC 5280 §5.2.5 / §4.2.1.13): `fullName` as is, or the CRL
 * issuer's DN with `nameRelativeToCRLIssuer` appended as its last RDN, as a directoryName.
 */
export function distributionPointNames(name: DistributionPointName, crlIssuer: Name): GeneralName[] {
  if ("fullName" in name) return [...name.fullName];
  const issuerContent = crlIssuer.der.subarray(parseOne(crlIssuer.der, "Name").start);
  const joined = new Uint8Array(issuerContent.length + name.nameRelativeToCrlIssuer.length);
  joined.set(issuerContent, 0);
  joined.set(name.nameRelativeToCrlIssuer, issuerContent.length);
  return [{ type: "directoryName", value: parseNameDer(wrapInSequence(joined)) }];
}
