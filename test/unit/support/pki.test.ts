import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type KeyType, mintChain, mintCrl, NOW } from "../../support/pki.ts";

const dir = mkdtempSync(join(tmpdir(), "pki-test-"));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const openssl = (...args: string[]): string =>
  execFileSync("openssl", args, { encoding: "utf8", stdio: "pipe" });
const at = String(Math.floor(NOW.getTime() / 1000));

describe("minted chains verify with OpenSSL at NOW", () => {
  it.each<KeyType>(["ec-p256", "ec-p384", "rsa-2048", "ed25519"])("%s", async (key) => {
    const { root, ca, leaf } = await mintChain({ root: { key }, ca: { key }, leaf: { key } });
    const crl = await mintCrl({ issuer: ca });
    const rootCrl = await mintCrl({ issuer: root });
    const [r, c, l] = [
      write(`${key}-root.pem`, root.pem),
      write(`${key}-ca.pem`, ca.pem),
      write(`${key}-leaf.pem`, leaf.pem),
    ];
    const crls = write(`${key}-crls.pem`, crl.pem + rootCrl.pem);
    const out = openssl(
      "verify",
      "-attime",
      at,
      "-crl_check_all",
      "-CRLfile",
      crls,
      "-CAfile",
      r,
      "-untrusted",
      c,
      l,
    );
    expect(out.trim()).toBe(`${l}: OK`);
  });
});

describe("mintLeaf options reach the certificate", () => {
  it("writes every requested extension", async () => {
    const { leaf } = await mintChain({
      leaf: {
        email: ["bob@contoso.com", "bob@fabrikam.com"],
        subjectEmail: "bob@contoso.com",
        crlUrls: ["http://crl.contoso.com/issuing.crl"],
        caIssuersUrls: ["http://crl.contoso.com/issuing.cer"],
        policies: ["1.3.6.1.4.1.311.21.8.1"],
        nameConstraints: {
          permitted: [{ email: "contoso.com" }, { ip: "10.0.0.0/8" }],
          excluded: [{ dn: "O=Evil" }],
        },
        policyConstraints: { requireExplicitPolicy: 0 },
        policyMappings: [["1.2.3.4", "1.2.3.5"]],
        inhibitAnyPolicy: 1,
        extensions: [{ oid: "1.2.3.4.5", critical: true, value: Uint8Array.of(5, 0) }],
        serial: "0abc",
      },
    });
    const text = openssl("x509", "-noout", "-text", "-in", write("leaf.pem", leaf.pem));
    for (const expected of [
      "Serial Number: 2748 (0xabc)",
      "Subject: CN = bob, emailAddress = bob@contoso.com",
      "email:bob@contoso.com, email:bob@fabrikam.com",
      "E-mail Protection",
      "Digital Signature, Key Agreement",
      "URI:http://crl.contoso.com/issuing.crl",
      "CA Issuers - URI:http://crl.contoso.com/issuing.cer",
      "Policy: 1.3.6.1.4.1.311.21.8.1",
      "email:contoso.com",
      "IP:10.0.0.0/255.0.0.0",
      "DirName:O = Evil",
      "Require Explicit Policy:0",
      "1.2.3.4:1.2.3.5",
      "X509v3 Inhibit Any Policy: critical",
      "1.2.3.4.5: critical",
      "Not Before: Jan  1 00:00:00 2026 GMT",
      "X509v3 Authority Key Identifier",
    ]) {
      expect(text).toContain(expected);
    }
  });

  it("leaves out what is set to null", async () => {
    const { leaf } = await mintChain({
      leaf: { eku: null, keyUsage: null, email: null, noKeyIdentifiers: true },
    });
    const text = openssl("x509", "-noout", "-text", "-in", write("bare.pem", leaf.pem));
    expect(text).not.toContain("X509v3 extensions");
  });

  it("caches RSA keys per subject", async () => {
    const a = await mintChain({ leaf: { key: "rsa-2048", subject: "CN=Same" } });
    const b = await mintChain({ leaf: { key: "rsa-2048", subject: "CN=Same" } });
    expect(a.leaf.keys.publicKey).toBe(b.leaf.keys.publicKey);
  });
});

describe("mintCrl", () => {
  it("writes entries with reasons, crlNumber and dates", async () => {
    const { ca } = await mintChain();
    const crl = await mintCrl({
      issuer: ca,
      crlNumber: 7,
      entries: [
        { serial: "1001", reason: 1 },
        { serial: "1002", date: new Date("2026-04-01T00:00:00Z") },
      ],
    });
    const text = openssl("crl", "-noout", "-text", "-in", write("ca.crl.pem", crl.pem));
    for (const expected of [
      "Last Update: May 25 00:00:00 2026 GMT",
      "Next Update: Jun  8 00:00:00 2026 GMT",
      "X509v3 CRL Number: \n                7",
      "Serial Number: 1001",
      "Key Compromise",
      "Revocation Date: Apr  1 00:00:00 2026 GMT",
    ]) {
      expect(text.replace(/ +\n/g, " \n")).toContain(expected);
    }
  });
});
