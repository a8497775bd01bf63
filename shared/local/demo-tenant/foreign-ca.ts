/**
 * A CA that is not the demo CA and so not in the trust store: the demo's CHAIN_UNTRUSTED certificate comes
 * from it (an S/MIME certificate bought elsewhere and imported without adding its root to Exchange Online).
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto);

const EC = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGN = { name: "ECDSA", hash: "SHA-256" } as const;

/** A leaf for `email` signed by a fresh self-signed root nobody trusts. */
export async function issueFromForeignCa(options: {
  readonly email: string;
  readonly displayName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serialNumber: string;
}): Promise<{ pem: string; serialNumber: string }> {
  const rootKeys = (await webcrypto.subtle.generateKey(EC, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const leafKeys = (await webcrypto.subtle.generateKey(EC, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const rootName = "CN=Elsewhere Trust Services S/MIME CA, O=Elsewhere";
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: options.serialNumber,
    subject: `CN=${options.displayName}, E=${options.email}`,
    issuer: rootName,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
        true,
      ),
      new x509.ExtendedKeyUsageExtension(["1.3.6.1.5.5.7.3.4"]),
      new x509.SubjectAlternativeNameExtension([{ type: "email", value: options.email }]),
    ],
  });
  return { pem: leaf.toString("pem"), serialNumber: options.serialNumber };
}
