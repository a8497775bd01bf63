import { generateKeyPairSync, type KeyObject, type SignKeyObjectInput, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AlgorithmIdentifier,
  type Certificate,
  parseCertificate,
} from "../../../shared/pki/certificate.ts";
import { dsaParametersOf, type SignedObject, verifySignature } from "../../../shared/pki/signature.ts";
import * as d from "../../support/der-writer.ts";
import { mintChain } from "../../support/pki.ts";

const PKITS = fileURLToPath(new URL("../../../../shared/conformance/pkits/certs/", import.meta.url));
const pkits = (name: string): Certificate =>
  parseCertificate(new Uint8Array(readFileSync(`${PKITS}${name}.crt`)));

const MESSAGE = new TextEncoder().encode("tbsCertificate stand-in, signed at a fixed time: 2026-06-01");
const alg = (oid: string, parameters?: Uint8Array): AlgorithmIdentifier =>
  parameters ? { oid, parameters } : { oid };
const NULL = d.nul();
const spkiOf = (k: KeyObject): Uint8Array => new Uint8Array(k.export({ type: "spki", format: "der" }));
const tampered = (b: Uint8Array): Uint8Array => {
  const out = Uint8Array.from(b);
  out[out.length - 1]! ^= 1;
  return out;
};

const HASH = {
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
} as const;
/** RSASSA-PSS-params with every field explicit. */
const pssParams = (hash: string, mgfHash: string, salt: number): Uint8Array =>
  d.seq(
    d.explicit(0, d.algorithm(hash, null)),
    d.explicit(1, d.algorithm("1.2.840.113549.1.1.8", d.algorithm(mgfHash, null))),
    d.explicit(2, d.int(salt)),
  );

// Keys are generated once; RSA-2048 takes the longest.
const keys = {} as Record<
  "rsa" | "rsaPss" | "p256" | "p384" | "p521" | "k256" | "ed25519" | "ed448",
  KeyObject[]
>;
beforeAll(() => {
  const pair = (k: { publicKey: KeyObject; privateKey: KeyObject }) => [k.publicKey, k.privateKey];
  keys.rsa = pair(generateKeyPairSync("rsa", { modulusLength: 2048 }));
  keys.rsaPss = pair(
    generateKeyPairSync("rsa-pss", {
      modulusLength: 2048,
      hashAlgorithm: "sha256",
      mgf1HashAlgorithm: "sha256",
    }),
  );
  keys.p256 = pair(generateKeyPairSync("ec", { namedCurve: "P-256" }));
  keys.p384 = pair(generateKeyPairSync("ec", { namedCurve: "P-384" }));
  keys.p521 = pair(generateKeyPairSync("ec", { namedCurve: "P-521" }));
  keys.k256 = pair(generateKeyPairSync("ec", { namedCurve: "secp256k1" }));
  keys.ed25519 = pair(generateKeyPairSync("ed25519"));
  keys.ed448 = pair(generateKeyPairSync("ed448"));
});

interface Case {
  readonly name: string;
  readonly key: keyof typeof keys;
  /** node:crypto digest and options used to sign. */
  readonly hash: string | null;
  readonly options?: Omit<SignKeyObjectInput, "key">;
  readonly algorithm: AlgorithmIdentifier;
}

const RSA_PSS_PADDING = 6;
const valid: Case[] = [
  { name: "RSA PKCS#1 v1.5 SHA-1", key: "rsa", hash: "sha1", algorithm: alg("1.2.840.113549.1.1.5", NULL) },
  {
    name: "RSA PKCS#1 v1.5 SHA-224",
    key: "rsa",
    hash: "sha224",
    algorithm: alg("1.2.840.113549.1.1.14", NULL),
  },
  {
    name: "RSA PKCS#1 v1.5 SHA-256",
    key: "rsa",
    hash: "sha256",
    algorithm: alg("1.2.840.113549.1.1.11", NULL),
  },
  {
    name: "RSA PKCS#1 v1.5 SHA-384",
    key: "rsa",
    hash: "sha384",
    algorithm: alg("1.2.840.113549.1.1.12", NULL),
  },
  { name: "RSA PKCS#1 v1.5 SHA-512", key: "rsa", hash: "sha512", algorithm: alg("1.2.840.113549.1.1.13") },
  {
    name: "RSA-PSS SHA-256, salt 32",
    key: "rsa",
    hash: "sha256",
    options: { padding: RSA_PSS_PADDING, saltLength: 32 },
    algorithm: alg("1.2.840.113549.1.1.10", pssParams(HASH.sha256, HASH.sha256, 32)),
  },
  {
    name: "RSA-PSS with every default (SHA-1, MGF1-SHA-1, salt 20)",
    key: "rsa",
    hash: "sha1",
    options: { padding: RSA_PSS_PADDING, saltLength: 20 },
    algorithm: alg("1.2.840.113549.1.1.10", d.seq()),
  },
  {
    name: "RSA-PSS by an id-RSASSA-PSS key",
    key: "rsaPss",
    hash: "sha256",
    options: { padding: RSA_PSS_PADDING, saltLength: 32 },
    algorithm: alg("1.2.840.113549.1.1.10", pssParams(HASH.sha256, HASH.sha256, 32)),
  },
  { name: "ECDSA P-256 SHA-256", key: "p256", hash: "sha256", algorithm: alg("1.2.840.10045.4.3.2") },
  { name: "ECDSA P-256 SHA-1", key: "p256", hash: "sha1", algorithm: alg("1.2.840.10045.4.1") },
  { name: "ECDSA P-384 SHA-384", key: "p384", hash: "sha384", algorithm: alg("1.2.840.10045.4.3.3") },
  { name: "ECDSA P-521 SHA-512", key: "p521", hash: "sha512", algorithm: alg("1.2.840.10045.4.3.4") },
  { name: "Ed25519", key: "ed25519", hash: null, algorithm: alg("1.3.101.112") },
  { name: "Ed448", key: "ed448", hash: null, algorithm: alg("1.3.101.113") },
];

function signed(c: Case): { object: SignedObject; spki: Uint8Array } {
  const [publicKey, privateKey] = keys[c.key];
  const signature = new Uint8Array(sign(c.hash, MESSAGE, { key: privateKey!, ...c.options }));
  return { object: { algorithm: c.algorithm, signed: MESSAGE, signature }, spki: spkiOf(publicKey!) };
}

describe("verifySignature", () => {
  it.each(valid)("accepts a good $name signature", (c) => {
    const { object, spki } = signed(c);
    expect(verifySignature(object, spki)).toEqual({ ok: true });
  });

  it.each(valid)("rejects a $name signature over other bytes", (c) => {
    const { object, spki } = signed(c);
    expect(verifySignature({ ...object, signed: tampered(MESSAGE) }, spki)).toEqual({
      ok: false,
      reason: expect.stringMatching(/does not verify/),
    });
  });

  it.each(valid)("rejects a tampered $name signature", (c) => {
    const { object, spki } = signed(c);
    const r = verifySignature({ ...object, signature: tampered(object.signature) }, spki);
    expect(r.ok).toBe(false);
  });

  const refusals: { name: string; make: () => { object: SignedObject; spki: Uint8Array }; reason: RegExp }[] =
    [
      {
        name: "MD5 with RSA",
        make: () =>
          signed({ name: "", key: "rsa", hash: "md5", algorithm: alg("1.2.840.113549.1.1.4", NULL) }),
        reason: /unsupported signature algorithm md5WithRSAEncryption/,
      },
      {
        name: "MD2 with RSA",
        make: () =>
          signed({ name: "", key: "rsa", hash: "sha256", algorithm: alg("1.2.840.113549.1.1.2", NULL) }),
        reason: /unsupported signature algorithm md2WithRSAEncryption/,
      },
      {
        name: "an unknown algorithm",
        make: () => signed({ name: "", key: "rsa", hash: "sha256", algorithm: alg("1.2.3.4") }),
        reason: /unsupported signature algorithm 1\.2\.3\.4/,
      },
      {
        name: "RSA-PSS whose MGF1 hash differs from its hash",
        make: () =>
          signed({
            name: "",
            key: "rsa",
            hash: "sha256",
            options: { padding: RSA_PSS_PADDING, saltLength: 32 },
            algorithm: alg("1.2.840.113549.1.1.10", pssParams(HASH.sha256, HASH.sha1, 32)),
          }),
        reason: /unsupported RSASSA-PSS: MGF1 hash sha1 differs from hash sha256/,
      },
      {
        name: "RSA-PSS whose salt length is not the one signed with",
        make: () =>
          signed({
            name: "",
            key: "rsa",
            hash: "sha384",
            options: { padding: RSA_PSS_PADDING, saltLength: 48 },
            algorithm: alg("1.2.840.113549.1.1.10", pssParams(HASH.sha384, HASH.sha384, 20)),
          }),
        reason: /does not verify/,
      },
      {
        name: "RSA-PSS without parameters",
        make: () => signed({ name: "", key: "rsa", hash: "sha256", algorithm: alg("1.2.840.113549.1.1.10") }),
        reason: /RSASSA-PSS without parameters/,
      },
      {
        name: "an ECDSA signature checked with an RSA key",
        make: () => {
          const ec = signed({ name: "", key: "p256", hash: "sha256", algorithm: alg("1.2.840.10045.4.3.2") });
          return { object: ec.object, spki: spkiOf(keys.rsa[0]!) };
        },
        reason: /ec signature with a rsa key/,
      },
      {
        // An RSA PKCS#1 signature must not pass because the algorithm field claims ECDSA.
        name: "an RSA signature labelled ECDSA",
        make: () => signed({ name: "", key: "rsa", hash: "sha256", algorithm: alg("1.2.840.10045.4.3.2") }),
        reason: /ec signature with a rsa key/,
      },
      {
        name: "ECDSA on secp256k1",
        make: () => signed({ name: "", key: "k256", hash: "sha256", algorithm: alg("1.2.840.10045.4.3.2") }),
        reason: /unsupported elliptic curve secp256k1/,
      },
      {
        name: "a SubjectPublicKeyInfo that is not DER",
        make: () => ({
          object: { algorithm: alg("1.2.840.10045.4.3.2"), signed: MESSAGE, signature: Uint8Array.of(1) },
          spki: new TextEncoder().encode("not a key"),
        }),
        reason: /unusable public key/,
      },
    ];

  it.each(refusals)("refuses $name without throwing", ({ make, reason }) => {
    const { object, spki } = make();
    expect(verifySignature(object, spki)).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it("keeps cached results apart for different keys and signed bytes", () => {
    const c = valid.find((v) => v.name === "ECDSA P-256 SHA-256")!;
    const { object, spki } = signed(c);
    const otherKey = spkiOf(keys.p384[0]!);
    expect(verifySignature(object, spki).ok).toBe(true);
    expect(verifySignature(object, otherKey).ok).toBe(false);
    expect(verifySignature({ ...object, signed: tampered(MESSAGE) }, spki).ok).toBe(false);
    // A copy of the same bytes (another parse of the same certificate) gives the same answer.
    const copy = {
      algorithm: { ...object.algorithm },
      signed: MESSAGE.slice(),
      signature: object.signature.slice(),
    };
    expect(verifySignature(copy, spki.slice()).ok).toBe(true);
    expect(verifySignature(object, spki).ok).toBe(true);
  });

  it("verifies a minted leaf against its issuer and not against the root", async () => {
    const chain = await mintChain({
      root: { key: "rsa-2048" },
      ca: { key: "ec-p256" },
      leaf: { key: "ed25519" },
    });
    const [root, ca, leaf] = [chain.root, chain.ca, chain.leaf].map((m) => parseCertificate(m.der)) as [
      Certificate,
      Certificate,
      Certificate,
    ];
    const of = (c: Certificate): SignedObject => ({
      algorithm: c.signatureAlgorithm,
      signed: c.tbs,
      signature: c.signature,
    });
    expect(verifySignature(of(root), root.spki)).toEqual({ ok: true });
    expect(verifySignature(of(ca), root.spki)).toEqual({ ok: true });
    expect(verifySignature(of(leaf), ca.spki)).toEqual({ ok: true });
    expect(verifySignature(of(leaf), root.spki).ok).toBe(false);
  });
});

describe("verifySignature with x509-limbo keys", () => {
  const limbo = JSON.parse(
    readFileSync(
      fileURLToPath(new URL("../../../../shared/conformance/limbo/limbo.json", import.meta.url)),
      "utf8",
    ),
  ) as { testcases: { id: string; peer_certificate: string; trusted_certs: string[] }[] };
  const pem = (text: string): Certificate =>
    parseCertificate(new Uint8Array(Buffer.from(text.replace(/-----[^-]+-----|\s+/g, ""), "base64")));

  it("webpki::explicit-curve: refuses a P-256 key given by explicit parameters, which OpenSSL would accept", () => {
    const c = limbo.testcases.find((t) => t.id === "webpki::explicit-curve")!;
    const root = pem(c.trusted_certs[0]!);
    const ee = pem(c.peer_certificate);
    const r = verifySignature(
      { algorithm: ee.signatureAlgorithm, signed: ee.tbs, signature: ee.signature },
      root.spki,
    );
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/EC key without a named curve/) });
  });
});

describe("verifySignature with PKITS DSA certificates (4.1.4–4.1.6)", () => {
  const of = (c: Certificate): SignedObject => ({
    algorithm: c.signatureAlgorithm,
    signed: c.tbs,
    signature: c.signature,
  });
  const dsaCa = (): Certificate => pkits("DSACACert");

  it("dsaParametersOf returns the parameters of a DSA key that has them, and nothing otherwise", () => {
    expect(dsaParametersOf(dsaCa().spki)?.[0]).toBe(0x30);
    expect(dsaParametersOf(pkits("DSAParametersInheritedCACert").spki)).toBeUndefined();
    expect(dsaParametersOf(pkits("GoodCACert").spki)).toBeUndefined();
    expect(dsaParametersOf(Uint8Array.of(1, 2, 3))).toBeUndefined();
  });

  it("4.1.4: DSACACert (RSA-signed by the anchor) signs ValidDSASignaturesTest4EE", () => {
    expect(verifySignature(of(dsaCa()), pkits("TrustAnchorRootCertificate").spki)).toEqual({ ok: true });
    expect(verifySignature(of(pkits("ValidDSASignaturesTest4EE")), dsaCa().spki)).toEqual({ ok: true });
  });

  it("4.1.5: a key without parameters inherits them from up the path", () => {
    const inherited = pkits("DSAParametersInheritedCACert");
    const ee = pkits("ValidDSAParameterInheritanceTest5EE");
    expect(verifySignature(of(inherited), dsaCa().spki)).toEqual({ ok: true });
    expect(verifySignature(of(ee), inherited.spki, dsaParametersOf(dsaCa().spki))).toEqual({ ok: true });
    expect(verifySignature(of(ee), inherited.spki)).toEqual({
      ok: false,
      reason: "DSA key without parameters and none inherited from the path",
    });
  });

  it("4.1.6: InvalidDSASignatureTest6EE does not verify", () => {
    expect(verifySignature(of(pkits("InvalidDSASignatureTest6EE")), dsaCa().spki).ok).toBe(false);
  });

  it.each([
    ["4.1.2 BadSignedCACert", "BadSignedCACert", "TrustAnchorRootCertificate"],
    ["4.1.3 InvalidEESignatureTest3EE", "InvalidEESignatureTest3EE", "GoodCACert"],
  ])("%s does not verify", (_, subject, issuer) => {
    expect(verifySignature(of(pkits(subject)), pkits(issuer).spki).ok).toBe(false);
  });
});
