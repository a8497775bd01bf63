/**
 * GeneralName (RFC 5280 §4.2.1.6), used by subjectAltName, name constraints, CRL distribution points,
 * authority information access and indirect CRLs.
 */
import { children, content, DerError, readOid, readString, readTlv, Tag, type Tlv } from "./der.ts";
import { type Name, parseName } from "./name.ts";

export type GeneralName =
  | { readonly type: "otherName"; readonly typeId: string; readonly value: Uint8Array }
  | { readonly type: "rfc822Name"; readonly value: string }
  | { readonly type: "dNSName"; readonly value: string }
  | { readonly type: "x400Address"; readonly value: Uint8Array }
  | { readonly type: "directoryName"; readonly value: Name }
  | { readonly type: "ediPartyName"; readonly value: Uint8Array }
  | { readonly type: "uniformResourceIdentifier"; readonly value: string }
  /** 4 or 16 bytes in a SAN; 8 or 32 (address then mask) in name constraints. */
  | { readonly type: "iPAddress"; readonly value: Uint8Array }
  | { readonly type: "registeredID"; readonly value: string };

export type GeneralNameType = GeneralName["type"];

/** Parses one GeneralName from its context-tagged TLV. */
export function parseGeneralName(t: Tlv): GeneralName {
  switch (t.tag) {
    case 0xa0: {
      const [oid, value] = children(t);
      if (!oid || !value) throw new DerError("otherName needs type-id and value", t.offset);
      return { type: "otherName", typeId: readOid(oid), value: content(value) };
    }
    case 0x81:
      return { type: "rfc822Name", value: readString({ ...t, tag: Tag.IA5_STRING }) };
    case 0x82:
      return { type: "dNSName", value: readString({ ...t, tag: Tag.IA5_STRING }) };
    case 0xa3:
      return { type: "x400Address", value: content(t) };
    case 0xa4: {
      const inner = readTlv(t.bytes, t.start, t.end);
      if (inner.end !== t.end) throw new DerError("trailing bytes in directoryName", inner.end);
      return { type: "directoryName", value: parseName(inner) };
    }
    case 0xa5:
      return { type: "ediPartyName", value: content(t) };
    case 0x86:
      return { type: "uniformResourceIdentifier", value: readString({ ...t, tag: Tag.IA5_STRING }) };
    case 0x87:
      return { type: "iPAddress", value: content(t) };
    case 0x88:
      return { type: "registeredID", value: readOid({ ...t, tag: Tag.OID }) };
    default:
      throw new DerError(`unknown GeneralName tag 0x${t.tag.toString(16)}`, t.offset);
  }
}

/** Parses a GeneralNames SEQUENCE. */
export function parseGeneralNames(t: Tlv): GeneralName[] {
  if (t.tag !== Tag.SEQUENCE) throw new DerError("expected GeneralNames SEQUENCE", t.offset);
  return children(t).map(parseGeneralName);
}
