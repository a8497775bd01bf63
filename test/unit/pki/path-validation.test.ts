import { describe, expect, it } from "vitest";
import { parseCertificate } from "../../../shared/pki/certificate.ts";
import { checkProfile } from "../../../shared/pki/certificate-profile.ts";
import { formatName } from "../../../shared/pki/name.ts";
import { validatePath } from "../../../shared/pki/path-validation.ts";
import { DEFAULT_POLICY_INPUTS, type PolicyInputs } from "../../../shared/pki/policy-tree.ts";
import {
  generateKey,
  type Minted,
  mintIntermediate,
  mintLeaf,
  mintRoot,
  NOT_AFTER,
  NOW,
} from "../../support/pki.ts";

const EXPIRED = { notBefore: new Date("2025-01-01T00:00:00Z"), notAfter: new Date("2026-03-01T00:00:00Z") };
const FUTURE = { notBefore: new Date("2026-09-01T00:00:00Z"), notAfter: new Date("2027-09-01T00:00:00Z") };
const KEY_CERT_SIGN = 1 << 5;
const DIGITAL_SIGNATURE = 1 << 0;

interface Case {
  readonly name: string;
  /** The path, anchor first. */
  readonly path: () => Promise<Minted[]>;
  readonly policy?: PolicyInputs;
  /** Expected problems as "CODE@index" (index from the leaf); warnings as "CODE@index:warning". */
  readonly expected: string[];
}

async function chain(o: { root?: object; ca?: object; leaf?: object } = {}): Promise<Minted[]> {
  const root = await mintRoot(o.root);
  const ca = await mintIntermediate({ issuer: root, ...o.ca });
  const leaf = await mintLeaf({ issuer: ca, ...o.leaf });
  return [root, ca, leaf];
}

const cases: Case[] = [
  { name: "a valid root, issuing CA and leaf", path: () => chain(), expected: [] },
  { name: "expired leaf", path: () => chain({ leaf: EXPIRED }), expected: ["EXPIRED@0"] },
  { name: "expired intermediate", path: () => chain({ ca: EXPIRED }), expected: ["EXPIRED@1"] },
  {
    name: "expired trust anchor (as CryptoAPI, OpenSSL and Go)",
    path: () => chain({ root: EXPIRED }),
    expected: ["EXPIRED@2"],
  },
  { name: "leaf not yet valid", path: () => chain({ leaf: FUTURE }), expected: ["NOT_YET_VALID@0"] },
  {
    name: "leaf valid until exactly now (notAfter is inclusive)",
    path: () => chain({ leaf: { notAfter: NOW } }),
    expected: [],
  },
  {
    name: "every problem is reported, not just the first",
    path: () => chain({ ca: EXPIRED, leaf: FUTURE }),
    expected: ["EXPIRED@1", "NOT_YET_VALID@0"],
  },
  {
    name: "leaf signed by a different key under the issuer's name",
    path: async () => {
      const [root, ca] = await chain();
      const impostor = await mintIntermediate({ issuer: root! });
      return [root!, ca!, await mintLeaf({ issuer: impostor })];
    },
    expected: ["SIGNATURE_INVALID@0"],
  },
  {
    name: "issuer name does not chain",
    path: async () => {
      const [root, ca] = await chain();
      const other = await mintIntermediate({ issuer: root!, subject: "CN=Other CA" });
      return [root!, ca!, await mintLeaf({ issuer: other })];
    },
    expected: ["CHAIN_UNTRUSTED@0", "SIGNATURE_INVALID@0"],
  },
  {
    name: "intermediate with cA=false",
    path: () => chain({ ca: { basicConstraints: { ca: false } } }),
    expected: ["ISSUER_NOT_CA@1"],
  },
  {
    name: "intermediate without basicConstraints",
    path: () => chain({ ca: { basicConstraints: null } }),
    expected: ["ISSUER_NOT_CA@1"],
  },
  {
    name: "intermediate keyUsage without keyCertSign",
    path: () => chain({ ca: { keyUsage: DIGITAL_SIGNATURE } }),
    expected: ["ISSUER_NOT_CA@1"],
  },
  {
    name: "trust anchor keyUsage without keyCertSign",
    path: () => chain({ root: { keyUsage: DIGITAL_SIGNATURE } }),
    expected: ["ISSUER_NOT_CA@2"],
  },
  {
    name: "trust anchor without basicConstraints is only nonconformant",
    path: () => chain({ root: { basicConstraints: null } }),
    expected: ["NONCONFORMANT@2:warning"],
  },
  {
    name: "intermediate with non-critical basicConstraints is only nonconformant",
    path: () => chain({ ca: { basicConstraints: { ca: true, critical: false } } }),
    expected: ["NONCONFORMANT@1:warning"],
  },
  {
    name: "pathLenConstraint 0 followed by another CA",
    path: async () => {
      const root = await mintRoot();
      const ca1 = await mintIntermediate({
        issuer: root,
        subject: "CN=CA1",
        basicConstraints: { ca: true, pathLen: 0 },
      });
      const ca2 = await mintIntermediate({ issuer: ca1, subject: "CN=CA2" });
      return [root, ca1, ca2, await mintLeaf({ issuer: ca2 })];
    },
    expected: ["PATH_LENGTH_EXCEEDED@1"],
  },
  {
    name: "trust anchor pathLenConstraint 0 with an intermediate",
    path: () => chain({ root: { basicConstraints: { ca: true, pathLen: 0 } } }),
    expected: ["PATH_LENGTH_EXCEEDED@1"],
  },
  {
    name: "self-issued intermediate does not count against pathLenConstraint",
    path: async () => {
      const root = await mintRoot();
      const ca = await mintIntermediate({
        issuer: root,
        subject: "CN=CA1",
        basicConstraints: { ca: true, pathLen: 0 },
      });
      const rollover = await mintIntermediate({ issuer: ca, subject: "CN=CA1", key: await generateKey() });
      return [root, ca, rollover, await mintLeaf({ issuer: rollover })];
    },
    expected: [],
  },
  {
    name: "leaf pathLenConstraint is ignored",
    path: () => chain({ leaf: { basicConstraints: { ca: false, pathLen: 0 } } }),
    expected: [],
  },
  {
    name: "unknown critical extension on the leaf",
    path: () =>
      chain({
        leaf: {
          extensions: [{ oid: "1.3.6.1.4.1.55738.666.1", critical: true, value: new Uint8Array([5, 0]) }],
        },
      }),
    expected: ["UNSUPPORTED_CRITICAL_EXTENSION@0"],
  },
  {
    name: "unknown critical extension on the trust anchor",
    path: () =>
      chain({
        root: {
          extensions: [{ oid: "1.3.6.1.4.1.55738.666.1", critical: true, value: new Uint8Array([5, 0]) }],
        },
      }),
    expected: ["UNSUPPORTED_CRITICAL_EXTENSION@2"],
  },
  {
    name: "unknown non-critical extension is fine",
    path: () =>
      chain({ leaf: { extensions: [{ oid: "1.3.6.1.4.1.55738.666.1", value: new Uint8Array([5, 0]) }] } }),
    expected: [],
  },
  {
    name: "explicit policy required but none asserted",
    path: () => chain(),
    policy: { ...DEFAULT_POLICY_INPUTS, initialExplicitPolicy: true },
    // The policy tree empties at the issuing CA, the first certificate without policies.
    expected: ["POLICY_INVALID@1"],
  },
  {
    name: "explicit policy required and asserted all the way",
    path: () => chain({ ca: { policies: ["1.2.3.4"] }, leaf: { policies: ["1.2.3.4"] } }),
    policy: { ...DEFAULT_POLICY_INPUTS, initialExplicitPolicy: true },
    expected: [],
  },
  {
    name: "missing AKI and SKI are only nonconformant",
    path: () => chain({ ca: { noKeyIdentifiers: true } }),
    expected: ["NONCONFORMANT@1:warning", "NONCONFORMANT@1:warning"],
  },
  {
    name: "a critical AKI is malformed",
    path: async () => {
      const [root, ca] = await chain();
      const aki = (await chain()).at(-1)!.cert.getExtension("2.5.29.35")!;
      const leaf = await mintLeaf({
        issuer: ca!,
        noKeyIdentifiers: true,
        extensions: [{ oid: "2.5.29.35", critical: true, value: new Uint8Array(aki.value) }],
      });
      return [root!, ca!, leaf];
    },
    expected: ["MALFORMED@0"],
  },
  {
    name: "keyCertSign on a leaf without cA is only nonconformant",
    path: () => chain({ leaf: { keyUsage: DIGITAL_SIGNATURE | KEY_CERT_SIGN } }),
    expected: ["NONCONFORMANT@0:warning"],
  },
  {
    name: "a trusted leaf alone (the anchor is the leaf): a CA without EKU as an end entity only warns",
    path: async () => [await mintRoot({ subject: "CN=Self" })],
    // S/MIME BR 7.1.2.3 (d) cA true in an end entity, and (f) no extKeyUsage: tolerated, so warnings.
    expected: ["NONCONFORMANT@0:warning", "NONCONFORMANT@0:warning"],
  },
];

const describeProblem = (p: { code: string; severity: string; index?: unknown }): string =>
  `${p.code}@${String(p.index)}${p.severity === "warning" ? ":warning" : ""}`;

describe("validatePath (RFC 5280 §6.1)", () => {
  it.each(cases)("$name", async (c) => {
    const path = (await c.path()).map((m) => parseCertificate(m.der));
    const result = validatePath(path, { time: NOW, ...(c.policy && { policy: c.policy }) });
    const codes = result.problems.map((p) =>
      describeProblem(p as { code: string; severity: string; index?: unknown }),
    );
    expect(codes.sort()).toEqual([...c.expected].sort());
  });

  it("names the certificate and its place in every problem", async () => {
    const path = (await chain({ ca: EXPIRED })).map((m) => parseCertificate(m.der));
    const [problem] = validatePath(path, { time: NOW }).problems;
    expect(problem).toMatchObject({ code: "EXPIRED", certificate: formatName(path[1]!.subject), index: 1 });
    expect(problem?.message).toContain("Test Issuing CA");
  });

  it("returns the user-constrained policy set of a valid path", async () => {
    const path = (await chain({ ca: { policies: ["1.2.3.4"] }, leaf: { policies: ["1.2.3.4"] } })).map((m) =>
      parseCertificate(m.der),
    );
    const result = validatePath(path, { time: NOW });
    expect(result.userConstrainedPolicySet).toEqual(["1.2.3.4"]);
  });

  it("treats the validity end as inclusive and the next second as expired", async () => {
    const path = (await chain()).map((m) => parseCertificate(m.der));
    expect(validatePath(path, { time: NOT_AFTER }).problems).toEqual([]);
    const after = new Date(NOT_AFTER.getTime() + 1000);
    expect(validatePath(path, { time: after }).problems.map((p) => p.code)).toContain("EXPIRED");
  });
});

describe("validatePath key usage of issuers", () => {
  it("accepts a CA whose keyUsage has keyCertSign only", async () => {
    const path = (await chain({ ca: { keyUsage: KEY_CERT_SIGN } })).map((m) => parseCertificate(m.der));
    expect(validatePath(path, { time: NOW }).problems).toEqual([]);
  });
});

describe("checkProfile serial numbers (RFC 5280 4.1.2.2)", () => {
  // The generators normalise serials, so the parsed certificate is given the odd encodings directly.
  it.each([
    { name: "positive", bytes: [0x01, 0x02], expected: [] },
    { name: "zero", bytes: [0x00], expected: ["NONCONFORMANT:warning"] },
    { name: "negative", bytes: [0xff, 0x01], expected: ["MALFORMED:error"] },
    {
      name: "21 octets",
      bytes: [0x01, ...new Array<number>(20).fill(7)],
      expected: ["NONCONFORMANT:warning"],
    },
  ])("$name", async ({ bytes, expected }) => {
    const leaf = parseCertificate((await chain()).at(-1)!.der);
    const odd = { ...leaf, serialNumberBytes: new Uint8Array(bytes) };
    expect(checkProfile(odd, "leaf", 0).map((p) => `${p.code}:${p.severity}`)).toEqual(expected);
  });
});
