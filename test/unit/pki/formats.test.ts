import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractCertificates, extractCrls, InputFormatError } from "../../../shared/pki/formats.ts";
import {
  SST_END,
  SST_HEADER,
  SstProp,
  sstElement,
  toP7b,
  toPem,
  toPemBundle,
  toSst,
} from "../../support/containers.ts";
import * as d from "../../support/der-writer.ts";
import { fastMint } from "../../support/fast-mint.ts";
import { mintChain, mintCrl, mintLeaf } from "../../support/pki.ts";

const text = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "latin1"));

const { root, ca, leaf } = await mintChain();
const pemInside = await mintLeaf({
  issuer: ca,
  extensions: [{ oid: "1.3.6.1.4.1.99999.1", value: d.octetString(text("-----BEGIN CERTIFICATE-----")) }],
});
const big = fastMint({
  leaves: 0,
  crlEntries: 100_000,
  crlUrl: "http://crl.contoso.com/big.crl",
  notBefore: new Date("2026-01-01T00:00:00Z"),
  notAfter: new Date("2027-01-01T00:00:00Z"),
  thisUpdate: new Date("2026-05-25T00:00:00Z"),
  nextUpdate: new Date("2026-06-08T00:00:00Z"),
}).crl;
const crl = (await mintCrl({ issuer: ca, entries: [{ serial: "0bad", reason: 1 }] })).der;
const rootCrl = (await mintCrl({ issuer: root })).der;

/** A real PFX and a real DER certificate request, as admins hold them, written by OpenSSL. */
function opensslFiles(): { pfx: Uint8Array; csr: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), "formats-"));
  const run = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  const [key, cert, pfx, csr] = ["key.pem", "cert.pem", "alice.pfx", "alice.csr"].map((f) =>
    join(dir, f),
  ) as [string, string, string, string];
  run(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-subj",
    "/CN=alice",
    "-days",
    "1",
  );
  run("pkcs12", "-export", "-in", cert, "-inkey", key, "-out", pfx, "-passout", "pass:x");
  run("req", "-new", "-key", key, "-subj", "/CN=alice", "-outform", "DER", "-out", csr);
  return { pfx: readFileSync(pfx), csr: readFileSync(csr) };
}
const { pfx, csr } = opensslFiles();

const hex = (ders: readonly Uint8Array[]): string[] => ders.map((x) => Buffer.from(x).toString("hex"));
const cat = (...parts: Uint8Array[]): Uint8Array => d.concat(parts);

/** An indefinite-length (BER) rewrite of a PKCS#7 envelope, as some CA tools write it. */
function berP7b(certs: Uint8Array[]): Uint8Array {
  const indefinite = (tag: number, ...items: Uint8Array[]) =>
    cat(Uint8Array.of(tag, 0x80), ...items, Uint8Array.of(0, 0));
  const signedData = indefinite(
    0x30,
    d.int(1),
    d.set(),
    d.seq(d.oid("1.2.840.113549.1.7.1")),
    indefinite(0xa0, ...certs),
    d.set(),
  );
  return indefinite(0x30, d.oid("1.2.840.113549.1.7.2"), indefinite(0xa0, signedData));
}

/** Deterministic noise, so the garbage case is the same on every run. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x >> 16;
  }
  return out;
}

const truncated = leaf.der.subarray(0, 100);
const JUNK_BEFORE = "Bag Attributes\n    friendlyName: alice\nsubject=CN=alice\nissuer=CN=Test Issuing CA\n";
const KEY_BLOCK = toPem(Uint8Array.of(1, 2, 3), "PRIVATE KEY");

interface Case {
  readonly name: string;
  readonly input: Uint8Array;
  readonly expected: readonly Uint8Array[];
}

const certificateCases: Case[] = [
  {
    // In a container only the outer TLV is checked: the model reports a broken inside as MALFORMED.
    name: "PEM certificate whose inside is broken: returned for the model to judge",
    input: text(toPem(d.seq(truncated.subarray(4)))),
    expected: [d.seq(truncated.subarray(4))],
  },
  { name: "single PEM", input: text(leaf.pem), expected: [leaf.der] },
  {
    name: "many PEM blocks with junk before, between and after, and a key block ignored",
    input: text(
      `${JUNK_BEFORE}${toPem(leaf.der)}some words\n${KEY_BLOCK}${toPem(ca.der)}\n\n${toPem(root.der)}trailer text`,
    ),
    expected: [leaf.der, ca.der, root.der],
  },
  {
    name: "PEM with CRLF line endings",
    input: text(toPemBundle([leaf.der, ca.der]).replace(/\n/g, "\r\n")),
    expected: [leaf.der, ca.der],
  },
  {
    name: "PEM with unwrapped base64 on one line",
    input: text(
      `-----BEGIN CERTIFICATE-----\n${Buffer.from(ca.der).toString("base64")}\n-----END CERTIFICATE-----\n`,
    ),
    expected: [ca.der],
  },
  { name: "PEM label X509 CERTIFICATE", input: text(toPem(ca.der, "X509 CERTIFICATE")), expected: [ca.der] },
  {
    name: "PEM label TRUSTED CERTIFICATE: the certificate, OpenSSL's trust settings dropped",
    input: text(toPem(cat(root.der, d.seq(d.seq(d.oid("1.3.6.1.5.5.7.3.4")))), "TRUSTED CERTIFICATE")),
    expected: [root.der],
  },
  {
    name: "PEM text starting with the digit 0",
    input: text(`0 comes first\n${leaf.pem}`),
    expected: [leaf.der],
  },
  {
    name: "PEM in UTF-16LE with a byte-order mark (PowerShell Out-File)",
    input: cat(Uint8Array.of(0xff, 0xfe), Buffer.from(leaf.pem, "utf16le")),
    expected: [leaf.der],
  },
  {
    name: "PEM with a UTF-8 byte-order mark",
    input: cat(Uint8Array.of(0xef, 0xbb, 0xbf), text(leaf.pem)),
    expected: [leaf.der],
  },
  {
    name: "PEM certificate and CRL blocks: certificates only",
    input: text(toPem(leaf.der) + toPem(crl, "X509 CRL")),
    expected: [leaf.der],
  },
  { name: "DER certificate", input: leaf.der, expected: [leaf.der] },
  {
    name: "DER certificate with PEM text inside an extension",
    input: pemInside.der,
    expected: [pemInside.der],
  },
  {
    name: "DER certificate with a trailing newline",
    input: cat(leaf.der, text("\r\n")),
    expected: [leaf.der],
  },
  {
    name: "PKCS#7 DER (.p7b)",
    input: toP7b([leaf.der, ca.der, root.der]),
    expected: [leaf.der, ca.der, root.der],
  },
  { name: "PKCS#7 PEM", input: toP7b([ca.der, root.der], { pem: true }), expected: [ca.der, root.der] },
  {
    name: "PKCS#7 PEM with junk around it",
    input: text(`junk\n${Buffer.from(toP7b([ca.der], { pem: true })).toString()}more junk`),
    expected: [ca.der],
  },
  {
    name: "PKCS#7 with BER indefinite lengths",
    input: berP7b([leaf.der, ca.der]),
    expected: [leaf.der, ca.der],
  },
  {
    name: "PKCS#7 with certificates and CRLs: certificates only",
    input: toP7b([root.der], { crls: [crl] }),
    expected: [root.der],
  },
  {
    name: "SST with hash and friendly-name properties",
    input: toSst([root.der, ca.der]),
    expected: [root.der, ca.der],
  },
  {
    name: "SST without properties",
    input: toSst([root.der], { extraProperties: false }),
    expected: [root.der],
  },
  {
    name: "SST with certificates and CRLs: certificates only",
    input: toSst([root.der], { crls: [crl] }),
    expected: [root.der],
  },
  {
    name: "SST without its end marker, ending on an element boundary: accepted",
    input: toSst([root.der, ca.der], { endMarker: false }),
    expected: [root.der, ca.der],
  },
  {
    name: "SST with bytes after the end marker: ignored",
    input: cat(toSst([root.der]), noise(7, 1)),
    expected: [root.der],
  },
];

const crlCases: Case[] = [
  {
    name: "PEM X509 CRL with junk",
    input: text(`crl follows\n${toPem(crl, "X509 CRL")}end\n${toPem(rootCrl, "X509 CRL")}`),
    expected: [crl, rootCrl],
  },
  { name: "PEM label CRL (as @peculiar/x509 writes it)", input: text(toPem(crl, "CRL")), expected: [crl] },
  {
    name: "PEM certificate and CRL blocks: CRLs only",
    input: text(toPem(leaf.der) + toPem(crl, "X509 CRL")),
    expected: [crl],
  },
  { name: "DER CRL", input: crl, expected: [crl] },
  { name: "DER CRL of 100,000 entries (about 5 MB)", input: big, expected: [big] },
  { name: "PEM CRL of 100,000 entries", input: text(toPem(big, "X509 CRL")), expected: [big] },
  {
    name: "PKCS#7 DER with CRLs",
    input: toP7b([root.der], { crls: [crl, rootCrl] }),
    expected: [crl, rootCrl],
  },
  { name: "PKCS#7 PEM with a CRL", input: toP7b([], { crls: [crl], pem: true }), expected: [crl] },
  { name: "SST with a CRL element", input: toSst([root.der], { crls: [crl] }), expected: [crl] },
];

describe("extractCertificates", () => {
  it.each(certificateCases)("$name", ({ input, expected }) => {
    expect(hex(extractCertificates(input, "input"))).toEqual(hex(expected));
  });
});

describe("extractCrls", () => {
  it.each(crlCases)("$name", ({ input, expected }) => {
    expect(hex(extractCrls(input, "input"))).toEqual(hex(expected));
  });
});

const lyingSst = cat(
  SST_HEADER,
  sstElement(SstProp.sha1Hash, noise(20, 2)),
  sstElement(SstProp.certificate, root.der),
  sstElement(SstProp.certificate, noise(12, 3), { length: 5000 }),
);
const brokenBase64 = leaf.pem.replace(/^(-----BEGIN CERTIFICATE-----\n.{10})./m, "$1*");
const otherContentType = d.seq(d.oid("1.2.840.113549.1.7.3"), d.explicit(0, d.seq(d.int(0))));

interface BadCase {
  readonly name: string;
  readonly file: string;
  readonly input: Uint8Array;
  readonly message: string | RegExp;
  readonly crls?: boolean;
}

const badCases: BadCase[] = [
  { name: "empty file", file: "empty.cer", input: new Uint8Array(0), message: "empty.cer: empty file" },
  {
    name: "a 1-byte file holding 0x30",
    file: "one.der",
    input: Uint8Array.of(0x30),
    message: /^one\.der: truncated DER/,
  },
  {
    name: "a 1-byte file holding a letter",
    file: "one.txt",
    input: text("x"),
    message: /^one\.txt: no certificate found/,
  },
  {
    name: "binary garbage",
    file: "noise.bin",
    input: cat(Uint8Array.of(0x17), noise(4096, 4)),
    message: /^noise\.bin: no certificate found \(not PEM, DER, PKCS#7 or SST\)$/,
  },
  {
    name: "text with no PEM block",
    file: "notes.txt",
    input: text("hello\nworld\n"),
    message: /^notes\.txt: no certificate found/,
  },
  {
    name: "truncated DER names the declared length",
    file: "alice.cer",
    input: truncated,
    message: `alice.cer: truncated DER (length ${leaf.der.length - 4} runs past the end: 96 bytes remain at byte 4)`,
  },
  {
    name: "a length of 4 GB",
    file: "huge.der",
    input: Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0),
    message: /^huge\.der: truncated DER \(length 4294967295 runs past the end/,
  },
  {
    name: "DER followed by garbage",
    file: "tail.cer",
    input: cat(leaf.der, text("garbage")),
    message: "tail.cer: 7 unexpected bytes after the DER value",
  },
  {
    name: "DER file whose fields cannot be read",
    file: "broken.cer",
    input: d.seq(truncated.subarray(4)),
    message: "broken.cer: DER value is neither a certificate, a CRL nor PKCS#7 (its fields cannot be read)",
  },
  {
    name: "DER SEQUENCE that is nothing we know",
    file: "seq.der",
    input: d.seq(d.int(1), d.int(2)),
    message: /^seq\.der: DER value is neither/,
  },
  {
    name: "hostile nesting of indefinite lengths",
    file: "deep.p7b",
    input: cat(...Array.from({ length: 5000 }, () => Uint8Array.of(0x30, 0x80))),
    message: /^deep\.p7b: nesting deeper than/,
  },
  {
    name: "PEM with broken base64",
    file: "x.pem",
    input: text(brokenBase64),
    message: "x.pem: PEM block 1 (CERTIFICATE) is not valid base64",
  },
  {
    name: "PEM whose content is truncated DER",
    file: "cut.pem",
    input: text(toPem(truncated)),
    message: /^cut\.pem: PEM block 1 \(CERTIFICATE\): .*runs past the end/,
  },
  {
    name: "PEM without its END line",
    file: "open.pem",
    input: text(leaf.pem.split("-----END")[0]!),
    message: "open.pem: PEM block 1 (CERTIFICATE) has no END line",
  },
  {
    name: "PEM holding only a private key",
    file: "key.pem",
    input: text(KEY_BLOCK),
    message: "key.pem: no certificate found (only PRIVATE KEY blocks)",
  },
  {
    name: "an empty PEM block",
    file: "blank.pem",
    input: text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"),
    message: "blank.pem: PEM block 1 (CERTIFICATE) is empty",
  },
  {
    name: "a CRL given as a certificate",
    file: "issuing.crl",
    input: crl,
    message: "issuing.crl: holds a CRL, not a certificate",
  },
  {
    name: "PEM holding only CRLs, read for certificates",
    file: "issuing.crl.pem",
    input: text(toPem(crl, "X509 CRL")),
    message: "issuing.crl.pem: no certificate found (only X509 CRL blocks)",
  },
  {
    name: "a PKCS#12 (PFX) file",
    file: "alice.pfx",
    input: pfx,
    message: "alice.pfx: is a PKCS#12 (PFX) file: export the certificate alone (DER, PEM or .p7b)",
  },
  {
    name: "a DER certificate request",
    file: "alice.csr",
    input: csr,
    message: "alice.csr: holds a certificate request (PKCS#10), not a certificate",
  },
  {
    name: "a certificate given as a CRL",
    file: "alice.cer",
    input: leaf.der,
    crls: true,
    message: "alice.cer: holds a certificate, not a CRL",
  },
  {
    name: "PKCS#7 with no certificate",
    file: "empty.p7b",
    input: toP7b([], { crls: [crl] }),
    message: "empty.p7b: no certificate found",
  },
  {
    name: "PKCS#7 with no CRL",
    file: "certs.p7b",
    input: toP7b([root.der]),
    crls: true,
    message: "certs.p7b: no CRL found",
  },
  {
    name: "PKCS#7 of another content type",
    file: "enveloped.p7m",
    input: otherContentType,
    message: "enveloped.p7m: PKCS#7 content type is not signedData (1.2.840.113549.1.7.2)",
  },
  {
    name: "PKCS#7 holding a truncated certificate",
    file: "bad.p7b",
    input: toP7b([truncated]),
    message: /^bad\.p7b: truncated DER \(length \d+ runs past the end/,
  },
  {
    name: "SST whose length field lies",
    file: "store.sst",
    input: lyingSst,
    message: "store.sst: element 3 claims 5000 bytes, only 12 remain",
  },
  {
    name: "SST cut inside an element header",
    file: "cut.sst",
    input: toSst([root.der]).subarray(0, -6),
    message: "cut.sst: element 4 is truncated: its 12-byte header has only 6",
  },
  {
    name: "SST with only a header",
    file: "bare.sst",
    input: SST_HEADER,
    message: "bare.sst: no certificate found",
  },
  {
    name: "SST with only the end marker",
    file: "end.sst",
    input: cat(SST_HEADER, SST_END),
    message: "end.sst: no certificate found",
  },
  {
    name: "SST whose certificate element is garbage",
    file: "junk.sst",
    input: cat(SST_HEADER, sstElement(SstProp.certificate, noise(40, 5)), SST_END),
    message: /^junk\.sst: element 1 \(certificate\)/,
  },
];

describe("bad inputs", () => {
  it.each(badCases)("$name", ({ file, input, message, crls }) => {
    const read = () => (crls ? extractCrls(input, file) : extractCertificates(input, file));
    expect(read).toThrow(InputFormatError);
    expect(read).toThrow(message);
    try {
      read();
    } catch (e) {
      expect((e as InputFormatError).source).toBe(file);
    }
  });
});
