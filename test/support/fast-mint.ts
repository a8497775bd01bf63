/**
 * A fast minter for the benchmark: a root CA, an issuing CA, N S/MIME leaves and a large CRL, built as bytes
 * with der-writer.ts and signed with node:crypto.
 *
 * Why not test/support/pki.ts: @peculiar/x509 spends milliseconds per certificate in its object model and
 * minutes on a 100,000-entry CRL. Here the only real cost is one RSA-2048 signature per certificate
 * (~1 ms), so every leaf shares ONE key pair (the key does not matter to validation; the issuer's
 * signature over each leaf does) and every leaf is signed by the issuing CA with its own serial.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from "node:crypto";
import { readTlv } from "../../shared/pki/der.ts";
import { toPem } from "./containers.ts";
import * as d from "./der-writer.ts";

const SHA256_RSA = d.algorithm("1.2.840.113549.1.1.11", null);
const OID = {
  cn: "2.5.4.3",
  o: "2.5.4.10",
  email: "1.2.840.113549.1.9.1",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  crlDistributionPoints: "2.5.29.31",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  caIssuers: "1.3.6.1.5.5.7.48.2",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  crlNumber: "2.5.29.20",
  reasonCode: "2.5.29.21",
} as const;

const KU = { digitalSignature: 1, keyEncipherment: 4, keyCertSign: 32, cRLSign: 64 } as const;

/** CRLReason codes cycled over the entries (keyCompromise, affiliationChanged, superseded, cessationOfOperation). */
const REASONS = [1, 3, 4, 5] as const;

export interface FastMintOptions {
  /** Number of leaves (N). */
  readonly leaves: number;
  /** Entries in the issuing CA's CRL (M), revoked leaves included; grown if fewer than the revoked leaves. */
  readonly crlEntries: number;
  /** Indexes (0-based) of the leaves the CRL revokes. */
  readonly revokedLeaves?: Iterable<number>;
  /** The leaves' CRL distribution point, e.g. `http://127.0.0.1:PORT/issuing.crl`. */
  readonly crlUrl: string;
  /** The issuing CA's CRL distribution point (the root's CRL), e.g. `http://127.0.0.1:PORT/root.crl`. */
  readonly rootCrlUrl?: string;
  /** AIA caIssuers of the issuing CA (the root certificate), e.g. `http://127.0.0.1:PORT/root.cer`. */
  readonly rootCertUrl?: string;
  /** AIA caIssuers of the leaves (the issuing CA certificate), e.g. `http://127.0.0.1:PORT/ca.cer`. */
  readonly caCertUrl?: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** The leaves' e-mail domain (default contoso.com): leaf i is `user{i}@domain`. */
  readonly domain?: string;
}

export interface FastCa {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly privateKey: KeyObject;
}

export interface FastLeaf {
  readonly der: Uint8Array;
  /** Lower-case hex, no leading zeros (the shared/pki serialKey form). */
  readonly serial: string;
  readonly email: string;
  readonly revoked: boolean;
}

export interface FastPki {
  readonly root: FastCa;
  readonly ca: FastCa;
  readonly leaves: readonly FastLeaf[];
  /** The key pair every leaf shares (PKCS#8 PEM), for signing tests. */
  readonly leafKeyPem: string;
  /** The issuing CA's CRL (DER): M entries, each with a revocation date and a reason code. */
  readonly crl: Uint8Array;
  /** The root's CRL (DER, no entries): lets `-crl_check_all` check the issuing CA too. */
  readonly rootCrl: Uint8Array;
}

/** Mints the whole benchmark PKI. Deterministic apart from the RSA keys. */
export function fastMint(o: FastMintOptions): FastPki {
  const rootKey = rsaKey();
  const caKey = rsaKey();
  const leafKey = rsaKey();
  const rootName = d.name([OID.cn, d.printable("Bench Root CA")], [OID.o, d.printable("Contoso Bench")]);
  const caName = d.name([OID.cn, d.printable("Bench Issuing CA")], [OID.o, d.printable("Contoso Bench")]);
  const validity = d.seq(d.time(o.notBefore), d.time(o.notAfter));
  const rootKid = keyId(rootKey.spki);
  const caKid = keyId(caKey.spki);
  const leafKid = keyId(leafKey.spki);

  const rootTbs = tbsCertificate("01", rootName, validity, rootName, rootKey.spki, [
    d.extension(OID.basicConstraints, true, d.seq(d.bool(true))),
    d.extension(OID.keyUsage, true, d.namedBits(KU.keyCertSign | KU.cRLSign)),
    d.extension(OID.subjectKeyIdentifier, false, d.octetString(rootKid)),
  ]);
  const root = signCa(rootTbs, rootKey.privateKey);

  const caExtensions = [
    d.extension(OID.basicConstraints, true, d.seq(d.bool(true), d.int(0))),
    d.extension(OID.keyUsage, true, d.namedBits(KU.keyCertSign | KU.cRLSign)),
    d.extension(OID.subjectKeyIdentifier, false, d.octetString(caKid)),
    authorityKeyId(rootKid),
  ];
  if (o.rootCrlUrl) caExtensions.push(distributionPoint(o.rootCrlUrl));
  if (o.rootCertUrl) caExtensions.push(caIssuers(o.rootCertUrl));
  const ca = signCa(
    tbsCertificate("02", rootName, validity, caName, caKey.spki, caExtensions),
    rootKey.privateKey,
  );

  // Extensions every leaf shares, encoded once.
  const shared = [
    d.extension(OID.keyUsage, true, d.namedBits(KU.digitalSignature | KU.keyEncipherment)),
    d.extension(OID.extKeyUsage, false, d.seq(d.oid(OID.emailProtection))),
    d.extension(OID.subjectKeyIdentifier, false, d.octetString(leafKid)),
    authorityKeyId(caKid),
    distributionPoint(o.crlUrl),
    ...(o.caCertUrl ? [caIssuers(o.caCertUrl)] : []),
  ];
  const revoked = new Set(o.revokedLeaves ?? []);
  const domain = o.domain ?? "contoso.com";
  const leaves: FastLeaf[] = [];
  for (let i = 0; i < o.leaves; i++) {
    const serial = serialHex(0x4a, i);
    const user = `user${String(i).padStart(5, "0")}`;
    const email = `${user}@${domain}`;
    const subject = d.name([OID.cn, d.utf8(`User ${i}`)], [OID.email, d.ia5(email)]);
    const san = d.extension(OID.subjectAltName, false, d.seq(d.implicit(1, d.ia5(email))));
    const tbs = tbsCertificate(serial, caName, validity, subject, leafKey.spki, [...shared, san]);
    leaves.push({ der: signed(tbs, caKey.privateKey), serial, email, revoked: revoked.has(i) });
  }

  const revokedSerials = leaves.filter((l) => l.revoked).map((l) => l.serial);
  const filler = Math.max(0, o.crlEntries - revokedSerials.length);
  const serials = [...revokedSerials, ...Array.from({ length: filler }, (_, i) => serialHex(0x5b, i))];
  const crl = crlFor(caName, caKid, caKey.privateKey, o, serials);
  const rootCrl = crlFor(rootName, rootKid, rootKey.privateKey, o, []);
  return { root, ca, leaves, leafKeyPem: leafKey.pkcs8Pem, crl, rootCrl };
}

interface RsaKey {
  readonly privateKey: KeyObject;
  readonly spki: Uint8Array;
  readonly pkcs8Pem: string;
}

function rsaKey(): RsaKey {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const spki = new Uint8Array(createPublicKey(privateKey).export({ type: "spki", format: "der" }));
  const pkcs8Pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { privateKey: createPrivateKey(pkcs8Pem), spki, pkcs8Pem };
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits. */
function keyId(spki: Uint8Array): Uint8Array {
  const outer = readTlv(spki, 0);
  const algorithm = readTlv(spki, outer.start);
  const bits = readTlv(spki, algorithm.end);
  return createHash("sha1")
    .update(spki.subarray(bits.start + 1, bits.end))
    .digest();
}

/** A 16-byte serial: a family byte (top bit clear), a fixed middle and the index, as lower-case hex. */
const serialHex = (family: number, index: number): string =>
  `${family.toString(16)}3c5e0d9b17f2a6${index.toString(16).padStart(16, "0")}`;

function tbsCertificate(
  serial: string,
  issuer: Uint8Array,
  validity: Uint8Array,
  subject: Uint8Array,
  spki: Uint8Array,
  extensions: readonly Uint8Array[],
): Uint8Array {
  const version = d.explicit(0, d.int(2));
  return d.seq(
    version,
    d.int(serial),
    SHA256_RSA,
    issuer,
    validity,
    subject,
    spki,
    d.explicit(3, d.seq(...extensions)),
  );
}

/** A signed object: SEQUENCE { tbs, sha256WithRSAEncryption, BIT STRING signature }. */
const signed = (tbs: Uint8Array, key: KeyObject): Uint8Array =>
  d.seq(tbs, SHA256_RSA, d.bitString(sign("sha256", tbs, key)));

function signCa(tbs: Uint8Array, key: KeyObject): FastCa {
  const der = signed(tbs, key);
  return { der, pem: toPem(der), privateKey: key };
}

const authorityKeyId = (kid: Uint8Array): Uint8Array =>
  d.extension(OID.authorityKeyIdentifier, false, d.seq(d.implicit(0, d.octetString(kid))));

const distributionPoint = (url: string): Uint8Array =>
  d.extension(
    OID.crlDistributionPoints,
    false,
    d.seq(d.seq(d.explicit(0, d.explicit(0, d.implicit(6, d.ia5(url)))))),
  );

const caIssuers = (url: string): Uint8Array =>
  d.extension(OID.authorityInfoAccess, false, d.seq(d.seq(d.oid(OID.caIssuers), d.implicit(6, d.ia5(url)))));

const DAY = 86_400_000;

/** A v2 CRL: every entry has a revocation date (thisUpdate minus 1–30 days) and a reasonCode extension. */
function crlFor(
  issuer: Uint8Array,
  issuerKid: Uint8Array,
  key: KeyObject,
  o: FastMintOptions,
  serials: readonly string[],
): Uint8Array {
  // A few dates and reason extensions serve every entry; encoding them once keeps 100,000 entries fast.
  const dates = Array.from({ length: 30 }, (_, i) =>
    d.time(new Date(o.thisUpdate.getTime() - (i + 1) * DAY)),
  );
  const reasons = REASONS.map((r) => d.seq(d.extension(OID.reasonCode, false, d.enumerated(r))));
  const entries = serials.map((serial, i) =>
    d.seq(d.int(serial), dates[i % dates.length]!, reasons[i % reasons.length]!),
  );
  const extensions = d.explicit(
    0,
    d.seq(d.extension(OID.crlNumber, false, d.int(1)), authorityKeyId(issuerKid)),
  );
  const tbs = d.seq(
    d.int(1),
    SHA256_RSA,
    issuer,
    d.time(o.thisUpdate),
    d.time(o.nextUpdate),
    ...(entries.length > 0 ? [d.wrap(d.T.SEQUENCE, entries)] : []),
    extensions,
  );
  return signed(tbs, key);
}
