/**
 * The index of a CRL's revokedCertificates, built in one pass over the DER.
 *
 * Why not a Map of hex strings or an object per entry: a 100,000-entry CRL would cost 100,000 strings and
 * map nodes (tens of MB, tens of ms). Instead the entries' offsets go into typed arrays and an open-addressing
 * hash table over the serial's content bytes; an entry is decoded only when a lookup hits it.
 */
import { DerError, decodeOid, readBoolean, readTlv, Tag, type Tlv } from "./der.ts";
import { decodeCertificateIssuer } from "./extension-decoders.ts";
import type { Name } from "./name.ts";

// 2.5.29.x entry extensions that revocation checking understands: reasonCode (21), holdInstructionCode (23,
// informational), invalidityDate (24) and certificateIssuer (29).
const KNOWN_ENTRY_EXTENSIONS = new Set([21, 23, 24, 29]);
const CERTIFICATE_ISSUER_ARC = 29;

/** Issuer number 0 is the CRL issuer; entries before any certificateIssuer belong to it (RFC 5280 §5.3.3). */
const CRL_ISSUER = 0;
// Key for a certificateIssuer without a directoryName: no certificate's issuer DN can ever match it.
const NO_DIRECTORY_NAME = "\u0000no directoryName";

function fnv1a(bytes: Uint8Array, start: number, end: number, seed: number): number {
  let h = 0x811c9dc5 ^ Math.imul(seed, 0x9e3779b1);
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

// The content end of the header last read by `headerEnd`: a module variable, so reading a header allocates
// nothing (the index walk reads four per entry).
let contentEnd = 0;

/** Reads a DER header with the expected tag at `at`; returns the content start and sets `contentEnd`. */
function headerEnd(bytes: Uint8Array, at: number, limit: number, tag: number, what: string): number {
  if (at + 2 > limit) throw new DerError(`truncated ${what}`, at);
  if (bytes[at] !== tag) throw new DerError(`expected ${what}`, at);
  let length = bytes[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4) throw new DerError(`bad length in ${what}`, at);
    if (start + octets > limit) throw new DerError(`truncated ${what}`, at);
    if (bytes[start] === 0) throw new DerError("non-minimal length encoding", at);
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + bytes[start + i]!;
    if (length < 0x80) throw new DerError("non-minimal length encoding", at);
    start += octets;
  }
  contentEnd = start + length;
  if (contentEnd > limit) throw new DerError(`${what} runs past the end of its container`, at);
  return start;
}

function grow<T extends Int32Array | Uint16Array>(a: T): T {
  const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
  bigger.set(a);
  return bigger;
}

/**
 * Skips redundant sign octets (00 before a byte below 0x80, FF before one from 0x80), so a CA's non-minimal
 * INTEGER still matches. Unlike `serialKey`, this keeps the sign: 00 FF (255) and FF (−1) differ (PKITS 4.4.14).
 */
function serialStart(bytes: Uint8Array, start: number, end: number): number {
  let s = start;
  while (
    s < end - 1 &&
    ((bytes[s] === 0 && bytes[s + 1]! < 0x80) || (bytes[s] === 0xff && bytes[s + 1]! >= 0x80))
  )
    s++;
  return s;
}

/** `arc` when the OID is 2.5.29.`arc` (encoded 55 1D arc), else -1. */
const idCeArc = (b: Uint8Array, start: number, end: number): number =>
  end - start === 3 && b[start] === 0x55 && b[start + 1] === 0x1d ? b[start + 2]! : -1;

/** What one pass over revokedCertificates yields. */
export class RevokedIndex {
  /** Number of entries. */
  readonly size: number;
  /** OIDs of critical entry extensions we cannot process: RFC 5280 §5.3 forbids using such a CRL at all. */
  readonly unsupportedCriticalEntryExtensions: readonly string[];
  private readonly entryOffsets: Int32Array;
  private readonly serialStarts: Int32Array;
  private readonly serialEnds: Int32Array;
  /** Issuer number per entry; absent for a direct CRL (all entries are the CRL issuer's). */
  private readonly entryIssuers: Uint16Array | undefined;
  private readonly issuerNumbers: Map<string, number>;
  private readonly issuerNames: Name[];
  private readonly bytes: Uint8Array;
  private readonly table: Int32Array;
  private readonly mask: number;

  /**
   * Walks the entries of `revoked` (the revokedCertificates SEQUENCE, or undefined when absent).
   * `indirect`: attribute entries to certificateIssuer names (IDP indirectCRL asserted).
   */
  constructor(bytes: Uint8Array, revoked: Tlv | undefined, crlIssuer: Name, indirect: boolean) {
    this.bytes = bytes;
    let offsets = new Int32Array(revoked ? Math.max(16, (revoked.end - revoked.start) >> 5) : 0);
    let starts = new Int32Array(offsets.length);
    let ends = new Int32Array(offsets.length);
    let issuers = new Uint16Array(indirect ? offsets.length : 0);
    const unsupported = new Set<string>();
    this.issuerNumbers = new Map([[crlIssuer.key, CRL_ISSUER]]);
    this.issuerNames = [crlIssuer];
    let issuer = CRL_ISSUER;
    let n = 0;
    let at = revoked ? revoked.start : 0;
    const limit = revoked ? revoked.end : 0;
    while (at < limit) {
      // Hand-rolled headers (no Tlv object per field): this loop runs once per entry of a possibly huge CRL.
      const entryStart = headerEnd(bytes, at, limit, Tag.SEQUENCE, "revoked certificate entry");
      const entryEnd = contentEnd;
      const serialContent = headerEnd(bytes, entryStart, entryEnd, Tag.INTEGER, "userCertificate");
      const serialEnd = contentEnd;
      if (serialEnd === serialContent) throw new DerError("empty userCertificate INTEGER", entryStart);
      const dateTag = bytes[serialEnd];
      if (dateTag !== Tag.UTC_TIME && dateTag !== Tag.GENERALIZED_TIME) {
        throw new DerError("expected revocationDate", serialEnd);
      }
      headerEnd(bytes, serialEnd, entryEnd, dateTag, "revocationDate");
      if (contentEnd < entryEnd) {
        const extsStart = headerEnd(bytes, contentEnd, entryEnd, Tag.SEQUENCE, "crlEntryExtensions");
        if (contentEnd !== entryEnd)
          throw new DerError("trailing bytes in revoked certificate entry", contentEnd);
        issuer = this.scanEntryExtensions(bytes, extsStart, entryEnd, indirect, issuer, unsupported);
      }
      if (n === offsets.length) {
        offsets = grow(offsets);
        starts = grow(starts);
        ends = grow(ends);
        if (indirect) issuers = grow(issuers);
      }
      offsets[n] = at;
      starts[n] = serialStart(bytes, serialContent, serialEnd);
      ends[n] = serialEnd;
      if (indirect) issuers[n] = issuer;
      n++;
      at = entryEnd;
    }
    this.size = n;
    this.unsupportedCriticalEntryExtensions = [...unsupported];
    this.entryOffsets = offsets.subarray(0, n);
    this.serialStarts = starts.subarray(0, n);
    this.serialEnds = ends.subarray(0, n);
    this.entryIssuers = indirect ? issuers.subarray(0, n) : undefined;
    this.table = this.hashTable();
    this.mask = this.table.length - 1;
  }

  /**
   * Open addressing with linear probing at load ≤ 1/2: slot → entry number + 1 (0 is empty). The serial
   * bytes and the issuer number are the key, so one table serves direct and indirect CRLs.
   */
  private hashTable(): Int32Array {
    let capacity = 16;
    while (capacity < this.size * 2) capacity *= 2;
    const mask = capacity - 1;
    const table = new Int32Array(capacity);
    for (let i = 0; i < this.size; i++) {
      let slot =
        fnv1a(this.bytes, this.serialStarts[i]!, this.serialEnds[i]!, this.entryIssuers?.[i] ?? 0) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = i + 1;
    }
    return table;
  }

  /**
   * Checks each entry extension's criticality (cheaply: most are non-critical reason codes) and, for an
   * indirect CRL, follows certificateIssuer. Returns the issuer number in force after this entry.
   */
  private scanEntryExtensions(
    bytes: Uint8Array,
    start: number,
    end: number,
    indirect: boolean,
    issuer: number,
    unsupported: Set<string>,
  ): number {
    let at = start;
    let current = issuer;
    while (at < end) {
      const extStart = headerEnd(bytes, at, end, Tag.SEQUENCE, "Extension");
      const extEnd = contentEnd;
      const oidStart = headerEnd(bytes, extStart, extEnd, Tag.OID, "extnID");
      const oidEnd = contentEnd;
      let critical = false;
      let next = oidEnd;
      if (bytes[next] === Tag.BOOLEAN) {
        const boolStart = headerEnd(bytes, next, extEnd, Tag.BOOLEAN, "critical");
        critical = readBoolean({ bytes, tag: Tag.BOOLEAN, offset: next, start: boolStart, end: contentEnd });
        next = contentEnd;
      }
      const valueStart = headerEnd(bytes, next, extEnd, Tag.OCTET_STRING, "extnValue");
      if (contentEnd !== extEnd) throw new DerError("trailing bytes in Extension", contentEnd);
      const arc = idCeArc(bytes, oidStart, oidEnd);
      if (critical && !KNOWN_ENTRY_EXTENSIONS.has(arc)) unsupported.add(decodeOid(bytes, oidStart, oidEnd));
      if (indirect && arc === CERTIFICATE_ISSUER_ARC) {
        current = this.issuerNumberFor(bytes.subarray(valueStart, extEnd));
      }
      at = extEnd;
    }
    return current;
  }

  private issuerNumberFor(value: Uint8Array): number {
    const dn = decodeCertificateIssuer(value).find((n) => n.type === "directoryName");
    const key = dn ? dn.value.key : NO_DIRECTORY_NAME;
    let n = this.issuerNumbers.get(key);
    if (n === undefined) {
      n = this.issuerNames.length;
      if (n > 0xffff) throw new DerError("too many certificate issuers in an indirect CRL", 0);
      this.issuerNumbers.set(key, n);
      if (dn) this.issuerNames.push(dn.value);
      else this.issuerNames.push(this.issuerNames[CRL_ISSUER]!);
    }
    return n;
  }

  /**
   * The TLV of the first entry listing `serial` (INTEGER content octets, two's complement) for a certificate issued by
   * `issuer`, and the issuer name the entry is attributed to; undefined when not listed.
   */
  find(serial: Uint8Array, issuer: Name): { entry: Tlv; issuer: Name } | undefined {
    const issuerNumber = this.entryIssuers
      ? this.issuerNumbers.get(issuer.key)
      : issuer.key === this.issuerNames[0]!.key
        ? 0
        : undefined;
    if (issuerNumber === undefined || this.size === 0) return undefined;
    const s = serialStart(serial, 0, serial.length);
    const length = serial.length - s;
    let slot = fnv1a(serial, s, serial.length, issuerNumber) & this.mask;
    for (let i = this.table[slot]!; i !== 0; slot = (slot + 1) & this.mask, i = this.table[slot]!) {
      const e = i - 1;
      const start = this.serialStarts[e]!;
      if (this.serialEnds[e]! - start !== length) continue;
      if ((this.entryIssuers?.[e] ?? 0) !== issuerNumber) continue;
      let same = true;
      for (let k = 0; k < length; k++) {
        if (this.bytes[start + k] !== serial[s + k]) {
          same = false;
          break;
        }
      }
      if (same) {
        const at = this.entryOffsets[e]!;
        return { entry: readTlv(this.bytes, at, this.bytes.length), issuer: this.issuerNames[issuerNumber]! };
      }
    }
    return undefined;
  }
}
