/**
 * Reading the certificate and CRL files users hand to `smimectl` (DESIGN.md: "FILE may be PEM (one or many),
 * DER, PKCS#7 (.p7b/.p7c) or a Microsoft serialized store (.sst)").
 *
 * The format is detected from the content, never from the extension: admins rename files freely, and
 * Windows exports a "Base-64 encoded X.509 (.CER)" under the same extension as a DER one.
 *
 * Only the container and the outer TLV of each certificate or CRL are checked here; parsing the inside is
 * the model's job, so a structurally odd certificate becomes a `MALFORMED` verdict rather than an unreadable
 * file. Inside a container (PEM label, PKCS#7 field, SST property id) the container says what a value is;
 * a bare DER file says nothing, so it must show the shape of one (SEQUENCE { tbs, algorithm, BIT STRING },
 * or a PKCS#7 ContentInfo), which also tells a certificate from a CRL given in its place.
 * The DERs returned are views into the input buffer, not copies.
 *
 * Decisions:
 * - PEM labels `CERTIFICATE` and `X509 CERTIFICATE` (the pre-RFC 7468 spelling) are certificates.
 *   `TRUSTED CERTIFICATE` is OpenSSL's certificate followed by its trust settings (X509_CERT_AUX); the
 *   certificate is taken and the settings are dropped, because `--trust` is the only trust decision here,
 *   exactly as Exchange Online's virtual certificate collection has no per-usage trust.
 *   `PKCS7`, `PKCS #7 SIGNED DATA` and `CMS` blocks are read as PKCS#7. Every other label (keys, requests)
 *   is ignored. A PEM block that is present but broken is an error, never silently skipped.
 * - PKCS#7 envelopes may use BER indefinite lengths (some CA tools write them); the certificates and
 *   CRLs inside must be DER.
 * - An SST that ends on an element boundary without its end marker is accepted with what was read:
 *   every element is self-delimiting, the marker carries no data, and a store missing anchors fails safe
 *   (fewer trusted roots, never more). A partial element, or a length running past the end, is an error.
 * - A file holding no certificate (or no CRL) at all is an error: an empty trust store or an empty
 *   `--cert` file is always a mistake worth naming.
 * - UTF-16 text (Windows PowerShell's `Out-File` default) and a UTF-8 byte-order mark are read as PEM.
 */
import { DerError, readTlv, Tag } from "./der.ts";

/** The input could not be read as a certificate or CRL file; `source` names the file. */
export class InputFormatError extends Error {
  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`);
    this.name = "InputFormatError";
  }
}

type Kind = "certificate" | "crl";

/**
 * The DER of every certificate in a PEM (one or many blocks), DER, PKCS#7 (DER or PEM) or SST file.
 * @param source the file name used in error messages
 * @throws InputFormatError when the file is unreadable or holds no certificate
 */
export function extractCertificates(bytes: Uint8Array, source: string): Uint8Array[] {
  return extract(bytes, source, "certificate");
}

/**
 * The DER of every CRL in a PEM (`X509 CRL` blocks), DER CertificateList, PKCS#7 (the `crls` field) or SST file.
 * @param source the file name used in error messages
 * @throws InputFormatError when the file is unreadable or holds no CRL
 */
export function extractCrls(bytes: Uint8Array, source: string): Uint8Array[] {
  return extract(bytes, source, "crl");
}

function extract(bytes: Uint8Array, source: string, kind: Kind): Uint8Array[] {
  const fail = (detail: string): never => {
    throw new InputFormatError(source, detail);
  };
  if (bytes.length === 0) fail("empty file");
  let found: Uint8Array[];
  if (isSst(bytes)) {
    found = readSst(bytes, kind, fail);
  } else if (bytes[0] === Tag.SEQUENCE && (isOneTlv(bytes) || !looksLikePem(bytes))) {
    found = readDerFile(bytes, kind, fail);
  } else {
    found = readPem(decodeText(bytes), kind, fail);
  }
  if (found.length === 0) fail(`no ${KIND_NAME[kind]} found`);
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// DER, and the shallow BER walk PKCS#7 envelopes need

/** A TLV located by the BER walk: the whole encoding is `[offset, end)`, the content `[start, contentEnd)`. */
interface Located {
  readonly tag: number;
  readonly offset: number;
  readonly start: number;
  readonly contentEnd: number;
  readonly end: number;
}

type Fail = (detail: string) => never;

const KIND_NAME: Record<Kind, string> = { certificate: "certificate", crl: "CRL" };

/** Thrown by `raise` and caught by `readable`: a structure that cannot be read, where that is an answer. */
class Unreadable extends Error {}
const raise: Fail = (detail) => {
  throw new Unreadable(detail);
};

/** The result of `read`, or undefined when it finds the bytes unreadable. */
function readable<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof Unreadable) return undefined;
    throw e;
  }
}

/** Deep enough for any real envelope, shallow enough that hostile nesting cannot exhaust the stack. */
const MAX_BER_DEPTH = 16;

/** Reads one BER TLV header at `offset` (definite or, for constructed values, indefinite length). */
function locate(b: Uint8Array, offset: number, limit: number, fail: Fail, depth = 0): Located {
  if (depth > MAX_BER_DEPTH) fail(`nesting deeper than ${MAX_BER_DEPTH} levels at byte ${offset}`);
  if (offset + 2 > limit) fail(`truncated DER (header at byte ${offset} runs past the end)`);
  const tag = b[offset]!;
  if ((tag & 0x1f) === 0x1f) fail(`not DER: high tag number at byte ${offset}`);
  const first = b[offset + 1]!;
  let start = offset + 2;
  if (first === 0x80) {
    if (!(tag & 0x20)) fail(`not DER: indefinite length on a primitive value at byte ${offset}`);
    let at = start;
    for (;;) {
      if (at + 2 > limit) fail(`truncated BER (no end-of-contents for the value at byte ${offset})`);
      if (b[at] === 0 && b[at + 1] === 0) return { tag, offset, start, contentEnd: at, end: at + 2 };
      at = locate(b, at, limit, fail, depth + 1).end;
    }
  }
  let length = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n > 4) fail(`not DER: length of ${n} bytes at byte ${offset}`);
    if (start + n > limit) fail(`truncated DER (length at byte ${offset} runs past the end)`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + b[start + i]!;
    start += n;
  }
  if (start + length > limit) {
    fail(
      `truncated DER (length ${length} runs past the end: ${limit - start} bytes remain at byte ${start})`,
    );
  }
  return { tag, offset, start, contentEnd: start + length, end: start + length };
}

/** The children of a constructed TLV. */
function inside(b: Uint8Array, t: Located, fail: Fail): Located[] {
  const out: Located[] = [];
  for (let at = t.start; at < t.contentEnd; ) {
    const c = locate(b, at, t.contentEnd, fail);
    out.push(c);
    at = c.end;
  }
  return out;
}

/** Checks a certificate or CRL's outer TLV is a strict-DER SEQUENCE filling exactly `der`; returns `der`. */
function checkOuter(der: Uint8Array, what: string, fail: Fail): Uint8Array {
  if (der[0] !== Tag.SEQUENCE) fail(`${what} is not a DER SEQUENCE`);
  try {
    const t = readTlv(der, 0);
    if (t.end !== der.length) fail(`${what} has ${der.length - t.end} bytes after its end`);
  } catch (e) {
    if (e instanceof DerError) fail(`${what}: ${e.message}`);
    throw e;
  }
  return der;
}

/** What a signed DER object is, going by its tbs fields. */
type SignedKind = Kind | "request";

const SIGNED_NAME: Record<SignedKind, string> = { ...KIND_NAME, request: "certificate request (PKCS#10)" };

/**
 * Tells a certificate from a CRL or a certificate request by the tbs fields: after the optional version, a
 * certificate has serialNumber, signature, issuer and a validity SEQUENCE; a CRL has signature, issuer and a
 * time; a request has version, subject, key and [0] attributes.
 */
function signedKind(b: Uint8Array, tbs: Located): SignedKind | undefined {
  const tags = readable(() => inside(b, tbs, raise))?.map((c) => c.tag) ?? [];
  const isTime = (t: number | undefined) => t === Tag.UTC_TIME || t === Tag.GENERALIZED_TIME;
  if (tags[0] === 0xa0) return "certificate";
  if (tags[0] === Tag.INTEGER && tags[3] === Tag.SEQUENCE) return "certificate";
  if (tags[0] === Tag.INTEGER && tags.length === 4 && tags[3] === 0xa0) return "request";
  if (isTime(tags[3]) || isTime(tags[2])) return "crl";
  return undefined;
}

/** Tolerates the trailing newline or NUL padding some tools append; anything else means a damaged file. */
function onlyPadding(b: Uint8Array, from: number): boolean {
  for (let i = from; i < b.length; i++) if (![0x00, 0x09, 0x0a, 0x0d, 0x20].includes(b[i]!)) return false;
  return true;
}

const OID_SIGNED_DATA = Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02);

/** A whole file in binary form: one certificate, one CRL, or a PKCS#7 ContentInfo. */
function readDerFile(b: Uint8Array, kind: Kind, fail: Fail): Uint8Array[] {
  const outer = locate(b, 0, b.length, fail);
  if (!onlyPadding(b, outer.end)) fail(`${b.length - outer.end} unexpected bytes after the DER value`);
  const fields = readable(() => inside(b, outer, raise));
  if (fields === undefined)
    fail("DER value is neither a certificate, a CRL nor PKCS#7 (its fields cannot be read)");
  if (fields[0]?.tag === Tag.OID) return readPkcs7(b, fields, kind, fail);
  if (fields.length === 3 && fields[0]?.tag === Tag.SEQUENCE && fields[2]?.tag === Tag.BIT_STRING) {
    const found = signedKind(b, fields[0]) ?? kind;
    if (found !== kind) fail(`holds a ${SIGNED_NAME[found]}, not a ${KIND_NAME[kind]}`);
    return [checkOuter(b.subarray(0, outer.end), `the ${KIND_NAME[kind]}`, fail)];
  }
  if (fields.length === 3 && fields[0]?.tag === Tag.INTEGER && fields[1]?.tag === Tag.SEQUENCE) {
    // PFX: version 3, authSafe ContentInfo, macData. Users often hold the PFX Intune imported.
    fail("is a PKCS#12 (PFX) file: export the certificate alone (DER, PEM or .p7b)");
  }
  return fail("DER value is neither a certificate, a CRL nor PKCS#7");
}

/** ContentInfo → SignedData → certificates [0] IMPLICIT / crls [1] IMPLICIT (RFC 5652 §5.1). */
function readPkcs7(b: Uint8Array, fields: Located[], kind: Kind, fail: Fail): Uint8Array[] {
  const oid = fields[0]!;
  if (!sameBytes(b.subarray(oid.start, oid.contentEnd), OID_SIGNED_DATA)) {
    fail("PKCS#7 content type is not signedData (1.2.840.113549.1.7.2)");
  }
  const explicit = fields[1];
  if (explicit?.tag !== 0xa0) fail("PKCS#7 signedData has no content");
  const signedData = inside(b, explicit!, fail)[0];
  if (signedData?.tag !== Tag.SEQUENCE) fail("PKCS#7 signedData content is not a SEQUENCE");
  const wanted = kind === "certificate" ? 0xa0 : 0xa1;
  const set = inside(b, signedData!, fail).find((f) => f.tag === wanted);
  if (set === undefined) return [];
  // CertificateChoices also allows attribute certificates ([1]–[3]) and RevocationInfoChoice allows
  // [1] other formats (OCSP responses); neither is an X.509 certificate or CRL, so they are skipped.
  return inside(b, set, fail)
    .filter((c) => c.tag === Tag.SEQUENCE)
    .map((c, i) => checkOuter(b.subarray(c.offset, c.end), `PKCS#7 ${KIND_NAME[kind]} ${i + 1}`, fail));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// ---------------------------------------------------------------------------------------------------------
// Microsoft serialized certificate store (CertSaveStore with CERT_STORE_SAVE_AS_STORE)

const SST_MAGIC = [0, 0, 0, 0, 0x43, 0x45, 0x52, 0x54]; // version 0, then "CERT"
const SST_CERT = 0x20; // CERT_CERT_PROP_ID: the element's value is a DER certificate
const SST_CRL = 0x21; // CERT_CRL_PROP_ID: the element's value is a DER CRL

const isSst = (b: Uint8Array): boolean => b.length >= 8 && SST_MAGIC.every((v, i) => b[i] === v);

function readSst(b: Uint8Array, kind: Kind, fail: Fail): Uint8Array[] {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const wanted = kind === "crl" ? SST_CRL : SST_CERT;
  const out: Uint8Array[] = [];
  let at = 8;
  for (let n = 1; at < b.length; n++) {
    if (at + 12 > b.length) fail(`element ${n} is truncated: its 12-byte header has only ${b.length - at}`);
    const propId = view.getUint32(at, true);
    const encodingType = view.getUint32(at + 4, true);
    const length = view.getUint32(at + 8, true);
    at += 12;
    if (propId === 0 && encodingType === 0 && length === 0) return out; // the end marker
    const remaining = b.length - at;
    if (length > remaining) fail(`element ${n} claims ${length} bytes, only ${remaining} remain`);
    if (propId === wanted)
      out.push(checkOuter(b.subarray(at, at + length), `element ${n} (${KIND_NAME[kind]})`, fail));
    at += length;
  }
  return out; // no end marker, but ended on an element boundary: accepted (see the header comment)
}

// ---------------------------------------------------------------------------------------------------------
// PEM (RFC 7468), with any text around and between the blocks

const CERT_LABELS = new Set(["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"]);
// "CRL" is what @peculiar/x509 and some Java tools write; RFC 7468 says "X509 CRL".
const CRL_LABELS = new Set(["X509 CRL", "CRL"]);
const PKCS7_LABELS = new Set(["PKCS7", "PKCS #7 SIGNED DATA", "CMS"]);

const BEGIN = "-----BEGIN ";
const DASHES = "-----";

/** The whole buffer is one BER value (trailing padding aside): binary, even if text appears inside. */
function isOneTlv(b: Uint8Array): boolean {
  const t = readable(() => locate(b, 0, b.length, raise));
  return t !== undefined && onlyPadding(b, t.end);
}

/** A text file may start with "0" (0x30) too: a BEGIN line near the start says it is PEM. */
function looksLikePem(b: Uint8Array): boolean {
  return Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, 4096)).toString("latin1").includes(BEGIN);
}

/** Text as Latin-1 (binary-safe), or UTF-16 when it starts with a byte-order mark. */
function decodeText(b: Uint8Array): string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (b[0] === 0xff && b[1] === 0xfe) return buf.subarray(2).toString("utf16le");
  if (b[0] === 0xfe && b[1] === 0xff) return Buffer.from(buf.subarray(2)).swap16().toString("utf16le");
  return buf.toString("latin1");
}

/** A linear scan: each BEGIN is matched with the next END line, so hostile input cannot make it quadratic. */
function readPem(text: string, kind: Kind, fail: Fail): Uint8Array[] {
  const out: Uint8Array[] = [];
  const skipped = new Set<string>();
  let sawBlock = false;
  for (let at = text.indexOf(BEGIN), n = 1; at >= 0; at = text.indexOf(BEGIN, at), n++) {
    const labelEnd = text.indexOf(DASHES, at + BEGIN.length);
    const lineEnd = text.indexOf("\n", at);
    if (labelEnd < 0 || (lineEnd >= 0 && labelEnd > lineEnd)) fail(`PEM block ${n} has a broken BEGIN line`);
    const label = text.slice(at + BEGIN.length, labelEnd);
    const endLine = `-----END ${label}-----`;
    const bodyStart = labelEnd + DASHES.length;
    const stop = text.indexOf(endLine, bodyStart);
    if (stop < 0) fail(`PEM block ${n} (${label}) has no END line`);
    at = stop + endLine.length;
    sawBlock = true;
    const wanted = PKCS7_LABELS.has(label) || (kind === "certificate" ? CERT_LABELS : CRL_LABELS).has(label);
    if (!wanted) {
      skipped.add(label);
      continue;
    }
    const der = decodeBase64(text.slice(bodyStart, stop), `PEM block ${n} (${label})`, fail);
    if (PKCS7_LABELS.has(label)) {
      const inner = readDerFile(der, kind, (d) => fail(`PEM block ${n} (${label}): ${d}`));
      out.push(...inner);
    } else if (label === "TRUSTED CERTIFICATE") {
      // The certificate is the first TLV; OpenSSL's trust settings follow it.
      const t = locate(der, 0, der.length, (d) => fail(`PEM block ${n} (${label}): ${d}`));
      out.push(checkOuter(der.subarray(0, t.end), `PEM block ${n} (${label})`, fail));
    } else {
      out.push(checkOuter(der, `PEM block ${n} (${label})`, fail));
    }
  }
  if (!sawBlock) fail(`no ${KIND_NAME[kind]} found (not PEM, DER, PKCS#7 or SST)`);
  if (out.length === 0 && skipped.size > 0)
    fail(`no ${KIND_NAME[kind]} found (only ${[...skipped].join(", ")} blocks)`);
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64: Buffer's decoder silently drops bad characters, which would hide a damaged file. */
function decodeBase64(body: string, what: string, fail: Fail): Uint8Array {
  const compact = body.replace(/[\s]+/g, "");
  if (compact.length === 0) fail(`${what} is empty`);
  if (!BASE64.test(compact) || compact.length % 4 !== 0) fail(`${what} is not valid base64`);
  const buf = Buffer.from(compact, "base64");
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
