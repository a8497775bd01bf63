/**
 * Decoding of single CRL pieces on demand: one Extension, and one revokedCertificates entry (only for a
 * lookup hit, so a 100,000-entry CRL never becomes 100,000 objects).
 */
import {
  content,
  DerError,
  Reader,
  readBoolean,
  readOid,
  readTime,
  serialKey,
  Tag,
  type Tlv,
} from "./der.ts";
import { decodeInvalidityDate, decodeReasonCode } from "./extension-decoders.ts";
import { type Extension, ExtensionOid } from "./extensions.ts";
import type { Name } from "./name.ts";

/** A revoked certificate as listed on a CRL (RFC 5280 §5.3). */
export interface RevokedEntry {
  readonly serialNumber: string;
  readonly revocationDate: Date;
  /** CRLReason code (RFC 5280 §5.3.1), when present. */
  readonly reason?: number;
  readonly invalidityDate?: Date;
  /** For indirect CRLs: the issuer this entry belongs to. */
  readonly certificateIssuer?: Name;
}

/** Reads one `Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`. */
export function readExtension(t: Tlv): Extension {
  if (t.tag !== Tag.SEQUENCE) throw new DerError("expected Extension SEQUENCE", t.offset);
  const r = new Reader(t);
  const oid = readOid(r.next(Tag.OID, "extnID"));
  const criticalTlv = r.optional(Tag.BOOLEAN);
  const value = content(r.next(Tag.OCTET_STRING, "extnValue"));
  r.end("Extension");
  return { oid, critical: criticalTlv ? readBoolean(criticalTlv) : false, value };
}

/** Reads an `Extensions` SEQUENCE into a map; a repeated extension is malformed (RFC 5280 §4.2, §5.2). */
export function readExtensions(t: Tlv): Map<string, Extension> {
  if (t.tag !== Tag.SEQUENCE) throw new DerError("expected Extensions SEQUENCE", t.offset);
  const out = new Map<string, Extension>();
  const r = new Reader(t);
  while (!r.done) {
    const tlv = r.next(undefined, "Extension");
    const ext = readExtension(tlv);
    if (out.has(ext.oid)) throw new DerError(`extension ${ext.oid} appears twice`, tlv.offset);
    out.set(ext.oid, ext);
  }
  return out;
}

/** The CRLReason names of RFC 5280 §5.3.1 (7 is unused). */
export const CrlReason = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

const REASON_NAMES = new Map<number, string>(Object.entries(CrlReason).map(([name, code]) => [code, name]));

/** "keyCompromise", …, or "reason N" for a code RFC 5280 does not define. */
export const reasonName = (code: number | undefined): string =>
  code === undefined ? "unspecified" : (REASON_NAMES.get(code) ?? `reason ${code}`);

/**
 * Decodes one revokedCertificates entry. `certificateIssuer` is the issuer the index attributed it to
 * (indirect CRLs only).
 */
export function decodeEntry(entry: Tlv, certificateIssuer: Name | undefined): RevokedEntry {
  const r = new Reader(entry);
  const serial = r.next(Tag.INTEGER, "userCertificate");
  const revocationDate = readTime(r.next(undefined, "revocationDate"));
  const extsTlv = r.optional(Tag.SEQUENCE);
  r.end("revoked certificate entry");
  const out: { -readonly [K in keyof RevokedEntry]: RevokedEntry[K] } = {
    serialNumber: serialKey(entry.bytes, serial.start, serial.end),
    revocationDate,
  };
  if (extsTlv) {
    const exts = readExtensions(extsTlv);
    const reason = exts.get(ExtensionOid.reasonCode);
    if (reason) out.reason = decodeReasonCode(reason.value);
    const invalidity = exts.get(ExtensionOid.invalidityDate);
    if (invalidity) out.invalidityDate = decodeInvalidityDate(invalidity.value);
  }
  if (certificateIssuer) out.certificateIssuer = certificateIssuer;
  return out;
}
