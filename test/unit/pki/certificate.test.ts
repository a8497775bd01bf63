import "reflect-metadata";
import { X509Certificate as NodeX509 } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import {
  type Certificate,
  CertificateParseError,
  parseCertificate,
} from "../../../shared/pki/certificate.ts";
import { toHex } from "../../../shared/pki/der.ts";
import { Eku, ExtensionOid, KeyUsage } from "../../../shared/pki/extensions.ts";
import { formatName } from "../../../shared/pki/name.ts";
import * as d from "../../support/der-writer.ts";
import { mintChain, mintIntermediate, mintRoot, NOT_AFTER, NOT_BEFORE } from "../../support/pki.ts";

const PKITS = fileURLToPath(new URL("../../../../shared/conformance/pkits/certs/", import.meta.url));
const pkitsDer = (name: string): Uint8Array => new Uint8Array(readFileSync(`${PKITS}${name}.crt`));
const pkits = (name: string): Certificate => parseCertificate(pkitsDer(name));
const POLICY_1 = "2.16.840.1.101.3.2.1.48.1";
const hex = (b: Uint8Array | undefined): string => (b ? toHex(b) : "");
const signedHex = (s: string): bigint => (s.startsWith("-") ? -BigInt(`0x${s.slice(1)}`) : BigInt(`0x${s}`));
const twosComplement = (b: Uint8Array): bigint => BigInt.asIntN(b.length * 8, BigInt(`0x${toHex(b)}`));

describe("parseCertificate on every PKITS certificate", () => {
  const names = readdirSync(PKITS)
    .filter((f) => f.endsWith(".crt"))
    .map((f) => f.slice(0, -4));

  it("finds the 405 certificates", () => {
    expect(names.length).toBe(405);
  });

  // Two independent readers of the same DER: node's (OpenSSL) and @peculiar/x509's.
  it.each(names)("%s agrees with OpenSSL and @peculiar/x509", (name) => {
    const der = pkitsDer(name);
    const cert = parseCertificate(der);
    const node = new NodeX509(der);
    const peculiar = new x509.X509Certificate(der);

    expect(cert.thumbprint).toBe(node.fingerprint.replaceAll(":", ""));
    expect(twosComplement(cert.serialNumberBytes)).toBe(signedHex(node.serialNumber));
    expect(cert.notBefore.getTime()).toBe(peculiar.notBefore.getTime());
    expect(cert.notAfter.getTime()).toBe(peculiar.notAfter.getTime());
    expect(Buffer.from(cert.subject.der)).toEqual(Buffer.from(peculiar.subjectName.toArrayBuffer()));
    expect(Buffer.from(cert.issuer.der)).toEqual(Buffer.from(peculiar.issuerName.toArrayBuffer()));
    expect(Buffer.from(cert.spki)).toEqual(Buffer.from(peculiar.publicKey.rawData));
    // BadSignedCACert and InvalidDSASignatureTest6EE carry unused bits; their signature keeps that octet.
    const signature = cert.signatureUnusedBits ? cert.signature.subarray(1) : cert.signature;
    expect(Buffer.from(signature)).toEqual(Buffer.from(peculiar.signature));
    expect([...cert.extensions.keys()]).toEqual(peculiar.extensions.map((e) => e.type));

    const ku = peculiar.getExtension(x509.KeyUsagesExtension);
    expect(cert.keyUsage).toBe(ku?.usages);
    const bc = peculiar.getExtension(x509.BasicConstraintsExtension);
    expect(cert.basicConstraints?.ca).toBe(bc?.ca);
    expect(cert.basicConstraints?.pathLenConstraint).toBe(bc?.pathLength);
    const policies = peculiar.getExtension(x509.CertificatePolicyExtension);
    expect(cert.certificatePolicies?.map((p) => p.policyId)).toEqual(policies?.policies);
    const ski = peculiar.getExtension(x509.SubjectKeyIdentifierExtension);
    expect(hex(cert.subjectKeyIdentifier)).toBe(ski?.keyId ?? "");
  });
});

describe("parseCertificate: PKITS fields read once from `openssl x509 -text`", () => {
  it("GoodCACert", () => {
    const c = pkits("GoodCACert");
    expect(c.version).toBe(3);
    expect(c.serialNumber).toBe("02");
    expect(formatName(c.issuer)).toBe("CN=Trust Anchor, O=Test Certificates 2011, C=US");
    expect(formatName(c.subject)).toBe("CN=Good CA, O=Test Certificates 2011, C=US");
    expect(c.notBefore.toISOString()).toBe("2010-01-01T08:30:00.000Z");
    expect(c.notAfter.toISOString()).toBe("2030-12-31T08:30:00.000Z");
    expect(c.signatureAlgorithm.oid).toBe("1.2.840.113549.1.1.11");
    expect(c.tbsSignatureAlgorithm).toEqual(c.signatureAlgorithm);
    expect(c.publicKeyAlgorithm.oid).toBe("1.2.840.113549.1.1.1");
    expect(c.thumbprint).toBe("6F49779533D565E8B7C1062503EAB41492C38E4D");
    expect(c.basicConstraints).toEqual({ ca: true });
    expect(c.keyUsage).toBe(KeyUsage.keyCertSign | KeyUsage.cRLSign);
    expect(c.certificatePolicies).toEqual([{ policyId: POLICY_1, qualifiers: [] }]);
    expect(hex(c.authorityKeyIdentifier?.keyIdentifier)).toBe("e47d5fd15c9586082c05aebe75b665a7d95da866");
    expect(c.extensions.get(ExtensionOid.basicConstraints)?.critical).toBe(true);
    expect(c.extensions.get(ExtensionOid.certificatePolicies)?.critical).toBe(false);
    expect(c.selfIssued).toBe(false);
  });

  it("TrustAnchorRootCertificate is self-issued", () => {
    expect(pkits("TrustAnchorRootCertificate").selfIssued).toBe(true);
  });

  it("Mapping1to2CACert: policy mappings and constraints", () => {
    const c = pkits("Mapping1to2CACert");
    expect(c.serialNumber).toBe("30");
    expect(c.policyConstraints).toEqual({ requireExplicitPolicy: 0 });
    expect(c.policyMappings).toEqual([
      { issuerDomainPolicy: POLICY_1, subjectDomainPolicy: "2.16.840.1.101.3.2.1.48.2" },
    ]);
    expect(c.extensions.get(ExtensionOid.policyMappings)?.critical).toBe(true);
  });

  it("inhibitAnyPolicy0CACert", () => {
    expect(pkits("inhibitAnyPolicy0CACert").inhibitAnyPolicy).toBe(0);
  });

  it("nameConstraintsDN1CACert: a permitted directoryName subtree", () => {
    const nc = pkits("nameConstraintsDN1CACert").nameConstraints;
    expect(nc?.excluded).toBeUndefined();
    expect(nc?.permitted).toHaveLength(1);
    const base = nc?.permitted?.[0]?.base;
    expect(base?.type).toBe("directoryName");
    if (base?.type === "directoryName") {
      expect(formatName(base.value)).toBe("OU=permittedSubtree1, O=Test Certificates 2011, C=US");
    }
    expect(nc?.permitted?.[0]?.minimum).toBe(0);
  });

  it("ValiddistributionPointTest5EE: a nameRelativeToCRLIssuer distribution point", () => {
    const c = pkits("ValiddistributionPointTest5EE");
    expect(c.keyUsage).toBe(
      KeyUsage.digitalSignature |
        KeyUsage.nonRepudiation |
        KeyUsage.keyEncipherment |
        KeyUsage.dataEncipherment,
    );
    const name = c.crlDistributionPoints?.[0]?.name;
    expect(name && "nameRelativeToCrlIssuer" in name).toBe(true);
  });

  it("pathLenConstraint0CACert", () => {
    expect(pkits("pathLenConstraint0CACert").basicConstraints).toEqual({ ca: true, pathLenConstraint: 0 });
  });

  it("BadSignedCACert: a signature with unused bits is kept but cannot match the issuer's", () => {
    const c = pkits("BadSignedCACert");
    expect(c.signatureUnusedBits).toBe(1);
    expect(c.signature[0]).toBe(1);
  });
});

describe("parseCertificate on certificates minted with @peculiar/x509", () => {
  it("reads every extension the test PKI can mint", async () => {
    const root = await mintRoot({ policies: [POLICY_1] });
    const ca = await mintIntermediate({
      issuer: root,
      basicConstraints: { ca: true, pathLen: 2 },
      nameConstraints: {
        permitted: [{ dns: "contoso.com" }, { email: "contoso.com" }],
        excluded: [{ ip: "10.0.0.0/8" }],
      },
      policyConstraints: { requireExplicitPolicy: 1, inhibitPolicyMapping: 2 },
      policyMappings: [[POLICY_1, "1.2.3.4"]],
      inhibitAnyPolicy: 3,
      crlUrls: ["http://crl.contoso.test/ca.crl"],
      caIssuersUrls: ["http://aia.contoso.test/root.cer"],
      policies: [POLICY_1],
      serial: "00017f",
    });
    const c = parseCertificate(ca.der);
    expect(c.serialNumber).toBe("017f");
    expect(c.notBefore).toEqual(NOT_BEFORE);
    expect(c.notAfter).toEqual(NOT_AFTER);
    expect(c.basicConstraints).toEqual({ ca: true, pathLenConstraint: 2 });
    expect(c.keyUsage).toBe(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature);
    expect(c.nameConstraints?.permitted?.map((s) => s.base)).toEqual([
      { type: "dNSName", value: "contoso.com" },
      { type: "rfc822Name", value: "contoso.com" },
    ]);
    const excluded = c.nameConstraints?.excluded?.[0]?.base;
    expect(excluded?.type === "iPAddress" && [...excluded.value]).toEqual([10, 0, 0, 0, 255, 0, 0, 0]);
    expect(c.policyConstraints).toEqual({ requireExplicitPolicy: 1, inhibitPolicyMapping: 2 });
    expect(c.policyMappings).toEqual([{ issuerDomainPolicy: POLICY_1, subjectDomainPolicy: "1.2.3.4" }]);
    expect(c.inhibitAnyPolicy).toBe(3);
    expect(c.crlDistributionPoints).toEqual([
      {
        name: { fullName: [{ type: "uniformResourceIdentifier", value: "http://crl.contoso.test/ca.crl" }] },
      },
    ]);
    expect(c.authorityInfoAccess).toEqual([
      {
        method: "1.3.6.1.5.5.7.48.2",
        location: { type: "uniformResourceIdentifier", value: "http://aia.contoso.test/root.cer" },
      },
    ]);
    expect(c.certificatePolicies?.map((p) => p.policyId)).toEqual([POLICY_1]);
    expect(hex(c.authorityKeyIdentifier?.keyIdentifier)).toBe(
      hex(parseCertificate(root.der).subjectKeyIdentifier),
    );
    expect(c.selfIssued).toBe(false);
    expect(parseCertificate(root.der).selfIssued).toBe(true);
  });

  it("reads an S/MIME leaf: SAN, EKU, key usage and the subject e-mail", async () => {
    const { leaf } = await mintChain({
      leaf: { email: ["alice@contoso.com", "a@contoso.com"], subjectEmail: "alice@contoso.com" },
    });
    const c = parseCertificate(leaf.der);
    expect(c.subjectAltName).toEqual([
      { type: "rfc822Name", value: "alice@contoso.com" },
      { type: "rfc822Name", value: "a@contoso.com" },
    ]);
    expect(c.extKeyUsage).toEqual([Eku.emailProtection]);
    expect(c.keyUsage).toBe(KeyUsage.digitalSignature | KeyUsage.keyAgreement);
    expect(c.basicConstraints).toBeUndefined();
    expect(c.publicKeyAlgorithm.oid).toBe("1.2.840.10045.2.1");
    expect(formatName(c.subject)).toBe("E=alice@contoso.com, CN=alice");
    expect(c.thumbprint).toBe(new NodeX509(leaf.der).fingerprint.replaceAll(":", ""));
  });

  it("keeps an unknown extension raw", async () => {
    const value = d.utf8("opaque");
    const root = await mintRoot({ extensions: [{ oid: "1.2.3.4.5", critical: true, value }] });
    const e = parseCertificate(root.der).extensions.get("1.2.3.4.5");
    expect(e).toEqual({ oid: "1.2.3.4.5", critical: true, value });
  });
});

// A certificate assembled field by field, so each malformed variant changes exactly one thing.
interface TbsParts {
  version?: Uint8Array | null;
  serial?: Uint8Array;
  extensions?: readonly Uint8Array[] | null;
  uniqueId?: boolean;
}
const ALG = d.algorithm("1.2.840.10045.4.3.2");
const SPKI = d.seq(
  d.algorithm("1.2.840.10045.2.1", d.oid("1.2.840.10045.3.1.7")),
  d.bitString(new Uint8Array(65)),
);
const NAME = d.name(["2.5.4.3", d.utf8("Test")]);
function certDer(p: TbsParts = {}): Uint8Array {
  const version = p.version === undefined ? d.explicit(0, d.int(2)) : p.version;
  const exts =
    p.extensions === undefined ? [d.extension("2.5.29.19", true, d.seq(d.bool(true)))] : p.extensions;
  const tbs = d.seq(
    ...(version ? [version] : []),
    p.serial ?? d.int(1),
    ALG,
    NAME,
    d.seq(d.utcTime(NOT_BEFORE), d.utcTime(NOT_AFTER)),
    NAME,
    SPKI,
    ...(p.uniqueId ? [d.tlv(0x81, Uint8Array.of(0, 1))] : []),
    ...(exts ? [d.explicit(3, d.seq(...exts))] : []),
  );
  return d.seq(tbs, ALG, d.bitString(Uint8Array.of(0x30, 0)));
}

describe("parseCertificate on hand-assembled certificates", () => {
  it("reads the assembled baseline", () => {
    const c = parseCertificate(certDer());
    expect(c.version).toBe(3);
    expect(c.basicConstraints).toEqual({ ca: true });
    expect(c.selfIssued).toBe(true);
  });

  it.each([
    { name: "v1 without a version field", parts: { version: null, extensions: null }, version: 1 },
    { name: "v2", parts: { version: d.explicit(0, d.int(1)), extensions: null }, version: 2 },
  ])("reads $name", ({ parts, version }) => {
    expect(parseCertificate(certDer(parts)).version).toBe(version);
  });

  it.each([
    { name: "a negative serial", serial: d.tlv(0x02, Uint8Array.of(0xff)), key: "ff", bytes: "ff" },
    { name: "a zero serial", serial: d.int(0), key: "00", bytes: "00" },
    {
      name: "a 21-octet serial",
      serial: d.int(`7f${"11".repeat(20)}`),
      key: `7f${"11".repeat(20)}`,
      bytes: `7f${"11".repeat(20)}`,
    },
  ])("keeps the raw octets of $name for the validator to judge", ({ serial, key, bytes }) => {
    const c = parseCertificate(certDer({ serial }));
    expect(c.serialNumber).toBe(key);
    expect(toHex(c.serialNumberBytes)).toBe(bytes);
  });
});

describe("parseCertificate rejects malformed input with a CertificateParseError naming the problem", () => {
  const good = certDer();
  const cases: { name: string; der: Uint8Array; message: RegExp }[] = [
    { name: "empty input", der: new Uint8Array(0), message: /truncated/ },
    { name: "truncated", der: good.subarray(0, good.length - 10), message: /runs past the end/ },
    { name: "trailing garbage", der: d.concat([good, Uint8Array.of(0, 0)]), message: /2 trailing bytes/ },
    {
      name: "not DER at all",
      der: new TextEncoder().encode("-----BEGIN CERTIFICATE-----"),
      message: /malformed certificate/,
    },
    { name: "version 4", der: certDer({ version: d.explicit(0, d.int(3)) }), message: /version 4/ },
    {
      name: "extensions in a v1 certificate",
      der: certDer({ version: null }),
      message: /extensions in a v1 certificate/,
    },
    {
      name: "extensions in a v2 certificate",
      der: certDer({ version: d.explicit(0, d.int(1)) }),
      message: /extensions in a v2 certificate/,
    },
    {
      name: "a unique identifier in a v1 certificate",
      der: certDer({ version: null, extensions: null, uniqueId: true }),
      message: /unique identifier in a v1/,
    },
    {
      name: "a duplicate extension",
      der: certDer({
        extensions: [
          d.extension("2.5.29.19", true, d.seq()),
          d.extension("2.5.29.19", true, d.seq(d.bool(true))),
        ],
      }),
      message: /duplicate extension 2\.5\.29\.19/,
    },
    {
      name: "a keyUsage that is not a BIT STRING",
      der: certDer({ extensions: [d.extension("2.5.29.15", true, d.int(5))] }),
      message: /extension 2\.5\.29\.15 \(keyUsage\): expected BIT STRING/,
    },
    {
      name: "a keyUsage with trailing bytes",
      der: certDer({
        extensions: [d.extension("2.5.29.15", true, d.concat([d.namedBits(1), Uint8Array.of(0)]))],
      }),
      message: /extension 2\.5\.29\.15 \(keyUsage\): 1 trailing bytes/,
    },
    {
      name: "a subjectAltName in ASCII instead of DER",
      der: certDer({
        extensions: [d.extension("2.5.29.17", false, new TextEncoder().encode("a@b.example"))],
      }),
      message: /extension 2\.5\.29\.17 \(subjectAltName\)/,
    },
    {
      name: "an empty extKeyUsage",
      der: certDer({ extensions: [d.extension("2.5.29.37", false, d.seq())] }),
      message: /extension 2\.5\.29\.37 \(extKeyUsage\): empty ExtKeyUsageSyntax/,
    },
    {
      name: "a basicConstraints with a negative pathLen",
      der: certDer({
        extensions: [d.extension("2.5.29.19", true, d.seq(d.bool(true), d.tlv(0x02, Uint8Array.of(0xff))))],
      }),
      message: /extension 2\.5\.29\.19 \(basicConstraints\): negative INTEGER/,
    },
    {
      name: "an extension whose critical flag is not 0x00/0xFF",
      der: certDer({
        extensions: [d.seq(d.oid("2.5.29.19"), d.tlv(0x01, Uint8Array.of(1)), d.octetString(d.seq()))],
      }),
      message: /BOOLEAN is neither/,
    },
  ];

  it.each(cases)("$name", ({ der, message }) => {
    let thrown: unknown;
    try {
      parseCertificate(der);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CertificateParseError);
    expect((thrown as Error).message).toMatch(message);
  });
});
