/**
 * Signature verification through node:crypto (WebCrypto lacks DSA; node:crypto has every algorithm we need).
 *
 * Verification is the hot path of validation: the same intermediate's signature is checked once per leaf,
 * so both the parsed keys and the results are cached (bounded), first by buffer identity, then by content.
 */
import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import {
  ALLOWED_CURVES,
  HASH_BY_OID,
  KeyAlgorithmOid,
  MGF1_OID,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithm,
} from "./algorithms.ts";
import { type AlgorithmIdentifier, parseAlgorithmIdentifier } from "./certificate.ts";
import { content, encoding, parseOne, Reader, readSmallInteger, Tag, toBase64 } from "./der.ts";

export interface SignedObject {
  /** The algorithm named by the signed object (certificate or CRL outer signatureAlgorithm). */
  readonly algorithm: AlgorithmIdentifier;
  /** The bytes the signature covers (tbsCertificate / tbsCertList DER). */
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
}

export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const fail = (reason: string): VerifyResult => ({ ok: false, reason });
const OK: VerifyResult = { ok: true };

// ---- keys ---------------------------------------------------------------------------------------------

type KeyEntry =
  | { readonly id: number; readonly key: KeyObject }
  | { readonly id: number; readonly error: string };

const MAX_KEYS = 4096;
const keysByIdentity = new WeakMap<Uint8Array, KeyEntry>();
const keysByContent = new Map<string, KeyEntry>();
let nextKeyId = 1;

/** SubjectPublicKeyInfo's algorithm, or undefined when the SPKI cannot be read. */
function spkiAlgorithm(spki: Uint8Array): AlgorithmIdentifier | undefined {
  try {
    const r = new Reader(parseOne(spki, "SubjectPublicKeyInfo"));
    return parseAlgorithmIdentifier(r.next(Tag.SEQUENCE, "algorithm"));
  } catch {
    return undefined;
  }
}

const isNull = (p: Uint8Array | undefined): boolean =>
  p === undefined || (p.length === 2 && p[0] === Tag.NULL);

/**
 * The Dss-Parms DER of a DSA SubjectPublicKeyInfo, or undefined when it is not DSA or omits them.
 * The path validator carries these down the path to keys that inherit them (RFC 5280 §6.1.4 (f)).
 */
export function dsaParametersOf(spki: Uint8Array): Uint8Array | undefined {
  const alg = spkiAlgorithm(spki);
  if (alg?.oid !== KeyAlgorithmOid.dsa || isNull(alg.parameters)) return undefined;
  return alg.parameters;
}

function tlv(tag: number, body: readonly Uint8Array[]): Uint8Array {
  const len = body.reduce((n, b) => n + b.length, 0);
  const lenBytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) lenBytes.unshift(v & 0xff);
  const header = len < 0x80 ? [tag, len] : [tag, 0x80 | lenBytes.length, ...lenBytes];
  const out = new Uint8Array(header.length + len);
  out.set(header, 0);
  let at = header.length;
  for (const b of body) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** A DSA SPKI whose parameters are absent, rebuilt with inherited Dss-Parms; otherwise `spki` unchanged. */
function withInheritedDsaParameters(spki: Uint8Array, inherited: Uint8Array | undefined): Uint8Array {
  if (!inherited) return spki;
  const outer = parseOne(spki, "SubjectPublicKeyInfo");
  const r = new Reader(outer);
  const algTlv = r.next(Tag.SEQUENCE, "algorithm");
  const alg = parseAlgorithmIdentifier(algTlv);
  if (alg.oid !== KeyAlgorithmOid.dsa || !isNull(alg.parameters)) return spki;
  const oid = encoding(new Reader(algTlv).next(Tag.OID, "algorithm"));
  const publicKey = encoding(r.next(Tag.BIT_STRING, "subjectPublicKey"));
  return tlv(Tag.SEQUENCE, [tlv(Tag.SEQUENCE, [oid, inherited]), publicKey]);
}

/** Why a key is refused before node:crypto sees it, if it is. */
function refusedKey(alg: AlgorithmIdentifier | undefined): string | undefined {
  if (alg?.oid === KeyAlgorithmOid.dsa && isNull(alg.parameters)) {
    return "DSA key without parameters and none inherited from the path";
  }
  // OpenSSL maps explicit parameters that happen to equal a named curve onto it; RFC 5480 §2.1.1 forbids
  // them in PKIX (Go refuses to parse them), and a validator should not guess which curve was meant.
  if (alg?.oid === KeyAlgorithmOid.ecPublicKey && alg.parameters?.[0] !== Tag.OID) {
    return "EC key without a named curve (RFC 5480 2.1.1 forbids explicit or implicit curve parameters)";
  }
  return undefined;
}

function loadKey(spki: Uint8Array, inherited: Uint8Array | undefined): KeyEntry {
  const id = nextKeyId++;
  try {
    const der = withInheritedDsaParameters(spki, inherited);
    const refused = refusedKey(spkiAlgorithm(der));
    if (refused) return { id, error: refused };
    return {
      id,
      key: createPublicKey({
        key: Buffer.from(der.buffer, der.byteOffset, der.byteLength),
        format: "der",
        type: "spki",
      }),
    };
  } catch (e) {
    return { id, error: `unusable public key: ${(e as Error).message}` };
  }
}

function keyFor(spki: Uint8Array, inherited: Uint8Array | undefined): KeyEntry {
  if (!inherited) {
    const hit = keysByIdentity.get(spki);
    if (hit) return hit;
  }
  const contentKey = inherited ? `${toBase64(spki)}|${toBase64(inherited)}` : toBase64(spki);
  let entry = keysByContent.get(contentKey);
  if (!entry) {
    entry = loadKey(spki, inherited);
    if (keysByContent.size >= MAX_KEYS) keysByContent.delete(keysByContent.keys().next().value as string);
    keysByContent.set(contentKey, entry);
  }
  if (!inherited) keysByIdentity.set(spki, entry);
  return entry;
}

// ---- algorithms ---------------------------------------------------------------------------------------

interface Scheme {
  readonly family: SignatureAlgorithm["family"];
  readonly hash: string | null;
  readonly saltLength?: number;
}

/** RSASSA-PSS-params (RFC 4055 §3.1) → hash and salt length; the MGF1 hash must equal the message hash. */
function pssScheme(parameters: Uint8Array | undefined): Scheme | string {
  if (!parameters) return "RSASSA-PSS without parameters";
  try {
    const r = new Reader(parseOne(parameters, "RSASSA-PSS-params"));
    const hashTlv = r.optional(0xa0);
    const mgfTlv = r.optional(0xa1);
    const saltTlv = r.optional(0xa2);
    const trailerTlv = r.optional(0xa3);
    r.end("RSASSA-PSS-params");
    const hashAlg = hashTlv ? parseAlgorithmIdentifier(parseOne(content(hashTlv))) : { oid: "1.3.14.3.2.26" };
    const hash = HASH_BY_OID.get(hashAlg.oid);
    if (!hash) return `unsupported RSASSA-PSS hash ${hashAlg.oid}`;
    let mgfHash = "sha1";
    if (mgfTlv) {
      const mgf = parseAlgorithmIdentifier(parseOne(content(mgfTlv)));
      if (mgf.oid !== MGF1_OID || !mgf.parameters) return `unsupported RSASSA-PSS mask generation ${mgf.oid}`;
      const inner = parseAlgorithmIdentifier(parseOne(mgf.parameters));
      mgfHash = HASH_BY_OID.get(inner.oid) ?? inner.oid;
    }
    // node:crypto always uses the message hash for MGF1; a different one cannot be checked, so it is refused.
    if (mgfHash !== hash) return `unsupported RSASSA-PSS: MGF1 hash ${mgfHash} differs from hash ${hash}`;
    const saltLength = saltTlv ? readSmallInteger(parseOne(content(saltTlv))) : 20;
    if (trailerTlv && readSmallInteger(parseOne(content(trailerTlv))) !== 1)
      return "RSASSA-PSS trailerField must be 1";
    return { family: "rsa-pss", hash, saltLength };
  } catch (e) {
    return `malformed RSASSA-PSS parameters: ${(e as Error).message}`;
  }
}

function schemeOf(algorithm: AlgorithmIdentifier): Scheme | string {
  const known = SIGNATURE_ALGORITHMS.get(algorithm.oid);
  if (!known) return `unsupported signature algorithm ${algorithm.oid}`;
  if ("refused" in known) return `unsupported signature algorithm ${known.name}: ${known.refused}`;
  if (known.family === "rsa-pss") return pssScheme(algorithm.parameters);
  return { family: known.family, hash: known.hash ?? null };
}

/** Why `key` cannot make a `scheme` signature, or undefined when it can. */
function keyMismatch(key: KeyObject, scheme: Scheme): string | undefined {
  const type = key.asymmetricKeyType;
  if (scheme.family === "rsa-pss") {
    return type === "rsa" || type === "rsa-pss" ? undefined : `RSASSA-PSS signature with a ${type} key`;
  }
  if (type !== scheme.family) return `${scheme.family} signature with a ${type} key`;
  if (type === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (!curve || !ALLOWED_CURVES.has(curve))
      return `unsupported elliptic curve ${curve ?? "(explicit parameters)"}`;
  }
  return undefined;
}

function verifyNow(object: SignedObject, entry: KeyEntry): VerifyResult {
  if ("error" in entry) return fail(entry.error);
  const scheme = schemeOf(object.algorithm);
  if (typeof scheme === "string") return fail(scheme);
  const mismatch = keyMismatch(entry.key, scheme);
  if (mismatch) return fail(mismatch);
  try {
    const key =
      scheme.family === "rsa-pss"
        ? { key: entry.key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: scheme.saltLength ?? 20 }
        : entry.key;
    return verify(scheme.hash, object.signed, key, object.signature) ? OK : fail("signature does not verify");
  } catch (e) {
    return fail(`signature does not verify: ${(e as Error).message}`);
  }
}

// ---- result cache -------------------------------------------------------------------------------------

const MAX_RESULTS = 50_000;
const results = new Map<string, VerifyResult>();
/** Per signature buffer: the last (key, signed bytes, algorithm) checked against it and the outcome. */
const resultsByIdentity = new WeakMap<
  Uint8Array,
  { entry: KeyEntry; signed: Uint8Array; algorithm: AlgorithmIdentifier; result: VerifyResult }[]
>();

/** A short key for the content of a verification: the key's id, the algorithm and one digest of the rest. */
function contentKey(object: SignedObject, entry: KeyEntry): string {
  const digest = createHash("sha256").update(object.signature).update(object.signed).digest("base64");
  const params = object.algorithm.parameters ? toBase64(object.algorithm.parameters) : "";
  // The signature length separates the two digested fields, so no (signature, signed) pair can alias another.
  return `${entry.id}|${object.algorithm.oid}|${params}|${object.signature.length}|${digest}`;
}

/**
 * Verifies `object` with the public key in `issuerSpki` (SubjectPublicKeyInfo DER).
 * `inheritedDsaParameters`: DER of Dss-Parms from up the path, when the issuer key omits them (RFC 5280 §6.1.4 (f)).
 * Results are cached, so verifying the same CA signature for 10,000 leaves costs one verification.
 * Never throws: an unusable key, an unsupported algorithm or a bad signature is `{ok: false, reason}`.
 */
export function verifySignature(
  object: SignedObject,
  issuerSpki: Uint8Array,
  inheritedDsaParameters?: Uint8Array,
): VerifyResult {
  const entry = keyFor(issuerSpki, inheritedDsaParameters);
  const seen = resultsByIdentity.get(object.signature);
  const same = seen?.find(
    (s) => s.entry === entry && s.signed === object.signed && s.algorithm === object.algorithm,
  );
  if (same) return same.result;

  const key = contentKey(object, entry);
  let result = results.get(key);
  if (!result) {
    result = verifyNow(object, entry);
    if (results.size >= MAX_RESULTS) results.delete(results.keys().next().value as string);
    results.set(key, result);
  }
  const record = { entry, signed: object.signed, algorithm: object.algorithm, result };
  if (seen) {
    if (seen.length < 8) seen.push(record);
  } else {
    resultsByIdentity.set(object.signature, [record]);
  }
  return result;
}
