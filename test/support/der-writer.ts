/**
 * A tiny DER encoder for tests and the benchmark: enough to build certificates, CRLs, PKCS#7 envelopes and
 * the extensions @peculiar/x509 has no generator for (name constraints, policy constraints, issuing
 * distribution points, …). Every function returns the complete TLV as a fresh Uint8Array.
 *
 * Why not @peculiar/asn1-schema: minting 10,000 certificates and a 100,000-entry CRL through an object
 * model takes minutes; concatenating byte arrays takes well under a second.
 */

/** Universal tags used below (X.680). */
export const T = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Concatenates byte arrays into one. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The DER length octets for `n`. */
function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** A TLV with identifier octet `tag` around the concatenation of `content`. */
export const tlv = (tag: number, ...content: readonly Uint8Array[]): Uint8Array => wrap(tag, content);

/** As `tlv`, taking an array: spreading 100,000 CRL entries as arguments would overflow the stack. */
export function wrap(tag: number, content: readonly Uint8Array[]): Uint8Array {
  const body = content.length === 1 ? content[0]! : concat(content);
  const head = lengthOctets(body.length);
  const out = new Uint8Array(1 + head.length + body.length);
  out[0] = tag;
  out.set(head, 1);
  out.set(body, 1 + head.length);
  return out;
}

export const seq = (...items: readonly Uint8Array[]): Uint8Array => wrap(T.SEQUENCE, items);

/** SET OF: DER requires the elements sorted by their encodings (X.690 §11.6). */
export function set(...items: readonly Uint8Array[]): Uint8Array {
  const sorted = [...items].sort(compareBytes);
  return tlv(T.SET, ...sorted);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * A non-negative INTEGER from a number, a bigint, a hex string ("0a1b…") or big-endian magnitude bytes.
 * A leading zero is added when the top bit is set, and redundant ones removed, as DER requires.
 */
export function int(value: number | bigint | string | Uint8Array): Uint8Array {
  let bytes: Uint8Array;
  if (value instanceof Uint8Array) bytes = value;
  else {
    let hex = typeof value === "string" ? value : BigInt(value).toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    bytes = Uint8Array.from(Buffer.from(hex, "hex"));
  }
  let s = 0;
  while (s < bytes.length - 1 && bytes[s] === 0 && !(bytes[s + 1]! & 0x80)) s++;
  bytes = bytes.subarray(s);
  if (bytes.length === 0) bytes = Uint8Array.of(0);
  return bytes[0]! & 0x80 ? tlv(T.INTEGER, Uint8Array.of(0), bytes) : tlv(T.INTEGER, bytes);
}

export const enumerated = (n: number): Uint8Array => tlv(T.ENUMERATED, Uint8Array.of(n));
export const bool = (b: boolean): Uint8Array => tlv(T.BOOLEAN, Uint8Array.of(b ? 0xff : 0));
export const nul = (): Uint8Array => Uint8Array.of(T.NULL, 0);

const oidCache = new Map<string, Uint8Array>();

/** OBJECT IDENTIFIER from dotted form (cached: a handful of OIDs are encoded millions of times). */
export function oid(dotted: string): Uint8Array {
  const hit = oidCache.get(dotted);
  if (hit) return hit;
  const arcs = dotted.split(".").map(Number);
  const body: number[] = [];
  const first = arcs[0]! * 40 + arcs[1]!;
  for (const arc of [first, ...arcs.slice(2)]) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    body.push(...chunk);
  }
  const out = tlv(T.OID, Uint8Array.from(body));
  oidCache.set(dotted, out);
  return out;
}

export const octetString = (bytes: Uint8Array): Uint8Array => tlv(T.OCTET_STRING, bytes);

/** BIT STRING holding whole bytes (keys, signatures), or `unusedBits` unused at the end. */
export const bitString = (bytes: Uint8Array, unusedBits = 0): Uint8Array =>
  tlv(T.BIT_STRING, Uint8Array.of(unusedBits), bytes);

/**
 * A named-bit BIT STRING (keyUsage, ReasonFlags) from a mask where bit n is `1 << n`; DER drops trailing
 * zero bits (X.690 §11.2.2).
 */
export function namedBits(mask: number): Uint8Array {
  if (mask === 0) return Uint8Array.of(T.BIT_STRING, 1, 0);
  const highest = 31 - Math.clz32(mask);
  const bytes = new Uint8Array((highest >> 3) + 1);
  for (let n = 0; n <= highest; n++) if (mask & (1 << n)) bytes[n >> 3]! |= 0x80 >> (n & 7);
  return bitString(bytes, 7 - (highest & 7));
}

const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "latin1"));

export const printable = (s: string): Uint8Array => tlv(T.PRINTABLE_STRING, ascii(s));
export const ia5 = (s: string): Uint8Array => tlv(T.IA5_STRING, ascii(s));
export const utf8 = (s: string): Uint8Array => tlv(T.UTF8_STRING, Uint8Array.from(Buffer.from(s, "utf8")));

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
const stamp = (d: Date): string =>
  `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;

export const utcTime = (d: Date): Uint8Array =>
  tlv(T.UTC_TIME, ascii(pad(d.getUTCFullYear() % 100) + stamp(d)));
export const generalizedTime = (d: Date): Uint8Array =>
  tlv(T.GENERALIZED_TIME, ascii(pad(d.getUTCFullYear(), 4) + stamp(d)));

/** RFC 5280 Time: UTCTime through 2049, GeneralizedTime from 2050. */
export const time = (d: Date): Uint8Array =>
  d.getUTCFullYear() < 2050 && d.getUTCFullYear() >= 1950 ? utcTime(d) : generalizedTime(d);

/** [n] EXPLICIT: a constructed context tag around complete TLVs. */
export const explicit = (n: number, ...items: readonly Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...items);

/**
 * [n] IMPLICIT: replaces the tag of a complete TLV `inner`, keeping its constructed bit
 * (so `implicit(1, ia5("a@b"))` is an rfc822Name and `implicit(0, seq(…))` is constructed).
 */
export function implicit(n: number, inner: Uint8Array): Uint8Array {
  const out = Uint8Array.from(inner);
  out[0] = (inner[0]! & 0x20) | 0x80 | n;
  return out;
}

/** AlgorithmIdentifier; `params` null for an explicit NULL (RSA), undefined to omit (ECDSA, Ed25519). */
export const algorithm = (dotted: string, params?: Uint8Array | null): Uint8Array =>
  params === null ? seq(oid(dotted), nul()) : params ? seq(oid(dotted), params) : seq(oid(dotted));

/** An Extension: SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING }. */
export const extension = (dotted: string, critical: boolean, value: Uint8Array): Uint8Array =>
  critical ? seq(oid(dotted), bool(true), octetString(value)) : seq(oid(dotted), octetString(value));

/** One attribute of a Name, as (OID, string TLV). */
export type NameAttribute = readonly [oid: string, value: Uint8Array];

/** A Name with one attribute per RDN, in the order given (most general first). */
export const name = (...attributes: readonly NameAttribute[]): Uint8Array =>
  seq(...attributes.map(([type, value]) => set(seq(oid(type), value))));
