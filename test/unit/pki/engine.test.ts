import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type Certificate, parseCertificate } from "../../../shared/pki/certificate.ts";
import { parseCrl } from "../../../shared/pki/crl.ts";
import { createEngine, type EngineOptions, validateChain } from "../../../shared/pki/engine.ts";
import {
  generateKey,
  type Minted,
  mintCrl,
  mintIntermediate,
  mintLeaf,
  mintRoot,
  NOW,
} from "../../support/pki.ts";

const EXPIRED = { notBefore: new Date("2025-01-01T00:00:00Z"), notAfter: new Date("2026-03-01T00:00:00Z") };
const pkitsSuite = z.object({
  validationTime: z.string(),
  cases: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      section: z.string(),
      trustAnchor: z.string(),
      path: z.array(z.string()),
      crls: z.array(z.string()),
      expected: z.enum(["valid", "invalid"]),
      initialPolicySet: z.array(z.string()),
      initialExplicitPolicy: z.boolean(),
      initialPolicyMappingInhibit: z.boolean(),
      initialAnyPolicyInhibit: z.boolean(),
    }),
  ),
});

const parse = (m: Minted): Certificate => parseCertificate(m.der);

interface Setup {
  readonly leaf: Minted;
  readonly anchors: Minted[];
  readonly pool?: Minted[];
  readonly options?: Partial<EngineOptions>;
}

interface Case {
  readonly name: string;
  readonly setup: () => Promise<Setup>;
  /** Expected error codes, sorted. */
  readonly errors: string[];
  /** Expected chain length (leaf first), or undefined when no path is expected. */
  readonly chainLength: number | undefined;
}

async function run(s: Setup) {
  return validateChain(parse(s.leaf), {
    time: NOW,
    anchors: s.anchors.map(parse),
    intermediates: (s.pool ?? []).map(parse),
    revocation: false,
    ...s.options,
  });
}

const cases: Case[] = [
  {
    name: "a valid chain through the given intermediates",
    setup: async () => {
      const root = await mintRoot();
      const ca = await mintIntermediate({ issuer: root });
      return { leaf: await mintLeaf({ issuer: ca }), anchors: [root], pool: [ca] };
    },
    errors: [],
    chainLength: 3,
  },
  {
    name: "untrusted root: the issuer is missing",
    setup: async () => {
      const root = await mintRoot();
      const other = await mintRoot({ subject: "CN=Other Root" });
      const ca = await mintIntermediate({ issuer: root });
      return { leaf: await mintLeaf({ issuer: ca }), anchors: [other], pool: [ca] };
    },
    errors: ["CHAIN_UNTRUSTED"],
    chainLength: undefined,
  },
  {
    name: "untrusted root given as an intermediate",
    setup: async () => {
      const root = await mintRoot();
      const other = await mintRoot({ subject: "CN=Other Root" });
      const ca = await mintIntermediate({ issuer: root });
      return { leaf: await mintLeaf({ issuer: ca }), anchors: [other], pool: [ca, root] };
    },
    errors: ["CHAIN_UNTRUSTED"],
    chainLength: undefined,
  },
  {
    name: "untrusted and expired leaf: both reported",
    setup: async () => {
      const root = await mintRoot();
      const other = await mintRoot({ subject: "CN=Other Root" });
      return { leaf: await mintLeaf({ issuer: root, ...EXPIRED }), anchors: [other] };
    },
    errors: ["CHAIN_UNTRUSTED", "EXPIRED"],
    chainLength: undefined,
  },
  {
    name: "the only issuer is expired: the failing path is returned with its problem",
    setup: async () => {
      const root = await mintRoot();
      const ca = await mintIntermediate({ issuer: root, ...EXPIRED });
      return { leaf: await mintLeaf({ issuer: ca }), anchors: [root], pool: [ca] };
    },
    errors: ["EXPIRED"],
    chainLength: 3,
  },
  {
    name: "backtracking: an expired same-name CA listed first, its renewal second",
    setup: async () => {
      const root = await mintRoot();
      const key = await generateKey();
      const old = await mintIntermediate({ issuer: root, key, ...EXPIRED });
      const renewed = await mintIntermediate({ issuer: root, key });
      return { leaf: await mintLeaf({ issuer: renewed }), anchors: [root], pool: [old, renewed] };
    },
    errors: [],
    chainLength: 3,
  },
  {
    name: "backtracking: a same-name CA with the wrong key listed first (no AKI)",
    setup: async () => {
      const root = await mintRoot();
      const wrong = await mintIntermediate({ issuer: root });
      const right = await mintIntermediate({ issuer: root });
      return {
        leaf: await mintLeaf({ issuer: right, noKeyIdentifiers: true }),
        anchors: [root],
        pool: [wrong, right],
      };
    },
    errors: [],
    chainLength: 3,
  },
  {
    name: "backtracking over two trusted roots, one path through an expired intermediate",
    setup: async () => {
      const key = await generateKey();
      const rootA = await mintRoot({ subject: "CN=Root A" });
      const rootB = await mintRoot({ subject: "CN=Root B" });
      const viaA = await mintIntermediate({ issuer: rootA, key, ...EXPIRED });
      const viaB = await mintIntermediate({ issuer: rootB, key });
      return { leaf: await mintLeaf({ issuer: viaB }), anchors: [rootA, rootB], pool: [viaA, viaB] };
    },
    errors: [],
    chainLength: 3,
  },
  {
    name: "a cross-signed intermediate leads to the trusted new root",
    setup: async () => {
      const newRoot = await mintRoot({ subject: "CN=New Root" });
      const oldKey = await generateKey();
      const oldRoot = await mintRoot({ subject: "CN=Old Root", key: oldKey });
      const cross = await mintIntermediate({ issuer: newRoot, subject: "CN=Old Root", key: oldKey });
      const ca = await mintIntermediate({ issuer: oldRoot });
      return { leaf: await mintLeaf({ issuer: ca }), anchors: [newRoot], pool: [oldRoot, ca, cross] };
    },
    errors: [],
    chainLength: 4,
  },
  {
    name: "intermediates signing each other in a loop",
    setup: async () => {
      const root = await mintRoot();
      const kx = await generateKey();
      const x0 = await mintRoot({ subject: "CN=X", key: kx });
      const y = await mintIntermediate({ issuer: x0, subject: "CN=Y" });
      const x = await mintIntermediate({ issuer: y, subject: "CN=X", key: kx });
      return { leaf: await mintLeaf({ issuer: x }), anchors: [root], pool: [x, y] };
    },
    errors: ["CHAIN_UNTRUSTED"],
    chainLength: undefined,
  },
  {
    name: "a path deeper than maxDepth",
    setup: async () => {
      const root = await mintRoot();
      const ca1 = await mintIntermediate({ issuer: root, subject: "CN=CA1" });
      const ca2 = await mintIntermediate({ issuer: ca1, subject: "CN=CA2" });
      return {
        leaf: await mintLeaf({ issuer: ca2 }),
        anchors: [root],
        pool: [ca1, ca2],
        options: { maxDepth: 1 },
      };
    },
    errors: ["CHAIN_UNTRUSTED"],
    chainLength: undefined,
  },
  {
    name: "issuer CA without the CA bit",
    setup: async () => {
      const root = await mintRoot();
      const ca = await mintIntermediate({ issuer: root, basicConstraints: { ca: false } });
      return { leaf: await mintLeaf({ issuer: ca }), anchors: [root], pool: [ca] };
    },
    errors: ["ISSUER_NOT_CA"],
    chainLength: 3,
  },
  {
    name: "a trusted self-signed leaf",
    setup: async () => {
      const self = await mintRoot({ subject: "CN=Self" });
      return { leaf: self, anchors: [self] };
    },
    errors: [],
    chainLength: 1,
  },
];

describe("validateChain", () => {
  it.each(cases)("$name", async (c) => {
    const result = await run(await c.setup());
    const errors = result.problems.filter((p) => p.severity === "error").map((p) => p.code);
    expect(errors.sort()).toEqual(c.errors);
    expect(result.chain?.length).toBe(c.chainLength);
  });

  it("returns the chain leaf first and the anchor last", async () => {
    const root = await mintRoot();
    const ca = await mintIntermediate({ issuer: root });
    const leaf = await mintLeaf({ issuer: ca });
    const result = await run({ leaf, anchors: [root], pool: [ca] });
    expect(result.chain?.map((c) => c.thumbprint)).toEqual([leaf, ca, root].map((m) => parse(m).thumbprint));
    expect(result.anchor?.thumbprint).toBe(parse(root).thumbprint);
  });

  it("says which certificate has no issuer", async () => {
    const root = await mintRoot();
    const ca = await mintIntermediate({ issuer: root });
    const result = await run({
      leaf: await mintLeaf({ issuer: ca }),
      anchors: [await mintRoot({ subject: "CN=X" })],
    });
    expect(result.problems[0]?.message).toMatch(
      /no issuer found for 'CN=alice' \(issued by '.*Test Issuing CA'\)/,
    );
    expect(result.partialChain?.length).toBe(1);
  });

  it("says when the chain ends at an untrusted self-signed root", async () => {
    const root = await mintRoot();
    const ca = await mintIntermediate({ issuer: root });
    const leaf = await mintLeaf({ issuer: ca });
    const result = await run({ leaf, anchors: [await mintRoot({ subject: "CN=X" })], pool: [ca, root] });
    expect(result.problems[0]?.message).toMatch(
      /ends at self-issued '.*Test Root CA', which is not a trust anchor/,
    );
  });

  it("fetches a missing intermediate from AIA caIssuers once for many leaves", async () => {
    const root = await mintRoot();
    const ca = await mintIntermediate({ issuer: root });
    const urls: string[] = [];
    const engine = createEngine({
      time: NOW,
      anchors: [parse(root)],
      revocation: false,
      fetchIssuers: async (url) => {
        urls.push(url);
        return [parse(ca)];
      },
    });
    for (const email of ["a@contoso.com", "b@contoso.com", "c@contoso.com"]) {
      const leaf = await mintLeaf({ issuer: ca, email, caIssuersUrls: ["http://pki.contoso.com/ca.p7c"] });
      const result = await engine.validate(parse(leaf));
      expect(result.problems).toEqual([]);
      expect(result.chain).toHaveLength(3);
    }
    expect(urls).toEqual(["http://pki.contoso.com/ca.p7c"]);
  });

  it("reports a failed AIA fetch in the untrusted reason", async () => {
    const root = await mintRoot();
    const ca = await mintIntermediate({ issuer: root });
    const leaf = await mintLeaf({ issuer: ca, caIssuersUrls: ["http://pki.contoso.com/ca.cer"] });
    const result = await validateChain(parse(leaf), {
      time: NOW,
      anchors: [parse(root)],
      revocation: false,
      fetchIssuers: () => Promise.reject(new Error("refused: 10.0.0.1 is a private address")),
    });
    expect(result.problems[0]).toMatchObject({ code: "CHAIN_UNTRUSTED" });
    expect(result.problems[0]?.message).toContain("http://pki.contoso.com/ca.cer failed: refused: 10.0.0.1");
  });

  it("applies per-call time to a shared engine", async () => {
    const root = await mintRoot();
    const leaf = await mintLeaf({ issuer: root });
    const engine = createEngine({ time: NOW, anchors: [parse(root)], revocation: false });
    expect((await engine.validate(parse(leaf))).problems).toEqual([]);
    const late = await engine.validate(parse(leaf), { time: new Date("2027-06-01T00:00:00Z") });
    expect(late.problems.map((p) => p.code)).toEqual(["EXPIRED", "EXPIRED"]);
  });
});

describe("validateChain with revocation", () => {
  async function revocationSetup(o: { caExpired?: boolean; revokeLeaf?: boolean } = {}) {
    const root = await mintRoot();
    const ca = await mintIntermediate({
      issuer: root,
      crlUrls: ["http://crl.contoso.com/root.crl"],
      ...(o.caExpired && EXPIRED),
    });
    const leaf = await mintLeaf({ issuer: ca, crlUrls: ["http://crl.contoso.com/ca.crl"] });
    const entries = o.revokeLeaf ? [{ serial: leaf.serial, reason: 1 }] : [];
    const caCrl = parseCrl((await mintCrl({ issuer: ca, entries })).der);
    const rootCrl = parseCrl((await mintCrl({ issuer: root })).der);
    const fetchCrl = async (url: string) => ({
      ok: true as const,
      crl: url.endsWith("root.crl") ? rootCrl : caCrl,
    });
    return { root, ca, leaf, fetchCrl };
  }

  it.each([
    { name: "a current CRL that does not list the leaf", setup: {}, errors: [] },
    { name: "a revoked leaf", setup: { revokeLeaf: true }, errors: ["REVOKED"] },
    {
      name: "a revoked leaf under an expired CA: the failing path is revocation-checked too",
      setup: { revokeLeaf: true, caExpired: true },
      errors: ["EXPIRED", "REVOKED"],
    },
  ])("$name", async ({ setup, errors }) => {
    const { root, ca, leaf, fetchCrl } = await revocationSetup(setup);
    const result = await validateChain(parse(leaf), {
      time: NOW,
      anchors: [parse(root)],
      intermediates: [parse(ca)],
      fetchCrl,
    });
    const found = result.problems.filter((p) => p.severity === "error").map((p) => p.code);
    expect(found.sort()).toEqual(errors);
    expect(result.chain).toHaveLength(3);
  });

  it("offline and without CRL files, a distribution point is unreachable", async () => {
    const { root, ca, leaf } = await revocationSetup();
    const result = await validateChain(parse(leaf), {
      time: NOW,
      anchors: [parse(root)],
      intermediates: [parse(ca)],
    });
    expect(result.problems.map((p) => p.code)).toContain("CRL_UNREACHABLE");
  });
});

/**
 * NIST PKITS 4.1–4.7 (signatures, validity, name chaining, basic CRLs, self-issued certificates, basic
 * constraints, key usage) through the engine, with the case's CRLs and nothing else: the builder has to
 * find the path among the listed certificates itself. The full suite is the conformance runner's job.
 */
describe("PKITS 4.1–4.7 through validateChain", () => {
  const dir = fileURLToPath(new URL("../../../../shared/conformance/pkits/", import.meta.url));
  const suite = pkitsSuite.parse(JSON.parse(readFileSync(`${dir}cases.json`, "utf8")));
  // A private copy: the parsers keep views into what they are given, and a Buffer is a pooled view itself.
  const read = (file: string): Uint8Array => new Uint8Array(readFileSync(file));
  const cert = (name: string) => parseCertificate(read(`${dir}certs/${name}.crt`));
  const sections = new Set(["4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7"]);

  it.each(suite.cases.filter((c) => sections.has(c.section)))("$id $title: $expected", async (c) => {
    const path = c.path.map(cert);
    const result = await validateChain(path.at(-1)!, {
      time: new Date(suite.validationTime),
      anchors: [cert(c.trustAnchor)],
      intermediates: [...path.slice(0, -1)].reverse(),
      crls: c.crls.map((name) => parseCrl(read(`${dir}crls/${name}.crl`))),
      policy: {
        initialPolicySet: c.initialPolicySet,
        initialExplicitPolicy: c.initialExplicitPolicy,
        initialPolicyMappingInhibit: c.initialPolicyMappingInhibit,
        initialAnyPolicyInhibit: c.initialAnyPolicyInhibit,
      },
    });
    const errors = result.problems.filter((p) => p.severity === "error");
    expect(errors.length === 0 ? "valid" : "invalid", errors.map((p) => p.message).join("\n")).toBe(
      c.expected,
    );
  });
});
