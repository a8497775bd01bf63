import { describe, expect, it } from "vitest";
import { parseCertificate } from "../../../shared/pki/certificate.ts";
import { Eku, KeyUsage } from "../../../shared/pki/extensions.ts";
import { error, warning } from "../../../shared/pki/problems.ts";
import { checkSmimeRules, emailAddressesOf } from "../../../shared/pki/smime-rules.ts";
import { buildVerdict } from "../../../shared/pki/verdict.ts";
import { type CertOptions, type Minted, mintLeaf, mintRoot } from "../../support/pki.ts";

let root: Promise<Minted> | undefined;
const issuer = () => {
  root ??= mintRoot();
  return root;
};

interface Case {
  readonly name: string;
  readonly leaf: CertOptions;
  readonly smtp?: string;
  readonly signing: string[];
  readonly encryption: string[];
}

const { digitalSignature, nonRepudiation, keyEncipherment, keyAgreement, dataEncipherment } = KeyUsage;

const cases: Case[] = [
  { name: "an EC S/MIME leaf with keyAgreement", leaf: {}, signing: [], encryption: [] },
  { name: "an RSA S/MIME leaf with keyEncipherment", leaf: { key: "rsa-2048" }, signing: [], encryption: [] },
  {
    name: "EKU without emailProtection blocks both purposes",
    leaf: { eku: [Eku.clientAuth] },
    signing: ["EKU_NOT_EMAIL_PROTECTION"],
    encryption: ["EKU_NOT_EMAIL_PROTECTION"],
  },
  { name: "anyExtendedKeyUsage is enough", leaf: { eku: [Eku.any] }, signing: [], encryption: [] },
  { name: "no EKU at all is enough", leaf: { eku: null }, signing: [], encryption: [] },
  {
    name: "keyUsage for encryption only",
    leaf: { keyUsage: keyAgreement },
    signing: ["KEY_USAGE_SIGNING"],
    encryption: [],
  },
  {
    name: "nonRepudiation alone signs",
    leaf: { keyUsage: nonRepudiation | keyAgreement },
    signing: [],
    encryption: [],
  },
  {
    name: "EC key without keyAgreement cannot encrypt",
    leaf: { keyUsage: digitalSignature | keyEncipherment },
    signing: [],
    encryption: ["KEY_USAGE_ENCRYPTION"],
  },
  {
    name: "RSA key without keyEncipherment cannot encrypt",
    leaf: { key: "rsa-2048", keyUsage: digitalSignature | dataEncipherment },
    signing: [],
    encryption: ["KEY_USAGE_ENCRYPTION"],
  },
  {
    name: "no keyUsage: both purposes allowed (RFC 5280 4.2.1.3, RFC 8550 4.4.2)",
    leaf: { keyUsage: null },
    signing: [],
    encryption: [],
  },
  {
    name: "an Ed25519 key signs but cannot encrypt",
    leaf: { key: "ed25519", keyUsage: digitalSignature },
    signing: [],
    encryption: ["KEY_USAGE_ENCRYPTION"],
  },
  {
    name: "no e-mail address anywhere",
    leaf: { email: null },
    signing: ["NO_EMAIL_ADDRESS"],
    encryption: ["NO_EMAIL_ADDRESS"],
  },
  {
    name: "the address only in the subject is enough",
    leaf: { email: null, subjectEmail: "alice@contoso.com" },
    smtp: "alice@contoso.com",
    signing: [],
    encryption: [],
  },
  {
    name: "primary SMTP matches case-insensitively",
    leaf: { email: "Alice.Smith@Contoso.com" },
    smtp: "alice.smith@contoso.COM",
    signing: [],
    encryption: [],
  },
  {
    name: "primary SMTP is a different address",
    leaf: { email: "alice@contoso.com" },
    smtp: "alice@fabrikam.com",
    signing: ["SMTP_MISMATCH"],
    encryption: ["SMTP_MISMATCH"],
  },
];

describe("checkSmimeRules", () => {
  it.each(cases)("$name", async (c) => {
    const leaf = parseCertificate((await mintLeaf({ issuer: await issuer(), ...c.leaf })).der);
    const findings = checkSmimeRules(leaf, c.smtp === undefined ? {} : { smtp: c.smtp });
    expect(findings.signing.map((p) => p.code)).toEqual(c.signing);
    expect(findings.encryption.map((p) => p.code)).toEqual(c.encryption);
    expect([...findings.signing, ...findings.encryption].every((p) => p.severity === "error")).toBe(true);
  });

  it("lists SAN addresses, then subject ones, without case-insensitive duplicates", async () => {
    const leaf = parseCertificate(
      (
        await mintLeaf({
          issuer: await issuer(),
          email: ["Alice@Contoso.com", "alice@fabrikam.com", "ALICE@contoso.com"],
          subjectEmail: "alice@contoso.com",
        })
      ).der,
    );
    expect(emailAddressesOf(leaf)).toEqual(["Alice@Contoso.com", "alice@fabrikam.com"]);
  });
});

describe("buildVerdict", () => {
  const chainWide = [error("REVOKED", "revoked"), warning("NONCONFORMANT", "basicConstraints not critical")];
  const table = [
    {
      name: "chain errors block both purposes",
      chain: chainWide,
      signing: [],
      encryption: [],
      purpose: "signing" as const,
      ready: [false, false, false],
    },
    {
      name: "a warning alone blocks nothing",
      chain: [chainWide[1]!],
      signing: [],
      encryption: [],
      purpose: "both" as const,
      ready: [true, true, true],
    },
    {
      name: "an encryption problem does not block signing when signing is asked",
      chain: [],
      signing: [],
      encryption: [error("KEY_USAGE_ENCRYPTION", "no keyAgreement")],
      purpose: "signing" as const,
      ready: [true, false, true],
    },
    {
      name: "an encryption problem blocks when both are asked",
      chain: [],
      signing: [],
      encryption: [error("KEY_USAGE_ENCRYPTION", "no keyAgreement")],
      purpose: "both" as const,
      ready: [true, false, false],
    },
    {
      name: "a signing problem does not block encryption when encryption is asked",
      chain: [],
      signing: [error("KEY_USAGE_SIGNING", "no digitalSignature")],
      encryption: [],
      purpose: "encryption" as const,
      ready: [false, true, true],
    },
  ];

  it.each(table)("$name", (c) => {
    const v = buildVerdict(
      { problems: c.chain },
      { signing: c.signing, encryption: c.encryption },
      c.purpose,
    );
    expect([v.signing.ready, v.encryption.ready, v.ready]).toEqual(c.ready);
    expect(v.signing.problems).toEqual([...c.chain, ...c.signing]);
    expect(v.encryption.problems).toEqual([...c.chain, ...c.encryption]);
  });
});
