import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractCrls } from "../../../shared/pki/formats.ts";
import { toPem } from "../../support/containers.ts";
import { fastMint } from "../../support/fast-mint.ts";

const NOW = new Date("2026-06-01T00:00:00Z");
const pki = fastMint({
  leaves: 4,
  crlEntries: 25,
  revokedLeaves: [2],
  crlUrl: "http://127.0.0.1:8099/issuing.crl",
  rootCrlUrl: "http://127.0.0.1:8099/root.crl",
  rootCertUrl: "http://127.0.0.1:8099/root.cer",
  caCertUrl: "http://127.0.0.1:8099/ca.cer",
  notBefore: new Date("2026-01-01T00:00:00Z"),
  notAfter: new Date("2027-01-01T00:00:00Z"),
  thisUpdate: new Date("2026-05-25T00:00:00Z"),
  nextUpdate: new Date("2026-06-08T00:00:00Z"),
});

const dir = mkdtempSync(join(tmpdir(), "fast-mint-"));
const file = (name: string, data: string | Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
};
const root = file("root.pem", pki.root.pem);
const ca = file("ca.pem", pki.ca.pem);
const crls = file("crls.pem", toPem(pki.crl, "X509 CRL") + toPem(pki.rootCrl, "X509 CRL"));
const leafFiles = pki.leaves.map((l, i) => file(`leaf${i}.pem`, toPem(l.der)));
const at = String(NOW.getTime() / 1000);

/** Runs openssl; returns its exit status and combined output instead of throwing on failure. */
function openssl(...args: string[]): { status: number; out: string } {
  try {
    return { status: 0, out: execFileSync("openssl", args, { encoding: "utf8", stdio: "pipe" }) };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { status: err.status, out: err.stdout + err.stderr };
  }
}

describe("fastMint output, checked by OpenSSL", () => {
  it.each(leafFiles.map((path, i) => ({ i, path })))("leaf $i chains to the root", ({ path }) => {
    const { status, out } = openssl("verify", "-attime", at, "-CAfile", root, "-untrusted", ca, path);
    expect(out.trim()).toBe(`${path}: OK`);
    expect(status).toBe(0);
  });

  it.each([
    { name: "a leaf not on the CRL passes -crl_check_all", leaf: 0, ok: true },
    { name: "a leaf not on the CRL passes -crl_check_all (another serial)", leaf: 3, ok: true },
    { name: "the revoked leaf fails -crl_check_all", leaf: 2, ok: false },
  ])("$name", ({ leaf, ok }) => {
    const path = leafFiles[leaf]!;
    const { status, out } = openssl(
      "verify",
      "-attime",
      at,
      "-crl_check_all",
      "-CRLfile",
      crls,
      "-CAfile",
      root,
      "-untrusted",
      ca,
      path,
    );
    if (ok) expect(out.trim()).toBe(`${path}: OK`);
    else expect(out).toContain("certificate revoked");
    expect(status === 0).toBe(ok);
  });

  it("writes a CRL OpenSSL reads, with dates, a CRL number and a reason on each entry", () => {
    const { status, out } = openssl(
      "crl",
      "-inform",
      "DER",
      "-noout",
      "-text",
      "-in",
      file("issuing.crl", pki.crl),
    );
    expect(status).toBe(0);
    expect(out).toContain("Last Update: May 25 00:00:00 2026 GMT");
    expect(out).toContain("Next Update: Jun  8 00:00:00 2026 GMT");
    expect(out).toContain("X509v3 CRL Number");
    expect(out.match(/Serial Number: /g)).toHaveLength(25);
    expect(out.match(/X509v3 CRL Reason Code/g)).toHaveLength(25);
    expect(out).toContain(`Serial Number: ${pki.leaves[2]!.serial.toUpperCase()}`);
  });

  it("puts the requested S/MIME fields and URLs in each leaf", () => {
    const { out } = openssl("x509", "-noout", "-text", "-in", leafFiles[1]!);
    for (const expected of [
      "emailAddress = user00001@contoso.com",
      "email:user00001@contoso.com",
      "E-mail Protection",
      "Digital Signature, Key Encipherment",
      "URI:http://127.0.0.1:8099/issuing.crl",
      "CA Issuers - URI:http://127.0.0.1:8099/ca.cer",
      "X509v3 Subject Key Identifier",
      "X509v3 Authority Key Identifier",
    ]) {
      expect(out).toContain(expected);
    }
  });

  it("gives the issuing CA its CRL distribution point and AIA", () => {
    const { out } = openssl("x509", "-noout", "-text", "-in", ca);
    expect(out).toContain("URI:http://127.0.0.1:8099/root.crl");
    expect(out).toContain("CA Issuers - URI:http://127.0.0.1:8099/root.cer");
    expect(out).toContain("CA:TRUE, pathlen:0");
  });

  it("gives every leaf its own serial and marks the revoked one", () => {
    expect(new Set(pki.leaves.map((l) => l.serial)).size).toBe(4);
    expect(pki.leaves.map((l) => l.revoked)).toEqual([false, false, true, false]);
    expect(extractCrls(pki.crl, "issuing.crl")).toHaveLength(1);
  });
});
