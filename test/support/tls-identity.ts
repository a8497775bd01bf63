/**
 * A self-signed TLS identity for a loopback HTTPS server standing in for a cloud endpoint, minted at fixed
 * dates, and a way to make this process's default TLS trust accept it.
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import tls from "node:tls";
import * as x509 from "@peculiar/x509";

export interface TlsIdentity {
  readonly cert: string;
  readonly key: string;
}

/** A self-signed certificate for 127.0.0.1 and `dnsName` (the host name a test's client asks for). */
export async function mintTlsIdentity(dnsName = "localhost"): Promise<TlsIdentity> {
  x509.cryptoProvider.set(webcrypto);
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: `CN=${dnsName}`,
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2036-01-01T00:00:00Z"),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: dnsName },
        { type: "ip", value: "127.0.0.1" },
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  return {
    cert: certificate.toString("pem"),
    key: `-----BEGIN PRIVATE KEY-----\n${pkcs8}\n-----END PRIVATE KEY-----\n`,
  };
}

/**
 * Adds `identity` to the CAs every TLS client of this process trusts by default (for SDKs that take no CA
 * option). Test processes only.
 */
export function trustByDefault(identity: TlsIdentity): void {
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), identity.cert]);
}
