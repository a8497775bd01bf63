/**
 * parseCrl: every PKITS CRL, CRLs minted at fixed dates (entries, reasons, indirect CRLs), and malformed
 * DER, which must throw CrlParseError (at parse time for the header, at the first lookup for the entries).
 */
import "reflect-metadata";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { beforeAll, describe, expect, it } from "vitest";
import { type Crl, CrlParseError, CrlReason, parseCrl } from "../../../shared/pki/crl.ts";
import { type Name, parseNameDer } from "../../../shared/pki/name.ts";
import * as d from "../../support/der-writer.ts";
import { ext, type Minted, mintCrl, mintIntermediate, mintRoot, nameDer } from "../../support/pki.ts";

const PKITS_CRLS = "/work/shared/conformance/pkits/crls";
const pkits = (name: string): Crl => parseCrl(new Uint8Array(readFileSync(join(PKITS_CRLS, `${name}.crl`))));
/** A Name in @peculiar/x509's string form, which encodes RDNs in the order written. */
const dn = (s: string): Name => parseNameDer(nameDer(s));
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, "hex"));

describe("parseCrl on PKITS", () => {
  const files = readdirSync(PKITS_CRLS).filter((f) => f.endsWith(".crl"));

  it.each(files)("reads %s and indexes its entries", (file) => {
    const crl = parseCrl(new Uint8Array(readFileSync(join(PKITS_CRLS, file))));
    expect(crl.version).toBe(2);
    expect(crl.thisUpdate.getTime()).toBeLessThan(crl.nextUpdate!.getTime());
    expect(crl.size).toBeGreaterThanOrEqual(0);
  });

  const facts: [string, (crl: Crl) => void][] = [
    [
      "GoodCACRL lists two serials of Good CA",
      (crl) => {
        expect(crl.size).toBe(2);
        expect(crl.crlNumber).toBe("01");
        expect(crl.lookup("0e", crl.issuer)?.reason).toBe(CrlReason.keyCompromise);
        expect(crl.lookup("01", crl.issuer)).toBeUndefined();
      },
    ],
    [
      "a direct CRL answers only for certificates of its own issuer",
      (crl) => expect(crl.lookup("0e", dn("C=US, O=Test Certificates 2011, CN=Other CA"))).toBeUndefined(),
    ],
    [
      "deltaCRLCA1deltaCRL is a delta on base 01",
      () => {
        const crl = pkits("deltaCRLCA1deltaCRL");
        expect([crl.deltaCrlIndicator, crl.crlNumber, crl.size]).toEqual(["01", "05", 4]);
      },
    ],
    [
      "an unknown critical CRL extension is kept as a flag",
      () =>
        expect(pkits("UnknownCRLExtensionCACRL").unsupportedCriticalExtensions).toEqual([
          "2.16.840.1.101.2.1.12.2",
        ]),
    ],
    [
      "an unknown critical entry extension is kept as a flag",
      () =>
        expect(pkits("UnknownCRLEntryExtensionCACRL").unsupportedCriticalEntryExtensions).toEqual([
          "2.16.840.1.101.2.1.12.2",
        ]),
    ],
    [
      "a negative serial (FF) is not the positive 255 (00 FF)",
      () => {
        const crl = pkits("NegativeSerialNumberCACRL");
        expect(crl.lookupSerial(bytes("ff"), crl.issuer)).toBeDefined();
        expect(crl.lookupSerial(bytes("00ff"), crl.issuer)).toBeUndefined();
        expect(crl.lookup("ff", crl.issuer)).toBeDefined();
        expect(crl.lookup("00ff", crl.issuer)).toBeUndefined();
      },
    ],
    [
      "a 20-octet serial is found",
      () => {
        const crl = pkits("LongSerialNumberCACRL");
        expect(crl.lookup("7f0102030405060708090a0b0c0d0e0f10111213", crl.issuer)).toBeDefined();
      },
    ],
    [
      "a bad signature's unused bits are kept, not thrown",
      () => expect(pkits("BadCRLSignatureCACRL").signatureUnusedBits).toBe(1),
    ],
    [
      "an indirect CRL attributes entries to the certificateIssuer in force",
      () => {
        const crl = pkits("indirectCRLCA5CRL");
        expect(crl.issuingDistributionPoint?.indirectCrl).toBe(true);
        const ca6 = dn("C=US, O=Test Certificates 2011, CN=indirectCRL CA6");
        const hit = crl.lookup("02", ca6);
        expect(hit?.certificateIssuer?.key).toBe(ca6.key);
      },
    ],
  ];
  it.each(facts)("%s", (_name, check) => check(pkits("GoodCACRL")));
});

describe("parseCrl on minted CRLs", () => {
  let ca: Minted;
  let other: Minted;
  let crl: Crl;
  let indirect: Crl;
  const revokedAt = new Date("2026-05-01T00:00:00Z");
  const invalidSince = new Date("2026-04-20T00:00:00Z");

  beforeAll(async () => {
    const root = await mintRoot();
    ca = await mintIntermediate({ issuer: root, subject: "CN=Issuing CA, O=Contoso Test" });
    other = await mintIntermediate({ issuer: root, subject: "CN=Other CA, O=Contoso Test" });
    const minted = await mintCrl({
      issuer: ca,
      crlNumber: 7,
      entries: [
        { serial: "1001", reason: x509.X509CrlReason.keyCompromise, invalidity: invalidSince },
        { serial: "1002", reason: x509.X509CrlReason.certificateHold },
        { serial: "1003" },
        { serial: "00ff" },
      ],
    });
    crl = parseCrl(minted.der);
    const mintedIndirect = await mintCrl({
      issuer: ca,
      extensions: [ext.issuingDistributionPoint({ indirect: true })],
      entries: [
        { serial: "2001" },
        { serial: "2002", extensions: [ext.certificateIssuer(other.subject)] },
        { serial: "2003" },
        { serial: "2004", extensions: [ext.certificateIssuer(ca.subject)] },
      ],
    });
    indirect = parseCrl(mintedIndirect.der);
  });

  it("reads the header fields", () => {
    expect(crl.size).toBe(4);
    expect(crl.crlNumber).toBe("07");
    expect(crl.thisUpdate.toISOString()).toBe("2026-05-25T00:00:00.000Z");
    expect(crl.nextUpdate?.toISOString()).toBe("2026-06-08T00:00:00.000Z");
    expect(crl.authorityKeyIdentifier?.keyIdentifier).toBeDefined();
    expect(crl.unsupportedCriticalExtensions).toEqual([]);
  });

  const lookups: [string, string, Partial<Record<"reason" | "invalidity" | "date", unknown>> | undefined][] =
    [
      [
        "a key compromise with its invalidity date",
        "1001",
        { reason: CrlReason.keyCompromise, invalidity: invalidSince.toISOString() },
      ],
      ["a hold", "1002", { reason: CrlReason.certificateHold }],
      ["an entry without reason", "1003", { reason: undefined, date: revokedAt.toISOString() }],
      ["a serial with its top bit set", "00ff", { reason: undefined }],
      ["an unlisted serial", "1004", undefined],
    ];
  it.each(lookups)("looks up %s", (_name, serial, expected) => {
    const entry = crl.lookup(serial, dn(ca.subject));
    if (!expected) return expect(entry).toBeUndefined();
    expect(entry?.serialNumber).toBe(serial);
    if ("reason" in expected) expect(entry?.reason).toBe(expected.reason);
    if (expected.invalidity) expect(entry?.invalidityDate?.toISOString()).toBe(expected.invalidity);
    if (expected.date) expect(entry?.revocationDate.toISOString()).toBe(expected.date);
  });

  const indirectCases: [string, string, "ca" | "other", boolean][] = [
    ["entries before any certificateIssuer belong to the CRL issuer", "2001", "ca", true],
    ["…and not to another issuer", "2001", "other", false],
    ["certificateIssuer applies to its own entry", "2002", "other", true],
    ["…and to the following ones", "2003", "other", true],
    ["…but not to the CRL issuer", "2003", "ca", false],
    ["until the next certificateIssuer", "2004", "ca", true],
  ];
  it.each(indirectCases)("indirect: %s", (_name, serial, who, listed) => {
    const issuer = dn(who === "ca" ? ca.subject : other.subject);
    const entry = indirect.lookup(serial, issuer);
    expect(entry !== undefined).toBe(listed);
    if (entry) expect(entry.certificateIssuer?.key).toBe(issuer.key);
  });
});

describe("parseCrl on malformed DER", () => {
  const sha256Rsa = d.algorithm("1.2.840.113549.1.1.11", null);
  const issuer = d.name(["2.5.4.3", d.printable("Broken CA")]);
  const at = d.utcTime(new Date("2026-05-25T00:00:00Z"));
  const list = (tbsFields: Uint8Array[]): Uint8Array =>
    d.seq(
      d.seq(d.int(1), sha256Rsa, issuer, at, at, ...tbsFields),
      sha256Rsa,
      d.bitString(new Uint8Array(8)),
    );
  const valid = list([]);

  const atParse: [string, Uint8Array][] = [
    ["empty input", new Uint8Array()],
    ["garbage", Uint8Array.from(Buffer.from("not a CRL at all, just text"))],
    ["truncated", valid.subarray(0, valid.length - 5)],
    ["trailing bytes", Uint8Array.from([...valid, 0, 0])],
    ["a SET instead of a SEQUENCE", Uint8Array.from([0x31, ...valid.subarray(1)])],
    [
      "a missing thisUpdate",
      d.seq(d.seq(d.int(1), sha256Rsa, issuer), sha256Rsa, d.bitString(new Uint8Array(8))),
    ],
    [
      "a repeated extension",
      list([
        d.explicit(
          0,
          d.seq(d.extension("2.5.29.20", false, d.int(1)), d.extension("2.5.29.20", false, d.int(2))),
        ),
      ]),
    ],
    [
      "a malformed issuingDistributionPoint",
      list([d.explicit(0, d.seq(d.extension("2.5.29.28", true, d.int(1))))]),
    ],
    [
      "an issuer name that is not UTF-8",
      d.seq(
        d.seq(
          d.int(1),
          sha256Rsa,
          d.name(["2.5.4.3", d.tlv(d.T.UTF8_STRING, Uint8Array.of(0xff, 0xfe))]),
          at,
          at,
        ),
        sha256Rsa,
        d.bitString(new Uint8Array(8)),
      ),
    ],
    [
      "a negative cRLNumber",
      list([d.explicit(0, d.seq(d.extension("2.5.29.20", false, d.tlv(d.T.INTEGER, Uint8Array.of(0xff)))))]),
    ],
  ];
  it.each(atParse)("throws CrlParseError for %s", (_name, der) => {
    expect(() => parseCrl(der)).toThrow(CrlParseError);
  });

  const atLookup: [string, Uint8Array][] = [
    ["an entry without revocationDate", d.seq(d.seq(d.int(5)))],
    ["an entry that is not a SEQUENCE", d.seq(d.int(5))],
    ["an entry with a bad extension list", d.seq(d.seq(d.int(5), at, d.int(0)))],
    ["an entry whose length runs past the list", Uint8Array.from([0x30, 0x04, 0x30, 0x05, 0x02, 0x01])],
  ];
  it.each(atLookup)("defers %s to the first lookup", (_name, revoked) => {
    const crl = parseCrl(list([revoked]));
    expect(() => crl.lookup("05", crl.issuer)).toThrow(CrlParseError);
    expect(() => crl.size).toThrow(CrlParseError);
  });
});
