/**
 * The CA/Browser Forum S/MIME Baseline Requirements rules that Exchange Online, Outlook (CryptoAPI),
 * OpenSSL and Go do not enforce, reported as NONCONFORMANT warnings: the certificate works today, but it
 * was issued outside the profile publicly-trusted S/MIME CAs must follow (stricter clients, and the next
 * CA migration, will refuse it). Each warning names its rule in `rule`.
 */

import { KeyAlgorithmOid } from "./algorithms.ts";
import type { Certificate } from "./certificate.ts";
import type { Role } from "./certificate-profile.ts";
import { children, readOid, readTlv, Tag } from "./der.ts";
import { Eku } from "./extensions.ts";
import { formatName } from "./name.ts";
import { type Problem, ProblemCode, warning } from "./problems.ts";

/** The public key as far as the rules need it. */
export type KeyFacts =
  | { readonly kind: "rsa"; readonly bits: number }
  | { readonly kind: "ec"; readonly curve: string }
  | { readonly kind: "dsa"; readonly bits: number }
  | { readonly kind: "eddsa" | "other"; readonly oid: string };

/** S/MIME BR §6.1.5: P-256, P-384, P-521 (by OID). */
const ALLOWED_EC_CURVES = new Set(["1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35"]);

/** Bit length of an unsigned big-endian INTEGER's content. */
function integerBits(bytes: Uint8Array, start: number, end: number): number {
  let s = start;
  while (s < end && bytes[s] === 0) s++;
  if (s === end) return 0;
  return (end - s - 1) * 8 + (32 - Math.clz32(bytes[s]!));
}

/** Reads the key type and size straight from SubjectPublicKeyInfo (no key object: this runs per leaf). */
export function keyFacts(spki: Uint8Array): KeyFacts {
  try {
    const [algorithm, key] = children(readTlv(spki, 0));
    const [oidTlv, params] = children(algorithm!);
    const oid = readOid(oidTlv!);
    if (oid === KeyAlgorithmOid.rsaEncryption || oid === KeyAlgorithmOid.rsassaPss) {
      const rsaKey = readTlv(key!.bytes, key!.start + 1, key!.end);
      const modulus = readTlv(rsaKey.bytes, rsaKey.start, rsaKey.end);
      return { kind: "rsa", bits: integerBits(modulus.bytes, modulus.start, modulus.end) };
    }
    if (oid === KeyAlgorithmOid.ecPublicKey) {
      return { kind: "ec", curve: params?.tag === Tag.OID ? readOid(params) : "explicit parameters" };
    }
    if (oid === KeyAlgorithmOid.dsa) {
      const p = params && params.tag === Tag.SEQUENCE ? children(params)[0] : undefined;
      return { kind: "dsa", bits: p ? integerBits(p.bytes, p.start, p.end) : 0 };
    }
    if (oid === KeyAlgorithmOid.ed25519 || oid === KeyAlgorithmOid.ed448) return { kind: "eddsa", oid };
    return { kind: "other", oid };
  } catch {
    return { kind: "other", oid: "unreadable" };
  }
}

/** Why a key is outside S/MIME BR §6.1.5, or undefined when it is inside. */
export function keyOutsideProfile(k: KeyFacts): string | undefined {
  switch (k.kind) {
    case "rsa":
      if (k.bits < 2048) return `an RSA key of ${k.bits} bits (at least 2048 required)`;
      return k.bits % 8 ? `an RSA key of ${k.bits} bits (the size must be a multiple of 8)` : undefined;
    case "ec":
      return ALLOWED_EC_CURVES.has(k.curve)
        ? undefined
        : `an EC key on curve ${k.curve} (P-256, P-384 or P-521 required)`;
    case "dsa":
      return `a DSA key (${k.bits} bits); S/MIME allows RSA, ECDSA and EdDSA keys only`;
    default:
      return undefined;
  }
}

const keyCache = new Map<Uint8Array, string | undefined>();

function keyRule(cert: Certificate): string | undefined {
  // Leaves of one batch often share issuers; the SPKI buffer identity is a cheap cache key.
  if (keyCache.has(cert.spki)) return keyCache.get(cert.spki);
  const why = keyOutsideProfile(keyFacts(cert.spki));
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(cert.spki, why);
  return why;
}

/** What is wrong, and the rule it breaks. */
type Breach = readonly [what: string, rule: string];

function breaches(cert: Certificate, role: Role): Breach[] {
  const out: Breach[] = [];
  const key = keyRule(cert);
  if (key) out.push([`has ${key}`, "S/MIME BR 6.1.5: key types and sizes"]);
  if (role === "leaf") {
    if (cert.basicConstraints?.ca)
      out.push([
        "is a CA certificate used as an end entity",
        "S/MIME BR 7.1.2.3 (d): a subscriber certificate's basicConstraints cA MUST be false",
      ]);
    if (cert.extKeyUsage === undefined)
      out.push([
        "has no extendedKeyUsage",
        "S/MIME BR 7.1.2.3 (f): extKeyUsage MUST be present with id-kp-emailProtection",
      ]);
    else if (cert.extKeyUsage.includes(Eku.any))
      out.push([
        "asserts anyExtendedKeyUsage",
        "S/MIME BR 7.1.2.3 (f): anyExtendedKeyUsage SHALL NOT be present",
      ]);
  }
  if (role === "anchor" && cert.extKeyUsage !== undefined)
    out.push([
      "is a root with extendedKeyUsage",
      "S/MIME BR 7.1.2.1 (g): a root CA certificate's extKeyUsage MUST NOT be present",
    ]);
  return out;
}

/** Every S/MIME BR profile breach of `cert` in its role; `index` counts from the leaf (0). */
export function checkSmimeProfile(cert: Certificate, role: Role, index: number): Problem[] {
  const found = breaches(cert, role);
  if (found.length === 0) return [];
  // The name is formatted only for a certificate that has something to report: this runs for every
  // certificate of every path, and nearly all of them have nothing.
  const certificate = formatName(cert.subject);
  return found.map(([what, rule]) =>
    warning(ProblemCode.NONCONFORMANT, `'${certificate}' ${what}`, { certificate, index, rule }),
  );
}
