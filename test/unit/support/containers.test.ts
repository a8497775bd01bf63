import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SST_END, SST_HEADER, SstProp, toP7b, toPemBundle, toSst } from "../../support/containers.ts";
import { mintChain, mintCrl } from "../../support/pki.ts";

const { root, ca, leaf } = await mintChain();
const crl = (await mintCrl({ issuer: ca })).der;

const dir = mkdtempSync(join(tmpdir(), "containers-"));
const file = (name: string, data: string | Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
};
const openssl = (...args: string[]): string =>
  execFileSync("openssl", args, { encoding: "utf8", stdio: "pipe" });
const subjects = (out: string): string[] => [...out.matchAll(/^subject=(.*)$/gm)].map((m) => m[1]!);

describe("containers OpenSSL reads", () => {
  it.each([
    { name: "PKCS#7 DER", data: toP7b([leaf.der, ca.der, root.der]), args: ["-inform", "DER"] },
    { name: "PKCS#7 PEM", data: toP7b([leaf.der, ca.der, root.der], { pem: true }), args: [] },
  ])("$name: certificates in order", ({ name, data, args }) => {
    const out = openssl("pkcs7", ...args, "-print_certs", "-noout", "-in", file(`${name}.p7b`, data));
    expect(subjects(out)).toEqual([
      "CN = alice",
      "CN = Test Issuing CA, O = Contoso Test",
      "CN = Test Root CA, O = Contoso Test",
    ]);
  });

  it("PKCS#7 with a CRL", () => {
    const out = openssl(
      "pkcs7",
      "-inform",
      "DER",
      "-print_certs",
      "-noout",
      "-in",
      file("crl.p7b", toP7b([root.der], { crls: [crl] })),
    );
    expect(out).toContain("Certificate Revocation List (CRL):");
    expect(subjects(out)).toEqual(["CN = Test Root CA, O = Contoso Test"]);
  });

  it("PEM bundle", () => {
    const out = openssl(
      "storeutl",
      "-noout",
      "-certs",
      file("bundle.pem", toPemBundle([leaf.der, ca.der, root.der])),
    );
    expect(out).toContain("Total found: 3");
  });
});

describe("toSst writes the serialized-store layout", () => {
  const u32 = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

  it("header, property elements, the certificate element and the end marker", () => {
    const sst = toSst([root.der]);
    expect([...sst.subarray(0, 8)]).toEqual([...SST_HEADER]);
    let at = 8;
    const elements: { propId: number; encoding: number; value: Uint8Array }[] = [];
    while (at < sst.length) {
      const length = u32(sst, at + 8);
      elements.push({
        propId: u32(sst, at),
        encoding: u32(sst, at + 4),
        value: sst.subarray(at + 12, at + 12 + length),
      });
      at += 12 + length;
    }
    expect(at).toBe(sst.length);
    expect(elements.map((e) => e.propId)).toEqual([
      SstProp.sha1Hash,
      SstProp.friendlyName,
      SstProp.certificate,
      SstProp.end,
    ]);
    expect(Buffer.from(elements[0]!.value).toString("hex")).toBe(
      createHash("sha1").update(root.der).digest("hex"),
    );
    expect(elements[2]!.value).toEqual(root.der);
    expect(elements[2]!.encoding).toBe(1);
    expect([...sst.subarray(-12)]).toEqual([...SST_END]);
  });

  it.each([
    {
      name: "without properties",
      options: { extraProperties: false },
      length: 8 + 12 + root.der.length + 12,
    },
    {
      name: "without the end marker",
      options: { extraProperties: false, endMarker: false },
      length: 8 + 12 + root.der.length,
    },
    {
      name: "with a CRL",
      options: { extraProperties: false, crls: [crl] },
      length: 8 + 24 + root.der.length + crl.length + 12,
    },
  ])("$name", ({ options, length }) => {
    expect(toSst([root.der], options).length).toBe(length);
  });
});
