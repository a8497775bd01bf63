/**
 * S/MIME leaves issued by the local host's demo CA, fast: built as bytes with der-writer.ts and signed with
 * node:crypto using the demo issuing CA's own key (kept under `<data>/demo-ca/`), so they chain to the host's
 * trust store and name the CRL the host serves.
 *
 * Why not `DemoCa.issue`: it mints a new key and goes through @peculiar/x509 for every certificate
 * (milliseconds each), and it only issues well-formed leaves; the end-to-end test also needs leaves that are
 * wrong on purpose (no emailProtection EKU) and already expired. Every leaf here shares one EC P-256 key pair
 * (the key does not matter to validation; the issuer's signature over each leaf does), so one leaf costs one
 * ECDSA signature.
 */
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseCertificate } from "../../shared/pki/certificate.ts";
import { readTlv } from "../../shared/pki/der.ts";
import { toPem } from "../support/containers.ts";
import * as d from "../support/der-writer.ts";

const ECDSA_SHA256 = d.algorithm("1.2.840.10045.4.3.2");
const OID = {
  cn: "2.5.4.3",
  email: "1.2.840.113549.1.9.1",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  crlDistributionPoints: "2.5.29.31",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  serverAuth: "1.3.6.1.5.5.7.3.1",
} as const;

/** keyUsage bits (bit n is `1 << n`): digitalSignature, nonRepudiation, keyAgreement: fit to sign and, being EC, to encrypt. */
const SMIME_KEY_USAGE = (1 << 0) | (1 << 1) | (1 << 4);

export interface LeafSpec {
  readonly email: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The extended key usage; `serverAuth` makes a leaf unfit for S/MIME (EKU_NOT_EMAIL_PROTECTION). */
  readonly eku: "emailProtection" | "serverAuth";
}

export interface MintedLeaf {
  readonly der: Uint8Array;
  readonly pem: string;
  /** SHA-1 of the DER, upper-case hex: what the pipeline keys the certificate by. */
  readonly thumbprint: string;
  /** Lower-case hex without leading zeros, as the demo CA's `revoke` takes it. */
  readonly serialNumber: string;
}

export interface LeafMinter {
  mint(spec: LeafSpec, index: number): MintedLeaf;
}

/**
 * A minter for the demo CA under `demoCaDir`, writing `crlUrl` (the CA's issuing CRL) into every leaf.
 * `family` (two hex digits, top bit clear) keeps serials apart from the demo CA's own and between runs of
 * different workloads on one CA.
 */
export async function demoCaLeafMinter(options: {
  readonly demoCaDir: string;
  readonly crlUrl: string;
  readonly family?: string;
}): Promise<LeafMinter> {
  const read = (name: string) => readFile(join(options.demoCaDir, name), "utf8");
  const issuingKey = createPrivateKey(await read("issuing.key"));
  const issuing = parseCertificate(pemToDer(await read("issuing.pem")));
  const issuerKid = issuing.subjectKeyIdentifier;
  if (!issuerKid) throw new Error("the demo issuing CA has no subject key identifier");
  const leafKey = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = new Uint8Array(leafKey.publicKey.export({ type: "spki", format: "der" }));
  const shared = [
    d.extension(OID.keyUsage, true, d.namedBits(SMIME_KEY_USAGE)),
    d.extension(OID.subjectKeyIdentifier, false, d.octetString(keyId(spki))),
    d.extension(OID.authorityKeyIdentifier, false, d.seq(d.implicit(0, d.octetString(issuerKid)))),
    d.extension(
      OID.crlDistributionPoints,
      false,
      d.seq(d.seq(d.explicit(0, d.explicit(0, d.implicit(6, d.ia5(options.crlUrl)))))),
    ),
  ];
  const ekus = {
    emailProtection: d.extension(OID.extKeyUsage, false, d.seq(d.oid(OID.emailProtection))),
    serverAuth: d.extension(OID.extKeyUsage, false, d.seq(d.oid(OID.serverAuth))),
  };
  const family = options.family ?? "6e";
  return {
    mint(spec, index) {
      const serialNumber = `${family}5d1e2c${index.toString(16).padStart(12, "0")}`;
      const subject = d.name([OID.cn, d.utf8(spec.email)], [OID.email, d.ia5(spec.email)]);
      const san = d.extension(OID.subjectAltName, false, d.seq(d.implicit(1, d.ia5(spec.email))));
      const tbs = d.seq(
        d.explicit(0, d.int(2)),
        d.int(serialNumber),
        ECDSA_SHA256,
        issuing.subject.der,
        d.seq(d.time(spec.notBefore), d.time(spec.notAfter)),
        subject,
        spki,
        d.explicit(3, d.seq(...shared, ekus[spec.eku], san)),
      );
      const der = signed(tbs, issuingKey);
      return {
        der,
        pem: toPem(der),
        thumbprint: createHash("sha1").update(der).digest("hex").toUpperCase(),
        serialNumber,
      };
    },
  };
}

const signed = (tbs: Uint8Array, key: KeyObject): Uint8Array =>
  d.seq(tbs, ECDSA_SHA256, d.bitString(new Uint8Array(sign("sha256", tbs, key))));

function pemToDer(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
  return new Uint8Array(Buffer.from(body, "base64"));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits. */
function keyId(spki: Uint8Array): Uint8Array {
  const outer = readTlv(spki, 0);
  const algorithm = readTlv(spki, outer.start);
  const bits = readTlv(spki, algorithm.end);
  return new Uint8Array(
    createHash("sha1")
      .update(spki.subarray(bits.start + 1, bits.end))
      .digest(),
  );
}
