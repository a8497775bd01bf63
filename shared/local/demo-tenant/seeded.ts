/**
 * Deterministic values from a seed: the demo tenant's ids, thumbprints and throttling draws repeat from one
 * run to the next, so a second sync of an unchanged tenant sees exactly the same data.
 */
import { createHash } from "node:crypto";

/** SHA-256 of the parts, joined, as bytes. */
export function digest(...parts: readonly (string | number)[]): Buffer {
  return createHash("sha256").update(parts.join("\u0000")).digest();
}

/** A GUID-shaped id (version 4 layout) derived from the parts. */
export function guid(...parts: readonly (string | number)[]): string {
  const b = digest(...parts);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A number in [0, 1) derived from the parts. */
export function unit(...parts: readonly (string | number)[]): number {
  return digest(...parts).readUInt32BE(0) / 2 ** 32;
}

/** SHA-1 shaped (40 hex digits, upper case) like a certificate thumbprint, derived from the parts. */
export function fakeThumbprint(...parts: readonly (string | number)[]): string {
  return createHash("sha1").update(parts.join("\u0000")).digest("hex").toUpperCase();
}

/** The real thumbprint of a DER certificate: SHA-1, upper-case hex, as Intune and Windows show it. */
export function thumbprintOf(der: Uint8Array): string {
  return createHash("sha1").update(der).digest("hex").toUpperCase();
}
