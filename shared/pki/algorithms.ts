/**
 * Signature, hash and public-key algorithm identifiers (RFC 3279, 4055, 5758, 8410) and how each maps to
 * node:crypto.
 */

/** Public-key algorithm OIDs (SubjectPublicKeyInfo.algorithm). */
export const KeyAlgorithmOid = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  rsassaPss: "1.2.840.113549.1.1.10",
  ecPublicKey: "1.2.840.10045.2.1",
  dsa: "1.2.840.10040.4.1",
  ed25519: "1.3.101.112",
  ed448: "1.3.101.113",
} as const;

/** Hash algorithm OIDs, and node:crypto's name for each. */
export const HASH_BY_OID: ReadonlyMap<string, string> = new Map([
  ["1.3.14.3.2.26", "sha1"],
  ["2.16.840.1.101.3.4.2.4", "sha224"],
  ["2.16.840.1.101.3.4.2.1", "sha256"],
  ["2.16.840.1.101.3.4.2.2", "sha384"],
  ["2.16.840.1.101.3.4.2.3", "sha512"],
]);

export const MGF1_OID = "1.2.840.113549.1.1.8";

/** The key family a signature algorithm needs; node:crypto's `asymmetricKeyType` values. */
export type SignatureFamily = "rsa" | "rsa-pss" | "ec" | "dsa" | "ed25519" | "ed448";

export interface SignatureAlgorithm {
  readonly name: string;
  readonly family: SignatureFamily;
  /** node:crypto digest name; absent for the pure EdDSA schemes and for RSA-PSS (read from its parameters). */
  readonly hash?: string;
}

/** A signature algorithm that is recognised but refused (broken hashes). */
export interface RefusedAlgorithm {
  readonly name: string;
  readonly refused: string;
}

const rsa = (name: string, hash: string): SignatureAlgorithm => ({ name, family: "rsa", hash });
const ecdsa = (name: string, hash: string): SignatureAlgorithm => ({ name, family: "ec", hash });
const dsa = (name: string, hash: string): SignatureAlgorithm => ({ name, family: "dsa", hash });

/** Signature algorithm OIDs (Certificate.signatureAlgorithm, CertificateList.signatureAlgorithm). */
export const SIGNATURE_ALGORITHMS: ReadonlyMap<string, SignatureAlgorithm | RefusedAlgorithm> = new Map<
  string,
  SignatureAlgorithm | RefusedAlgorithm
>([
  ["1.2.840.113549.1.1.2", { name: "md2WithRSAEncryption", refused: "MD2 is broken" }],
  ["1.2.840.113549.1.1.4", { name: "md5WithRSAEncryption", refused: "MD5 is broken" }],
  ["1.2.840.113549.1.1.5", rsa("sha1WithRSAEncryption", "sha1")],
  ["1.3.14.3.2.29", rsa("sha1WithRSASignature", "sha1")],
  ["1.2.840.113549.1.1.14", rsa("sha224WithRSAEncryption", "sha224")],
  ["1.2.840.113549.1.1.11", rsa("sha256WithRSAEncryption", "sha256")],
  ["1.2.840.113549.1.1.12", rsa("sha384WithRSAEncryption", "sha384")],
  ["1.2.840.113549.1.1.13", rsa("sha512WithRSAEncryption", "sha512")],
  ["1.2.840.113549.1.1.10", { name: "RSASSA-PSS", family: "rsa-pss" }],
  ["1.2.840.10045.4.1", ecdsa("ecdsa-with-SHA1", "sha1")],
  ["1.2.840.10045.4.3.1", ecdsa("ecdsa-with-SHA224", "sha224")],
  ["1.2.840.10045.4.3.2", ecdsa("ecdsa-with-SHA256", "sha256")],
  ["1.2.840.10045.4.3.3", ecdsa("ecdsa-with-SHA384", "sha384")],
  ["1.2.840.10045.4.3.4", ecdsa("ecdsa-with-SHA512", "sha512")],
  ["1.2.840.10040.4.3", dsa("dsa-with-sha1", "sha1")],
  ["2.16.840.1.101.3.4.3.1", dsa("dsa-with-sha224", "sha224")],
  ["2.16.840.1.101.3.4.3.2", dsa("dsa-with-sha256", "sha256")],
  ["1.3.101.112", { name: "Ed25519", family: "ed25519" }],
  ["1.3.101.113", { name: "Ed448", family: "ed448" }],
]);

/**
 * The curves accepted for ECDSA, by node:crypto's `namedCurve` name: the NIST curves, and the Brainpool
 * curves Windows CNG also verifies (European S/MIME issuers use them).
 */
export const ALLOWED_CURVES: ReadonlySet<string> = new Set([
  "prime256v1",
  "secp384r1",
  "secp521r1",
  "brainpoolP256r1",
  "brainpoolP384r1",
  "brainpoolP512r1",
]);
