/**
 * Writers for the certificate containers users hand to `smimectl`: PEM bundles, PKCS#7 (.p7b) and
 * Microsoft serialized stores (.sst). Tests build their input files with these instead of checking in
 * opaque blobs; they write exactly what Windows, OpenSSL and CA tools write.
 */
import { createHash } from "node:crypto";
import * as d from "./der-writer.ts";

/** PEM text (RFC 7468: 64-character lines, LF) of one DER value. */
export function toPem(der: Uint8Array, label = "CERTIFICATE"): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** A PEM bundle: one block per DER, in order. */
export const toPemBundle = (ders: readonly Uint8Array[], label = "CERTIFICATE"): string =>
  ders.map((der) => toPem(der, label)).join("");

export interface P7bOptions {
  /** CRLs for the `crls` [1] field. */
  readonly crls?: readonly Uint8Array[];
  /** Writes `-----BEGIN PKCS7-----` text instead of DER. */
  readonly pem?: boolean;
}

const OID_DATA = "1.2.840.113549.1.7.1";
const OID_SIGNED_DATA = "1.2.840.113549.1.7.2";

/**
 * A degenerate PKCS#7 SignedData (RFC 5652 §5; no signers), as `openssl crl2pkcs7` and Windows' certificate
 * export write it. The file's bytes: DER, or PEM text when `pem` is set. Certificates keep the order given.
 */
export function toP7b(certificates: readonly Uint8Array[], options: P7bOptions = {}): Uint8Array {
  const fields = [d.int(1), d.set(), d.seq(d.oid(OID_DATA))];
  if (certificates.length > 0) fields.push(d.tlv(0xa0, ...certificates));
  if (options.crls?.length) fields.push(d.tlv(0xa1, ...options.crls));
  fields.push(d.set());
  const der = d.seq(d.oid(OID_SIGNED_DATA), d.explicit(0, d.seq(...fields)));
  return options.pem ? Uint8Array.from(Buffer.from(toPem(der, "PKCS7"))) : der;
}

/** Serialized-store property ids (wincrypt.h CERT_*_PROP_ID). */
export const SstProp = {
  end: 0,
  sha1Hash: 3,
  friendlyName: 11,
  keyIdentifier: 20,
  certificate: 0x20,
  crl: 0x21,
} as const;

/**
 * One serialized-store element: `{propId u32, encoding u32, length u32, value}`, little-endian.
 * `length` overrides the length field (to write a store that lies about it).
 */
export function sstElement(
  propId: number,
  value: Uint8Array,
  options: { encoding?: number; length?: number } = {},
): Uint8Array {
  const out = new Uint8Array(12 + value.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, propId, true);
  view.setUint32(4, options.encoding ?? 1, true);
  view.setUint32(8, options.length ?? value.length, true);
  out.set(value, 12);
  return out;
}

/** The 8-byte header: version 0, then "CERT". */
export const SST_HEADER = Uint8Array.of(0, 0, 0, 0, 0x43, 0x45, 0x52, 0x54);
/** The end marker: an element with propId 0, encoding 0, length 0. */
export const SST_END = new Uint8Array(12);

export interface SstOptions {
  /** Precede each certificate with its SHA-1 hash and friendly-name properties, as Windows does (default true). */
  readonly extraProperties?: boolean;
  /** CRL elements after the certificates. */
  readonly crls?: readonly Uint8Array[];
  /** Write the end marker (default true). */
  readonly endMarker?: boolean;
}

/** A Microsoft serialized certificate store (what `Export-Certificate -Type SST` and certmgr write). */
export function toSst(certificates: readonly Uint8Array[], options: SstOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [SST_HEADER];
  certificates.forEach((der, i) => {
    if (options.extraProperties ?? true) {
      parts.push(sstElement(SstProp.sha1Hash, createHash("sha1").update(der).digest()));
      parts.push(sstElement(SstProp.friendlyName, Buffer.from(`Certificate ${i + 1}\0`, "utf16le")));
    }
    parts.push(sstElement(SstProp.certificate, der));
  });
  for (const crl of options.crls ?? []) parts.push(sstElement(SstProp.crl, crl));
  if (options.endMarker ?? true) parts.push(SST_END);
  return d.concat(parts);
}
