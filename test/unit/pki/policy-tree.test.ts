import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Certificate, parseCertificate } from "../../../shared/pki/certificate.ts";
import { ANY_POLICY } from "../../../shared/pki/extensions.ts";
import {
  DEFAULT_POLICY_INPUTS,
  MAX_POLICY_GRAPH_SIZE,
  type PolicyInputs,
  type PolicyResult,
  processPolicies,
} from "../../../shared/pki/policy-tree.ts";

const P1 = "1.2.3.1";
const P2 = "1.2.3.2";
const P3 = "1.2.3.3";
const ANY = ANY_POLICY;

/** What one certificate says about policies; `policies` undefined means no certificatePolicies extension. */
interface PolicySpec {
  readonly policies?: readonly string[];
  readonly mappings?: readonly (readonly [string, string])[];
  readonly requireExplicitPolicy?: number;
  readonly inhibitPolicyMapping?: number;
  readonly inhibitAnyPolicy?: number;
  readonly selfIssued?: boolean;
}

/** processPolicies reads only these fields; the rest of Certificate does not matter to it. */
function asCertificate(fields: Partial<Certificate>): Certificate {
  return { selfIssued: false, ...fields } as Certificate;
}

function cert(spec: PolicySpec): Certificate {
  const pc =
    spec.requireExplicitPolicy === undefined && spec.inhibitPolicyMapping === undefined
      ? undefined
      : {
          requireExplicitPolicy: spec.requireExplicitPolicy,
          inhibitPolicyMapping: spec.inhibitPolicyMapping,
        };
  return asCertificate({
    selfIssued: spec.selfIssued ?? false,
    certificatePolicies: spec.policies?.map((policyId) => ({ policyId, qualifiers: [] })),
    policyMappings: spec.mappings?.map(([issuerDomainPolicy, subjectDomainPolicy]) => ({
      issuerDomainPolicy,
      subjectDomainPolicy,
    })),
    policyConstraints: pc,
    inhibitAnyPolicy: spec.inhibitAnyPolicy,
  });
}

const inputs = (over: Partial<PolicyInputs> = {}): PolicyInputs => ({ ...DEFAULT_POLICY_INPUTS, ...over });

type Expectation = { ok: true; set: readonly string[] } | { ok: false; at: number; reason: RegExp };

interface Case {
  readonly name: string;
  readonly path: readonly PolicySpec[];
  readonly inputs?: Partial<PolicyInputs>;
  readonly expect: Expectation;
}

const valid = (...set: string[]): Expectation => ({ ok: true, set: [...set].sort() });
const invalid = (at: number, reason: RegExp): Expectation => ({ ok: false, at, reason });

const cases: Case[] = [
  { name: "no policies anywhere, none required", path: [{}, {}], expect: valid() },
  {
    name: "no policies, initial-explicit-policy set",
    path: [{}, {}],
    inputs: { initialExplicitPolicy: true },
    expect: invalid(0, /explicit policy is required/),
  },
  { name: "every certificate asserts P1", path: [{ policies: [P1] }, { policies: [P1] }], expect: valid(P1) },
  {
    name: "CA asserts anyPolicy, EE asserts P1",
    path: [{ policies: [ANY] }, { policies: [P1] }],
    expect: valid(P1),
  },
  { name: "anyPolicy all the way", path: [{ policies: [ANY] }, { policies: [ANY] }], expect: valid(ANY) },
  {
    name: "an anyPolicy leaf beside a specific policy still means any policy",
    path: [{ policies: [P1, ANY] }, { policies: [ANY] }],
    expect: valid(ANY),
  },
  {
    name: "a specific leaf beside anyPolicy higher up is the specific policy",
    path: [{ policies: [P1, ANY] }, { policies: [P1] }],
    expect: valid(P1),
  },
  {
    name: "anyPolicy all the way, user accepts P1 and P3",
    path: [{ policies: [ANY] }, { policies: [ANY] }],
    inputs: { initialPolicySet: [P1, P3] },
    expect: valid(P1, P3),
  },
  {
    name: "disjoint policies leave a NULL tree, tolerated without explicit policy",
    path: [{ policies: [P1] }, { policies: [P2] }],
    expect: valid(),
  },
  {
    name: "disjoint policies with explicit policy required",
    path: [{ policies: [P1] }, { policies: [P2] }],
    inputs: { initialExplicitPolicy: true },
    expect: invalid(1, /certificate 2 of 2 \(end entity\)/),
  },
  {
    name: "user set outside the path's policies, explicit",
    path: [{ policies: [P1] }, { policies: [P1] }],
    inputs: { initialPolicySet: [P2], initialExplicitPolicy: true },
    expect: invalid(1, /none of the acceptable policies \(1\.2\.3\.2\)/),
  },
  {
    name: "user set outside the path's policies, not explicit: valid with an empty set",
    path: [{ policies: [P1] }, { policies: [P1] }],
    inputs: { initialPolicySet: [P2] },
    expect: valid(),
  },
  {
    name: "mapping P1 to P2: the set is in the anchor's domain",
    path: [{ policies: [P1], mappings: [[P1, P2]] }, { policies: [P2] }],
    expect: valid(P1),
  },
  {
    name: "mapping from a CA that asserts anyPolicy",
    path: [{ policies: [ANY], mappings: [[P1, P2]] }, { policies: [P2] }],
    expect: valid(P1),
  },
  {
    name: "mapping inhibited by the initial input deletes the mapped node",
    path: [{ policies: [P1], mappings: [[P1, P2]] }, { policies: [P2] }],
    inputs: { initialPolicyMappingInhibit: true },
    expect: valid(),
  },
  {
    name: "mapping from anyPolicy is an error",
    path: [{ policies: [ANY], mappings: [[ANY, P1]] }, { policies: [P1] }],
    expect: invalid(0, /mapping to or from anyPolicy/),
  },
  {
    name: "mapping to anyPolicy is an error",
    path: [{ policies: [P1], mappings: [[P1, ANY]] }, { policies: [P1] }],
    expect: invalid(0, /mapping to or from anyPolicy/),
  },
  {
    name: "an end entity's mappings are not processed",
    path: [{ policies: [P1] }, { policies: [P1], mappings: [[ANY, P1]] }],
    expect: valid(P1),
  },
  {
    name: "inhibitPolicyMapping 0 in CA 1 stops CA 2's mapping",
    path: [
      { policies: [P1], inhibitPolicyMapping: 0 },
      { policies: [P1], mappings: [[P1, P2]] },
      { policies: [P2] },
    ],
    expect: valid(),
  },
  {
    name: "inhibitPolicyMapping 1 in CA 1 lets CA 2 map",
    path: [
      { policies: [P1], inhibitPolicyMapping: 1 },
      { policies: [P1], mappings: [[P1, P2]] },
      { policies: [P2] },
    ],
    expect: valid(P1),
  },
  {
    name: "inhibitAnyPolicy 0 in CA 1: CA 2's anyPolicy no longer counts",
    path: [{ policies: [ANY], inhibitAnyPolicy: 0 }, { policies: [ANY] }, { policies: [P1] }],
    expect: valid(),
  },
  {
    name: "inhibitAnyPolicy 1 in CA 1: CA 2 may still use anyPolicy, the end entity may not",
    path: [{ policies: [ANY], inhibitAnyPolicy: 1 }, { policies: [ANY] }, { policies: [ANY] }],
    inputs: { initialExplicitPolicy: true },
    expect: invalid(2, /certificate 3 of 3/),
  },
  {
    name: "initial anyPolicy inhibit: a self-issued intermediate's anyPolicy still counts",
    path: [{ policies: [ANY], selfIssued: true }, { policies: [P1] }],
    inputs: { initialAnyPolicyInhibit: true },
    expect: valid(P1),
  },
  {
    name: "initial anyPolicy inhibit: a non-self-issued intermediate's anyPolicy does not",
    path: [{ policies: [ANY] }, { policies: [P1] }],
    inputs: { initialAnyPolicyInhibit: true },
    expect: valid(),
  },
  {
    name: "initial anyPolicy inhibit: a self-issued end entity's anyPolicy does not count",
    path: [{ policies: [P1] }, { policies: [ANY], selfIssued: true }],
    inputs: { initialAnyPolicyInhibit: true, initialExplicitPolicy: true },
    expect: invalid(1, /explicit policy is required/),
  },
  {
    name: "requireExplicitPolicy 0 in CA 1 and an end entity without policies",
    path: [{ policies: [P1], requireExplicitPolicy: 0 }, {}],
    expect: invalid(1, /certificate 2 of 2/),
  },
  {
    name: "requireExplicitPolicy 2 counts down to the end entity",
    path: [{ policies: [ANY], requireExplicitPolicy: 2 }, { policies: [ANY] }, {}],
    expect: invalid(2, /certificate 3 of 3/),
  },
  {
    name: "requireExplicitPolicy 2 is not reached by a two-certificate path",
    path: [{ policies: [ANY], requireExplicitPolicy: 2 }, {}],
    expect: valid(),
  },
  {
    name: "a self-issued intermediate does not count down requireExplicitPolicy",
    path: [{ policies: [ANY], requireExplicitPolicy: 2 }, { policies: [ANY], selfIssued: true }, {}],
    expect: valid(),
  },
  {
    name: "the end entity's own requireExplicitPolicy 0",
    path: [{ policies: [P1] }, { policies: [P2], requireExplicitPolicy: 0 }],
    expect: invalid(1, /explicit policy is required at certificate 2 of 2/),
  },
  {
    name: "policies vanish in the middle of the path",
    path: [{ policies: [P1] }, {}, { policies: [P1] }],
    inputs: { initialExplicitPolicy: true },
    expect: invalid(1, /certificate 2 of 3/),
  },
];

function check(result: PolicyResult, expected: Expectation): void {
  if (expected.ok) {
    expect(result).toEqual({ ok: true, userConstrainedPolicySet: expected.set });
    return;
  }
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.certificateIndex).toBe(expected.at);
  expect(result.reason).toMatch(expected.reason);
}

describe("processPolicies (RFC 5280 §6.1.2-§6.1.5)", () => {
  it.each(cases)("$name", ({ path, inputs: over, expect: expected }) => {
    check(processPolicies(path.map(cert), inputs(over)), expected);
  });

  it("returns the initial set for an empty path", () => {
    expect(processPolicies([], inputs({ initialPolicySet: [P1] }))).toEqual({
      ok: true,
      userConstrainedPolicySet: [P1],
    });
  });
});

/** Every CA asserts `width` policies and maps each to all of them: RFC 5280's tree grows as width^depth. */
function meshPath(width: number, depth: number): Certificate[] {
  const policies = Array.from({ length: width }, (_, k) => `1.2.9.${k}`);
  const mappings = policies.flatMap((a) => policies.map((b) => [a, b] as const));
  const ca = cert({ policies, mappings });
  return [...Array.from({ length: depth }, () => ca), cert({ policies })];
}

describe("processPolicies on pathological mappings", () => {
  it("stays small where the RFC 5280 tree would hold 5^12 nodes", () => {
    const result = processPolicies(meshPath(5, 12), inputs());
    expect(result).toEqual({
      ok: true,
      userConstrainedPolicySet: meshPath(5, 1)[1]!
        .certificatePolicies!.map((p) => p.policyId)
        .sort(),
    });
  });

  it("refuses a graph past its size bound with a clear reason", () => {
    const result = processPolicies(meshPath(120, 3), inputs());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(new RegExp(`grew past ${MAX_POLICY_GRAPH_SIZE}`));
  });
});

// NIST PKITS 4.8-4.12: every case is decided by policy processing alone (none is invalid for another reason).
const PKITS = "/work/shared/conformance/pkits";

interface PkitsCase extends PolicyInputs {
  readonly id: string;
  readonly title: string;
  readonly path: readonly string[];
  readonly expected: "valid" | "invalid";
  readonly expectedUserConstrainedPolicySet: readonly string[] | null;
}

const pkits = (
  JSON.parse(readFileSync(`${PKITS}/cases.json`, "utf8")) as { cases: PkitsCase[] }
).cases.filter((c) => /^4\.(8|9|10|11|12)\./.test(c.id));
const loadPkits = (name: string): Certificate =>
  parseCertificate(new Uint8Array(readFileSync(`${PKITS}/certs/${name}.crt`)));

describe("PKITS certificate policies (4.8-4.12)", () => {
  it("has the cases", () => expect(pkits.length).toBe(88));

  it.each(pkits)("$id $title", (c) => {
    const result = processPolicies(c.path.map(loadPkits), c);
    expect(result.ok).toBe(c.expected === "valid");
    if (result.ok && c.expectedUserConstrainedPolicySet !== null) {
      expect([...result.userConstrainedPolicySet].sort()).toEqual(
        [...c.expectedUserConstrainedPolicySet].sort(),
      );
    }
    if (!result.ok) expect(result.certificateIndex).toBeLessThan(c.path.length);
  });
});

// x509-limbo, every family: no valid case is refused by policy processing with the default inputs, and
// no case (the pathological ones included) makes it throw. Paths are built here by name chaining.
interface LimboCase {
  readonly id: string;
  readonly trusted_certs: readonly string[];
  readonly untrusted_intermediates: readonly string[];
  readonly peer_certificate: string;
  readonly expected_result: "SUCCESS" | "FAILURE";
}

const fromPem = (pem: string): Certificate =>
  parseCertificate(new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ""), "base64")));

/** Paths (trust anchor excluded) from the peer up to a trusted certificate; [] when a certificate is unreadable. */
function limboPaths(c: LimboCase): Certificate[][] {
  try {
    const roots = c.trusted_certs.map(fromPem);
    const intermediates = c.untrusted_intermediates.map(fromPem);
    const found: Certificate[][] = [];
    let budget = 500; // the pathological:: chains offer millions of paths; a few hundred steps show enough
    const walk = (path: Certificate[]): void => {
      if (budget-- <= 0) return;
      const top = path[0]!;
      if (roots.some((r) => r.subject.key === top.issuer.key)) found.push(path);
      if (path.length > 6) return;
      for (const ca of intermediates)
        if (ca.subject.key === top.issuer.key && !path.includes(ca)) walk([ca, ...path]);
    };
    walk([fromPem(c.peer_certificate)]);
    return found;
  } catch {
    return [];
  }
}

const limbo = (
  JSON.parse(readFileSync("/work/shared/conformance/limbo/limbo.json", "utf8")) as { testcases: LimboCase[] }
).testcases.map((c) => ({ ...c, paths: limboPaths(c) }));

describe("x509-limbo policies", () => {
  it.each(limbo.filter((c) => c.expected_result === "SUCCESS"))("$id is not refused", (c) => {
    expect(c.paths.some((path) => processPolicies(path, DEFAULT_POLICY_INPUTS).ok)).toBe(true);
  });

  it("decides every path of every case without throwing", () => {
    const results = limbo.flatMap((c) => c.paths.map((path) => processPolicies(path, DEFAULT_POLICY_INPUTS)));
    expect(results.length).toBeGreaterThan(limbo.length - 10);
    expect(results.every((r) => typeof r.ok === "boolean")).toBe(true);
  });
});
