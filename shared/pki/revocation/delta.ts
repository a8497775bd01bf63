/**
 * Delta CRLs (RFC 5280 §5.2.4, §6.3.3 (a), (g), (h), (j)): which delta may be read with a complete CRL.
 */
import type { Certificate } from "../certificate.ts";
import type { Crl } from "../crl.ts";
import { ExtensionOid } from "../extensions.ts";
import { namesEqual } from "../name.ts";
import { crlDefect } from "./crl-checks.ts";
import { verifyCrlSignature } from "./crl-signer.ts";
import { httpUrls } from "./scope.ts";

const number = (hex: string): bigint => BigInt(`0x${hex}`);

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && Buffer.compare(a, b) === 0);

/** Current at `time`: thisUpdate ≤ time < nextUpdate (a CRL without nextUpdate never goes stale). */
export const isCurrent = (crl: Crl, time: Date): boolean =>
  crl.thisUpdate.getTime() <= time.getTime() &&
  (!crl.nextUpdate || time.getTime() < crl.nextUpdate.getTime());

/**
 * True when `delta` may be combined with `complete`: same issuer and scope (issuingDistributionPoint and
 * authority key), a base CRL number the complete CRL reaches, newer than it, current, signed by the same
 * signer, and free of defects.
 */
export function deltaApplies(
  delta: Crl,
  complete: Crl,
  signer: Certificate,
  path: readonly Certificate[],
  time: Date,
): boolean {
  if (delta.deltaCrlIndicator === undefined || complete.crlNumber === undefined) return false;
  if (!namesEqual(delta.issuer, complete.issuer)) return false;
  const idp = (c: Crl) => c.extensions.get(ExtensionOid.issuingDistributionPoint)?.value;
  if (!sameBytes(idp(delta), idp(complete))) return false;
  const deltaKey = delta.authorityKeyIdentifier?.keyIdentifier;
  const completeKey = complete.authorityKeyIdentifier?.keyIdentifier;
  if (deltaKey && completeKey && !sameBytes(deltaKey, completeKey)) return false;
  if (number(complete.crlNumber) < number(delta.deltaCrlIndicator)) return false;
  if (delta.crlNumber !== undefined && number(delta.crlNumber) <= number(complete.crlNumber)) return false;
  if (!isCurrent(delta, time) || crlDefect(delta) !== undefined) return false;
  return verifyCrlSignature(delta, signer, path).ok;
}

/** The newest applicable delta among `deltas`. */
export function pickDelta(
  deltas: readonly Crl[],
  complete: Crl,
  signer: Certificate,
  path: readonly Certificate[],
  time: Date,
): Crl | undefined {
  let best: Crl | undefined;
  for (const d of deltas) {
    if (!deltaApplies(d, complete, signer, path, time)) continue;
    if (!best || number(d.crlNumber ?? "0") > number(best.crlNumber ?? "0")) best = d;
  }
  return best;
}

/** Where deltas for `complete` may be fetched: its freshestCRL, else the certificate's (§5.2.6, §4.2.1.15). */
export const freshestUrls = (complete: Crl, cert: Certificate): string[] =>
  (complete.freshestCrl ?? cert.freshestCrl ?? []).flatMap(httpUrls);
