/**
 * A minimal, allocation-light DER reader.
 *
 * Why not an ASN.1 object tree: @peculiar/x509 spends ~600 µs building one per certificate and about
 * 10 s for a 100,000-entry CRL. Validation needs a handful of fields, so we walk the bytes and keep
 * offsets into the original buffer; sub-arrays share its memory.
 */

/** Thrown for any structural error; `path` says where in the structure it happened. */
export class DerError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = "DerError";
  }
}

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag number `n`, constructed or primitive. */
export const contextTag = (n: number, constructed: boolean): number => (constructed ? 0xa0 : 0x80) | n;

/** One TLV: `tag` is the identifier octet; content is `bytes[start, end)`; the whole TLV is `[offset, end)`. */
export interface Tlv {
  readonly bytes: Uint8Array;
  readonly tag: number;
  readonly offset: number;
  readonly start: number;
  readonly end: number;
}

/** Reads the TLV at `offset`, bounded by `limit` (defaults to the end of `bytes`). Strict DER lengths. */
export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv {
  if (offset + 2 > limit) throw new DerError("truncated TLV header", offset);
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("high-tag-number form is not used in X.509", offset);
  let length = bytes[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0) throw new DerError("indefinite length is not DER", offset);
    if (n > 4) throw new DerError("length too large", offset);
    if (start + n > limit) throw new DerError("truncated length", offset);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[start + i]!;
    if (length < 0x80 || bytes[start] === 0) throw new DerError("non-minimal length encoding", offset);
    start += n;
  }
  const end = start + length;
  if (end > limit) throw new DerError(`length ${length} runs past the end of its container`, offset);
  return { bytes, tag, offset, start, end };
}

/** The content bytes of a TLV (a view, not a copy). */
export const content = (t: Tlv): Uint8Array => t.bytes.subarray(t.start, t.end);

/** The whole encoding of a TLV, header included (a view, not a copy). */
export const encoding = (t: Tlv): Uint8Array => t.bytes.subarray(t.offset, t.end);

/** Reads a TLV and checks its tag. */
export function expectTlv(
  bytes: Uint8Array,
  offset: number,
  tag: number,
  limit = bytes.length,
  what = "value",
): Tlv {
  const t = readTlv(bytes, offset, limit);
  if (t.tag !== tag) {
    throw new DerError(`expected ${what} with tag 0x${hex2(tag)}, found 0x${hex2(t.tag)}`, offset);
  }
  return t;
}

/** The TLVs directly inside a constructed TLV. */
export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let at = t.start;
  while (at < t.end) {
    const c = readTlv(t.bytes, at, t.end);
    out.push(c);
    at = c.end;
  }
  return out;
}

/** Parses a whole buffer as exactly one TLV (no trailing bytes). */
export function parseOne(bytes: Uint8Array, what = "DER value"): Tlv {
  const t = readTlv(bytes, 0);
  if (t.end !== bytes.length)
    throw new DerError(`${bytes.length - t.end} trailing bytes after ${what}`, t.end);
  return t;
}

/** A cursor over the children of a constructed TLV, for reading SEQUENCE fields in order. */
export class Reader {
  private at: number;
  constructor(private readonly parent: Tlv) {
    this.at = parent.start;
  }
  get done(): boolean {
    return this.at >= this.parent.end;
  }
  /** The tag of the next child, or -1 at the end. */
  peekTag(): number {
    return this.done ? -1 : this.parent.bytes[this.at]!;
  }
  next(tag?: number, what?: string): Tlv {
    if (this.done) throw new DerError(`missing ${what ?? "field"}`, this.at);
    const t =
      tag === undefined
        ? readTlv(this.parent.bytes, this.at, this.parent.end)
        : expectTlv(this.parent.bytes, this.at, tag, this.parent.end, what);
    this.at = t.end;
    return t;
  }
  /** The next child if it has `tag`, else undefined (for OPTIONAL and DEFAULT fields). */
  optional(tag: number): Tlv | undefined {
    return this.peekTag() === tag ? this.next(tag) : undefined;
  }
  end(what = "SEQUENCE"): void {
    if (!this.done) throw new DerError(`unexpected trailing field in ${what}`, this.at);
  }
}

export function readOid(t: Tlv): string {
  if (t.tag !== Tag.OID) throw new DerError("expected OBJECT IDENTIFIER", t.offset);
  return decodeOid(t.bytes, t.start, t.end);
}

const oidCache = new Map<string, string>();

/** Decodes OID content bytes to dotted form; cached because a handful of OIDs make up nearly all lookups. */
export function decodeOid(bytes: Uint8Array, start: number, end: number): string {
  if (end <= start) throw new DerError("empty OBJECT IDENTIFIER", start);
  let key = "";
  for (let i = start; i < end; i++) key += String.fromCharCode(bytes[i]!);
  const hit = oidCache.get(key);
  if (hit !== undefined) return hit;
  const arcs: number[] = [];
  let value = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (value === 0 && b === 0x80) throw new DerError("non-minimal OID arc", i);
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(value);
      value = 0;
    } else if (i === end - 1) {
      throw new DerError("truncated OID arc", i);
    }
  }
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  const dotted = [...head, ...arcs.slice(1)].join(".");
  if (oidCache.size < 4096) oidCache.set(key, dotted);
  return dotted;
}

export function readBoolean(t: Tlv): boolean {
  if (t.tag !== Tag.BOOLEAN || t.end - t.start !== 1) throw new DerError("expected BOOLEAN", t.offset);
  const v = t.bytes[t.start]!;
  if (v !== 0 && v !== 0xff) throw new DerError("BOOLEAN is neither 0x00 nor 0xFF", t.offset);
  return v === 0xff;
}

/** A non-negative INTEGER (or ENUMERATED) small enough for a JS number. */
export function readSmallInteger(t: Tlv): number {
  if (t.tag !== Tag.INTEGER && t.tag !== Tag.ENUMERATED) throw new DerError("expected INTEGER", t.offset);
  const len = t.end - t.start;
  if (len === 0 || len > 6) throw new DerError("INTEGER out of range", t.offset);
  if (t.bytes[t.start]! & 0x80) throw new DerError("negative INTEGER", t.offset);
  let v = 0;
  for (let i = t.start; i < t.end; i++) v = v * 256 + t.bytes[i]!;
  return v;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const hex2 = (n: number): string => HEX[n & 0xff]!;

/** Lower-case hex of a byte range. */
export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = "";
  for (let i = start; i < end; i++) s += HEX[bytes[i]!];
  return s;
}

/**
 * The canonical key of a serial number: lower-case hex of its minimal two's-complement INTEGER content
 * (redundant leading 0x00 bytes dropped, but not the one that keeps 255 (00 ff) apart from -1 (ff)).
 * Certificates and CRL entries are matched on this key.
 */
export function serialKey(bytes: Uint8Array, start: number, end: number): string {
  let s = start;
  while (s < end - 1 && bytes[s] === 0 && !(bytes[s + 1]! & 0x80)) s++;
  return toHex(bytes, s, end);
}

/** BIT STRING content: the unused-bits count and the bit bytes. */
export function readBitString(t: Tlv): { unusedBits: number; bits: Uint8Array } {
  if (t.tag !== Tag.BIT_STRING || t.end === t.start) throw new DerError("expected BIT STRING", t.offset);
  const unusedBits = t.bytes[t.start]!;
  if (unusedBits > 7) throw new DerError("BIT STRING unused bits > 7", t.offset);
  return { unusedBits, bits: t.bytes.subarray(t.start + 1, t.end) };
}

const digits = (b: Uint8Array, at: number, n: number, off: number): number => {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = b[at + i]! - 0x30;
    if (c < 0 || c > 9) throw new DerError("non-digit in time", off);
    v = v * 10 + c;
  }
  return v;
};

/** UTCTime (YYMMDDHHMMSSZ; years 50–99 are 19xx) or GeneralizedTime (YYYYMMDDHHMMSSZ), as RFC 5280 requires. */
export function readTime(t: Tlv): Date {
  const b = t.bytes;
  const len = t.end - t.start;
  let year: number;
  let at = t.start;
  if (t.tag === Tag.UTC_TIME) {
    if (len !== 13) throw new DerError("UTCTime must be YYMMDDHHMMSSZ", t.offset);
    const yy = digits(b, at, 2, t.offset);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    at += 2;
  } else if (t.tag === Tag.GENERALIZED_TIME) {
    if (len !== 15) throw new DerError("GeneralizedTime must be YYYYMMDDHHMMSSZ", t.offset);
    year = digits(b, at, 4, t.offset);
    at += 4;
  } else {
    throw new DerError("expected a time", t.offset);
  }
  if (b[t.end - 1] !== 0x5a) throw new DerError("time must end in Z", t.offset);
  const month = digits(b, at, 2, t.offset);
  const day = digits(b, at + 2, 2, t.offset);
  const hour = digits(b, at + 4, 2, t.offset);
  const minute = digits(b, at + 6, 2, t.offset);
  const second = digits(b, at + 8, 2, t.offset);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new DerError("time field out of range", t.offset);
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(ms).getUTCDate() !== day) throw new DerError("no such day", t.offset);
  return new Date(ms);
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes the directory-string types used in names and general names. */
export function readString(t: Tlv): string {
  const c = content(t);
  switch (t.tag) {
    case Tag.UTF8_STRING:
      return utf8.decode(c);
    case Tag.BMP_STRING: {
      if (c.length % 2) throw new DerError("odd BMPString length", t.offset);
      let s = "";
      for (let i = 0; i < c.length; i += 2) s += String.fromCharCode((c[i]! << 8) | c[i + 1]!);
      return s;
    }
    case Tag.UNIVERSAL_STRING: {
      if (c.length % 4) throw new DerError("bad UniversalString length", t.offset);
      let s = "";
      for (let i = 0; i < c.length; i += 4) {
        s += String.fromCodePoint(((c[i]! << 24) | (c[i + 1]! << 16) | (c[i + 2]! << 8) | c[i + 3]!) >>> 0);
      }
      return s;
    }
    default:
      // PrintableString, IA5String, VisibleString, TeletexString (treated as Latin-1, as OpenSSL does), and
      // the context-tagged IA5 strings of GeneralName.
      return latin1.decode(c);
  }
}

/** Bytes to base64 / from base64, without Buffer at call sites. */
export const toBase64 = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
