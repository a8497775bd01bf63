/**
 * X.501 distinguished names: parsing, RFC 5280 §7.1 comparison and RFC 4514 display.
 */
import { children, DerError, encoding, readOid, readString, readTlv, Tag, type Tlv, toHex } from "./der.ts";

/** One attribute of a relative distinguished name. */
export interface AttributeValue {
  /** Attribute type OID, e.g. 2.5.4.3 for commonName. */
  readonly type: string;
  /** The value's universal tag (PrintableString, UTF8String, …). */
  readonly tag: number;
  /** The decoded value; for non-string values, the lower-case hex of its encoding prefixed with `#`. */
  readonly value: string;
  /** The comparison form: case-folded, white space collapsed (RFC 4518), for string values. */
  readonly normalized: string;
}

export interface Rdn {
  readonly attributes: readonly AttributeValue[];
  /** Canonical comparison key of the RDN (attribute order inside the SET does not matter). */
  readonly key: string;
}

export interface Name {
  /** The DER of the whole Name. */
  readonly der: Uint8Array;
  /** RDNs in encoding order (most general first, e.g. C, O, …, CN). */
  readonly rdns: readonly Rdn[];
  /** Canonical comparison key: two names match under RFC 5280 exactly when their keys are equal. */
  readonly key: string;
}

const STRING_TAGS = new Set<number>([
  Tag.UTF8_STRING,
  Tag.PRINTABLE_STRING,
  Tag.T61_STRING,
  Tag.IA5_STRING,
  Tag.VISIBLE_STRING,
  Tag.UNIVERSAL_STRING,
  Tag.BMP_STRING,
]);

/** RFC 4518 in the simplified form RFC 5280 §7.1 allows: NFKC, case fold, insignificant space handling. */
export function normalizeDirectoryString(s: string): string {
  return s.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

function parseAttribute(t: Tlv): AttributeValue {
  if (t.tag !== Tag.SEQUENCE) throw new DerError("expected AttributeTypeAndValue", t.offset);
  const [typeTlv, valueTlv, extra] = children(t);
  if (!typeTlv || !valueTlv || extra)
    throw new DerError("AttributeTypeAndValue needs type and value", t.offset);
  const type = readOid(typeTlv);
  if (STRING_TAGS.has(valueTlv.tag)) {
    const value = readString(valueTlv);
    return { type, tag: valueTlv.tag, value, normalized: normalizeDirectoryString(value) };
  }
  const hex = `#${toHex(encoding(valueTlv))}`;
  return { type, tag: valueTlv.tag, value: hex, normalized: hex };
}

// Separators that cannot occur in normalized values without being escaped.
const escapeKey = (s: string): string => s.replace(/[\\+,=]/g, (c) => `\\${c}`);

function parseRdn(t: Tlv): Rdn {
  if (t.tag !== Tag.SET) throw new DerError("expected RelativeDistinguishedName SET", t.offset);
  const attributes = children(t).map(parseAttribute);
  if (attributes.length === 0) throw new DerError("empty RelativeDistinguishedName", t.offset);
  const key = attributes
    .map((a) => `${a.type}=${escapeKey(a.normalized)}`)
    .sort()
    .join("+");
  return { attributes, key };
}

/** Parses a Name from its TLV (a SEQUENCE of RDNs). */
export function parseName(t: Tlv): Name {
  if (t.tag !== Tag.SEQUENCE) throw new DerError("expected Name SEQUENCE", t.offset);
  const rdns = children(t).map(parseRdn);
  return { der: encoding(t), rdns, key: rdns.map((r) => r.key).join(",") };
}

/** Parses a Name from standalone DER. */
export const parseNameDer = (der: Uint8Array): Name => parseName(readTlv(der, 0));

/** RFC 5280 §7.1 name equality. */
export const namesEqual = (a: Name, b: Name): boolean => a.key === b.key;

/** True when `prefix`'s RDNs begin `name` (directoryName subtree membership for name constraints). */
export function isNamePrefix(prefix: Name, name: Name): boolean {
  if (prefix.rdns.length > name.rdns.length) return false;
  return prefix.rdns.every((r, i) => r.key === name.rdns[i]!.key);
}

export const OID_EMAIL_ADDRESS = "1.2.840.113549.1.9.1";
export const OID_COMMON_NAME = "2.5.4.3";

const SHORT_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "SERIALNUMBER",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "STREET",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.12": "T",
  "2.5.4.42": "G",
  "2.5.4.43": "I",
  "2.5.4.46": "dnQualifier",
  "2.5.4.65": "pseudonym",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
  [OID_EMAIL_ADDRESS]: "E",
};

function escapeValue(v: string): string {
  if (v.startsWith("#") && /^#[0-9a-f]+$/.test(v)) return v;
  return v
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, "\\ ");
}

/** RFC 4514 string, most specific RDN first ("CN=Alice, O=Contoso, C=SE"). */
export function formatName(name: Name): string {
  return [...name.rdns]
    .reverse()
    .map((r) => r.attributes.map((a) => `${SHORT_NAMES[a.type] ?? a.type}=${escapeValue(a.value)}`).join("+"))
    .join(", ");
}

/** Every value of one attribute type in the name, in encoding order. */
export function attributeValues(name: Name, type: string): string[] {
  return name.rdns.flatMap((r) => r.attributes.filter((a) => a.type === type).map((a) => a.value));
}
