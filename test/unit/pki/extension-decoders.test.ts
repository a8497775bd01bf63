import "reflect-metadata";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { toHex } from "../../../shared/pki/der.ts";
import {
  decodeAuthorityInfoAccess,
  decodeAuthorityKeyIdentifier,
  decodeBasicConstraints,
  decodeCertificateIssuer,
  decodeCertificatePolicies,
  decodeCrlDistributionPoints,
  decodeCrlNumber,
  decodeDeltaCrlIndicator,
  decodeExtKeyUsage,
  decodeFreshestCrl,
  decodeInhibitAnyPolicy,
  decodeInvalidityDate,
  decodeIssuerAltName,
  decodeIssuingDistributionPoint,
  decodeKeyUsage,
  decodeNameConstraints,
  decodePolicyConstraints,
  decodePolicyMappings,
  decodeReasonCode,
  decodeSubjectAltName,
  decodeSubjectInfoAccess,
  decodeSubjectKeyIdentifier,
  distributionPointNames,
} from "../../../shared/pki/extension-decoders.ts";
import { ALL_REASONS, ExtensionOid, KeyUsage, ReasonFlag } from "../../../shared/pki/extensions.ts";
import { formatName, parseNameDer } from "../../../shared/pki/name.ts";
import * as d from "../../support/der-writer.ts";
import { generalName, nameDer } from "../../support/pki.ts";

const uri = (u: string) => generalName({ uri: u });
const AT = new Date("2026-05-01T12:30:45Z");

interface Case {
  readonly name: string;
  readonly decode: (v: Uint8Array) => unknown;
  readonly der: Uint8Array;
  readonly expected: unknown;
}

const cases: Case[] = [
  {
    name: "basicConstraints: an end entity",
    decode: decodeBasicConstraints,
    der: d.seq(),
    expected: { ca: false },
  },
  {
    name: "basicConstraints: a CA with pathLen 3",
    decode: decodeBasicConstraints,
    der: d.seq(d.bool(true), d.int(3)),
    expected: { ca: true, pathLenConstraint: 3 },
  },
  {
    name: "basicConstraints: an explicit cA FALSE (BER-ish, tolerated)",
    decode: decodeBasicConstraints,
    der: d.seq(d.bool(false)),
    expected: { ca: false },
  },
  {
    name: "keyUsage: digitalSignature alone (bit 0 is the first byte's MSB)",
    decode: decodeKeyUsage,
    der: d.bitString(Uint8Array.of(0x80), 7),
    expected: KeyUsage.digitalSignature,
  },
  {
    name: "keyUsage: keyCertSign and cRLSign",
    decode: decodeKeyUsage,
    der: d.bitString(Uint8Array.of(0x06), 1),
    expected: KeyUsage.keyCertSign | KeyUsage.cRLSign,
  },
  {
    name: "keyUsage: decipherOnly lives in the second byte",
    decode: decodeKeyUsage,
    der: d.bitString(Uint8Array.of(0x08, 0x80), 7),
    expected: KeyUsage.keyAgreement | KeyUsage.decipherOnly,
  },
  {
    name: "keyUsage: every bit, through der-writer's encoder",
    decode: decodeKeyUsage,
    der: d.namedBits(0x1ff),
    expected: 0x1ff,
  },
  {
    name: "extKeyUsage",
    decode: decodeExtKeyUsage,
    der: d.seq(d.oid("1.3.6.1.5.5.7.3.4"), d.oid("2.5.29.37.0")),
    expected: ["1.3.6.1.5.5.7.3.4", "2.5.29.37.0"],
  },
  {
    name: "subjectAltName: e-mail, DNS, URI and IP",
    decode: decodeSubjectAltName,
    der: d.seq(
      generalName({ email: "alice@contoso.com" }),
      generalName({ dns: "contoso.com" }),
      uri("https://contoso.com/"),
      generalName({ ip: "192.0.2.1" }),
    ),
    expected: [
      { type: "rfc822Name", value: "alice@contoso.com" },
      { type: "dNSName", value: "contoso.com" },
      { type: "uniformResourceIdentifier", value: "https://contoso.com/" },
      { type: "iPAddress", value: Uint8Array.of(192, 0, 2, 1) },
    ],
  },
  {
    name: "issuerAltName",
    decode: decodeIssuerAltName,
    der: d.seq(generalName({ email: "ca@contoso.com" })),
    expected: [{ type: "rfc822Name", value: "ca@contoso.com" }],
  },
  {
    name: "nameConstraints: minimum and maximum",
    decode: decodeNameConstraints,
    der: d.seq(
      d.explicit(
        1,
        d.seq(generalName({ dns: "bad.example" }), d.implicit(0, d.int(1)), d.implicit(1, d.int(4))),
      ),
    ),
    expected: { excluded: [{ base: { type: "dNSName", value: "bad.example" }, minimum: 1, maximum: 4 }] },
  },
  {
    name: "certificatePolicies with a CPS qualifier",
    decode: decodeCertificatePolicies,
    der: d.seq(
      d.seq(d.oid("1.2.3"), d.seq(d.seq(d.oid("1.3.6.1.5.5.7.2.1"), d.ia5("https://cps.example/")))),
      d.seq(d.oid("2.5.29.32.0")),
    ),
    expected: [
      {
        policyId: "1.2.3",
        qualifiers: [{ id: "1.3.6.1.5.5.7.2.1", qualifier: d.ia5("https://cps.example/") }],
      },
      { policyId: "2.5.29.32.0", qualifiers: [] },
    ],
  },
  {
    name: "policyMappings",
    decode: decodePolicyMappings,
    der: d.seq(d.seq(d.oid("1.2.3"), d.oid("1.2.4")), d.seq(d.oid("1.2.3"), d.oid("1.2.5"))),
    expected: [
      { issuerDomainPolicy: "1.2.3", subjectDomainPolicy: "1.2.4" },
      { issuerDomainPolicy: "1.2.3", subjectDomainPolicy: "1.2.5" },
    ],
  },
  {
    name: "policyConstraints: inhibitPolicyMapping only",
    decode: decodePolicyConstraints,
    der: d.seq(d.implicit(1, d.int(0))),
    expected: { inhibitPolicyMapping: 0 },
  },
  { name: "inhibitAnyPolicy", decode: decodeInhibitAnyPolicy, der: d.int(2), expected: 2 },
  {
    name: "cRLDistributionPoints: fullName, reasons and cRLIssuer",
    decode: decodeCrlDistributionPoints,
    der: d.seq(
      d.seq(d.explicit(0, d.explicit(0, uri("http://crl.example/a.crl")))),
      d.seq(
        d.explicit(0, d.explicit(0, uri("http://crl.example/b.crl"))),
        d.implicit(1, d.namedBits(ReasonFlag.keyCompromise | ReasonFlag.cACompromise)),
        d.implicit(2, d.seq(generalName({ dn: "CN=CRL Issuer" }))),
      ),
    ),
    expected: [
      { name: { fullName: [{ type: "uniformResourceIdentifier", value: "http://crl.example/a.crl" }] } },
      {
        name: { fullName: [{ type: "uniformResourceIdentifier", value: "http://crl.example/b.crl" }] },
        reasons: ReasonFlag.keyCompromise | ReasonFlag.cACompromise,
        crlIssuer: [{ type: "directoryName", value: parseNameDer(nameDer("CN=CRL Issuer")) }],
      },
    ],
  },
  {
    name: "freshestCRL",
    decode: decodeFreshestCrl,
    der: d.seq(d.seq(d.explicit(0, d.explicit(0, uri("http://crl.example/delta.crl"))))),
    expected: [
      { name: { fullName: [{ type: "uniformResourceIdentifier", value: "http://crl.example/delta.crl" }] } },
    ],
  },
  {
    name: "authorityInfoAccess: OCSP and caIssuers",
    decode: decodeAuthorityInfoAccess,
    der: d.seq(
      d.seq(d.oid("1.3.6.1.5.5.7.48.1"), uri("http://ocsp.example/")),
      d.seq(d.oid("1.3.6.1.5.5.7.48.2"), uri("http://aia.example/ca.cer")),
    ),
    expected: [
      {
        method: "1.3.6.1.5.5.7.48.1",
        location: { type: "uniformResourceIdentifier", value: "http://ocsp.example/" },
      },
      {
        method: "1.3.6.1.5.5.7.48.2",
        location: { type: "uniformResourceIdentifier", value: "http://aia.example/ca.cer" },
      },
    ],
  },
  {
    name: "subjectInfoAccess",
    decode: decodeSubjectInfoAccess,
    der: d.seq(d.seq(d.oid("1.3.6.1.5.5.7.48.5"), uri("http://repo.example/"))),
    expected: [
      {
        method: "1.3.6.1.5.5.7.48.5",
        location: { type: "uniformResourceIdentifier", value: "http://repo.example/" },
      },
    ],
  },
  {
    name: "authorityKeyIdentifier: all three fields, serial with a sign octet",
    decode: decodeAuthorityKeyIdentifier,
    der: d.seq(
      d.tlv(0x80, Uint8Array.of(1, 2, 3)),
      d.implicit(1, d.seq(generalName({ dn: "CN=Root" }))),
      d.implicit(2, d.int("0080")),
    ),
    expected: {
      keyIdentifier: Uint8Array.of(1, 2, 3),
      authorityCertIssuer: [{ type: "directoryName", value: parseNameDer(nameDer("CN=Root")) }],
      authorityCertSerialNumber: "0080",
    },
  },
  {
    name: "subjectKeyIdentifier",
    decode: decodeSubjectKeyIdentifier,
    der: d.octetString(Uint8Array.of(0xab, 0xcd)),
    expected: Uint8Array.of(0xab, 0xcd),
  },
  {
    name: "issuingDistributionPoint: an empty one means every flag false",
    decode: decodeIssuingDistributionPoint,
    der: d.seq(),
    expected: {
      onlyContainsUserCerts: false,
      onlyContainsCACerts: false,
      indirectCrl: false,
      onlyContainsAttributeCerts: false,
    },
  },
  {
    name: "issuingDistributionPoint: every field",
    decode: decodeIssuingDistributionPoint,
    der: d.seq(
      d.explicit(0, d.explicit(0, uri("http://crl.example/a.crl"))),
      d.implicit(2, d.bool(true)),
      d.implicit(3, d.namedBits(ReasonFlag.superseded)),
      d.implicit(4, d.bool(true)),
    ),
    expected: {
      distributionPoint: {
        fullName: [{ type: "uniformResourceIdentifier", value: "http://crl.example/a.crl" }],
      },
      onlyContainsUserCerts: false,
      onlyContainsCACerts: true,
      onlySomeReasons: ReasonFlag.superseded,
      indirectCrl: true,
      onlyContainsAttributeCerts: false,
    },
  },
  {
    name: "cRLNumber",
    decode: decodeCrlNumber,
    der: d.int("0123456789abcdef0123"),
    expected: "0123456789abcdef0123",
  },
  { name: "cRLNumber 0", decode: decodeCrlNumber, der: d.int(0), expected: "00" },
  { name: "deltaCRLIndicator", decode: decodeDeltaCrlIndicator, der: d.int(7), expected: "07" },
  { name: "reasonCode keyCompromise", decode: decodeReasonCode, der: d.enumerated(1), expected: 1 },
  { name: "reasonCode removeFromCRL", decode: decodeReasonCode, der: d.enumerated(8), expected: 8 },
  { name: "invalidityDate", decode: decodeInvalidityDate, der: d.generalizedTime(AT), expected: AT },
  {
    name: "certificateIssuer",
    decode: decodeCertificateIssuer,
    der: d.seq(generalName({ dn: "CN=Other CA" })),
    expected: [{ type: "directoryName", value: parseNameDer(nameDer("CN=Other CA")) }],
  },
];

describe("extension decoders", () => {
  it.each(cases)("$name", ({ decode, der, expected }) => {
    expect(decode(der)).toEqual(expected);
  });

  it("ALL_REASONS is every ReasonFlag but unused", () => {
    const all = Object.values(ReasonFlag).reduce((a, b) => a | b, 0);
    expect(ALL_REASONS).toBe(all & ~ReasonFlag.unused);
  });
});

describe("extension decoders reject malformed values", () => {
  const bad: { name: string; decode: (v: Uint8Array) => unknown; der: Uint8Array; message: RegExp }[] = [
    {
      name: "trailing bytes",
      decode: decodeKeyUsage,
      der: d.concat([d.namedBits(1), d.nul()]),
      message: /trailing/,
    },
    {
      name: "truncated",
      decode: decodeBasicConstraints,
      der: d.seq(d.bool(true)).subarray(0, 4),
      message: /past the end/,
    },
    {
      name: "keyUsage not a BIT STRING",
      decode: decodeKeyUsage,
      der: d.octetString(Uint8Array.of(1)),
      message: /BIT STRING/,
    },
    {
      name: "keyUsage with 8 unused bits",
      decode: decodeKeyUsage,
      der: d.bitString(Uint8Array.of(0), 8),
      message: /unused bits > 7/,
    },
    {
      name: "basicConstraints out of order",
      decode: decodeBasicConstraints,
      der: d.seq(d.int(1), d.bool(true)),
      message: /trailing field/,
    },
    {
      name: "empty extKeyUsage",
      decode: decodeExtKeyUsage,
      der: d.seq(),
      message: /empty ExtKeyUsageSyntax/,
    },
    {
      name: "empty subjectAltName",
      decode: decodeSubjectAltName,
      der: d.seq(),
      message: /empty GeneralNames/,
    },
    {
      name: "an unknown GeneralName tag",
      decode: decodeSubjectAltName,
      der: d.seq(d.tlv(0x89, Uint8Array.of(1))),
      message: /unknown GeneralName/,
    },
    {
      name: "nameConstraints with no subtrees",
      decode: decodeNameConstraints,
      der: d.seq(),
      message: /neither permitted nor excluded/,
    },
    {
      name: "nameConstraints with an empty list",
      decode: decodeNameConstraints,
      der: d.seq(d.explicit(0)),
      message: /empty GeneralSubtrees/,
    },
    {
      name: "empty policyConstraints",
      decode: decodePolicyConstraints,
      der: d.seq(),
      message: /PolicyConstraints is empty/,
    },
    {
      name: "negative inhibitAnyPolicy",
      decode: decodeInhibitAnyPolicy,
      der: d.tlv(0x02, Uint8Array.of(0xff)),
      message: /negative/,
    },
    {
      name: "a distribution point with neither a name nor a cRLIssuer",
      decode: decodeCrlDistributionPoints,
      der: d.seq(d.seq(d.implicit(1, d.namedBits(2)))),
      message: /neither distributionPoint nor cRLIssuer/,
    },
    {
      name: "negative cRLNumber",
      decode: decodeCrlNumber,
      der: d.tlv(0x02, Uint8Array.of(0x80)),
      message: /negative cRLNumber/,
    },
    { name: "reasonCode as INTEGER", decode: decodeReasonCode, der: d.int(1), message: /ENUMERATED/ },
    {
      name: "invalidityDate as UTCTime",
      decode: decodeInvalidityDate,
      der: d.utcTime(AT),
      message: /GeneralizedTime/,
    },
    {
      name: "IDP flag that is not a BOOLEAN",
      decode: decodeIssuingDistributionPoint,
      der: d.seq(d.tlv(0x81, Uint8Array.of(1))),
      message: /BOOLEAN is neither/,
    },
  ];

  it.each(bad)("$name", ({ decode, der, message }) => {
    expect(() => decode(der)).toThrow(message);
  });
});

describe("distributionPointNames", () => {
  const issuer = parseNameDer(nameDer("C=US, O=Test Certificates 2011, CN=distributionPoint2 CA"));

  it("returns a fullName as is", () => {
    const fullName = [{ type: "dNSName", value: "a.example" }] as const;
    expect(distributionPointNames({ fullName }, issuer)).toEqual(fullName);
  });

  it("appends nameRelativeToCRLIssuer to the CRL issuer's name", () => {
    const [dp] = decodeCrlDistributionPoints(
      d.seq(d.seq(d.explicit(0, d.implicit(1, d.set(d.seq(d.oid("2.5.4.3"), d.printable("CRL1"))))))),
    );
    const names = distributionPointNames(dp!.name!, issuer);
    expect(names).toHaveLength(1);
    const n = names[0]!;
    expect(n.type === "directoryName" && formatName(n.value)).toBe(
      "CN=CRL1, CN=distributionPoint2 CA, O=Test Certificates 2011, C=US",
    );
  });
});

// Every extension of every PKITS CRL and CRL entry, decoded here and by @peculiar/x509.
describe("CRL extension decoders on the PKITS CRLs", () => {
  const dir = fileURLToPath(new URL("../../../../shared/conformance/pkits/crls/", import.meta.url));
  const crls = readdirSync(dir).filter((f) => f.endsWith(".crl"));
  const bytes = (e: x509.Extension) => new Uint8Array(e.value);
  const hexOf = (e: x509.Extension) => toHex(bytes(e));

  it.each(crls)("%s", (file) => {
    const crl = new x509.X509Crl(readFileSync(`${dir}${file}`));
    for (const e of crl.extensions) {
      if (e.type === ExtensionOid.crlNumber) expect(decodeCrlNumber(bytes(e))).toBe(hexOf(e).slice(4));
      if (e.type === ExtensionOid.deltaCrlIndicator)
        expect(decodeDeltaCrlIndicator(bytes(e))).toMatch(/^[0-9a-f]+$/);
      if (e.type === ExtensionOid.authorityKeyIdentifier) {
        expect(decodeAuthorityKeyIdentifier(bytes(e)).keyIdentifier).toBeDefined();
      }
      if (e.type === ExtensionOid.issuingDistributionPoint) {
        const idp = decodeIssuingDistributionPoint(bytes(e));
        expect(idp.onlyContainsAttributeCerts).toBe(file === "onlyContainsAttributeCertsCACRL.crl");
      }
    }
    for (const entry of crl.entries) {
      for (const e of entry.extensions) {
        if (e.type === ExtensionOid.reasonCode) expect(decodeReasonCode(bytes(e))).toBe(entry.reason);
        if (e.type === ExtensionOid.invalidityDate)
          expect(decodeInvalidityDate(bytes(e))).toEqual(entry.invalidity);
        if (e.type === ExtensionOid.certificateIssuer)
          expect(decodeCertificateIssuer(bytes(e)).length).toBeGreaterThan(0);
      }
    }
  });

  it("distributionPoint2CACRL names its scope relative to the issuer", () => {
    const crl = new x509.X509Crl(readFileSync(`${dir}distributionPoint2CACRL.crl`));
    const idp = crl.extensions.find((e) => e.type === ExtensionOid.issuingDistributionPoint)!;
    const decoded = decodeIssuingDistributionPoint(bytes(idp));
    const names = distributionPointNames(
      decoded.distributionPoint!,
      parseNameDer(new Uint8Array(crl.issuerName.toArrayBuffer())),
    );
    expect(names[0]?.type === "directoryName" && formatName(names[0].value)).toBe(
      "CN=CRL1 of distributionPoint2 CA, OU=distributionPoint2 CA, O=Test Certificates 2011, C=US",
    );
  });

  it("deltaCRLCA1deltaCRL: CRL number 5, base 1", () => {
    const crl = new x509.X509Crl(readFileSync(`${dir}deltaCRLCA1deltaCRL.crl`));
    const get = (oid: string) => bytes(crl.extensions.find((e) => e.type === oid)!);
    expect(decodeCrlNumber(get(ExtensionOid.crlNumber))).toBe("05");
    expect(decodeDeltaCrlIndicator(get(ExtensionOid.deltaCrlIndicator))).toBe("01");
  });
});
