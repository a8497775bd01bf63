import { describe, expect, it } from "vitest";
import { parseCertificate } from "../../../shared/pki/certificate.ts";
import { checkSmimeProfile, keyFacts, keyOutsideProfile } from "../../../shared/pki/smime-profile.ts";
import { mintLeaf, mintRoot } from "../../support/pki.ts";

describe("keyOutsideProfile (S/MIME BR 6.1.5)", () => {
  it.each([
    { name: "RSA 2048", key: { kind: "rsa", bits: 2048 }, outside: false },
    { name: "RSA 4096", key: { kind: "rsa", bits: 4096 }, outside: false },
    { name: "RSA 1024", key: { kind: "rsa", bits: 1024 }, outside: true },
    { name: "RSA 2049 (not a multiple of 8)", key: { kind: "rsa", bits: 2049 }, outside: true },
    { name: "P-256", key: { kind: "ec", curve: "1.2.840.10045.3.1.7" }, outside: false },
    { name: "P-192", key: { kind: "ec", curve: "1.2.840.10045.3.1.1" }, outside: true },
    { name: "DSA", key: { kind: "dsa", bits: 2048 }, outside: true },
    { name: "Ed25519", key: { kind: "eddsa", oid: "1.3.101.112" }, outside: false },
  ] as const)("$name", ({ key, outside }) => {
    expect(keyOutsideProfile(key) !== undefined).toBe(outside);
  });
});

describe("keyFacts reads SubjectPublicKeyInfo", () => {
  it.each([
    { name: "an EC P-256 key", type: "ec-p256", expected: { kind: "ec", curve: "1.2.840.10045.3.1.7" } },
    { name: "an RSA-2048 key", type: "rsa-2048", expected: { kind: "rsa", bits: 2048 } },
    { name: "an Ed25519 key", type: "ed25519", expected: { kind: "eddsa", oid: "1.3.101.112" } },
  ] as const)("$name", async ({ type, expected }) => {
    const root = await mintRoot({ key: type });
    expect(keyFacts(parseCertificate(root.der).spki)).toEqual(expected);
  });
});

describe("checkSmimeProfile", () => {
  it.each([
    { name: "an S/MIME leaf with emailProtection", eku: ["1.3.6.1.5.5.7.3.4"], role: "leaf", rules: [] },
    { name: "a leaf without EKU", eku: null, role: "leaf", rules: ["S/MIME BR 7.1.2.3 (f)"] },
    {
      name: "a leaf with anyExtendedKeyUsage",
      eku: ["2.5.29.37.0"],
      role: "leaf",
      rules: ["S/MIME BR 7.1.2.3 (f)"],
    },
  ] as const)("$name", async ({ eku, role, rules }) => {
    const root = await mintRoot();
    const leaf = parseCertificate(
      (await mintLeaf({ issuer: root, eku: eku === null ? null : [...eku] })).der,
    );
    const found = checkSmimeProfile(leaf, role, 0).map((p) => String(p.rule).slice(0, rules[0]?.length ?? 0));
    expect(found).toEqual(rules);
    for (const p of checkSmimeProfile(leaf, role, 0)) expect(p.severity).toBe("warning");
  });

  it("warns on a root with extendedKeyUsage as an anchor", async () => {
    const root = parseCertificate((await mintRoot({ eku: ["1.3.6.1.5.5.7.3.4"] })).der);
    expect(checkSmimeProfile(root, "anchor", 1).map((p) => p.code)).toEqual(["NONCONFORMANT"]);
  });
});
