/**
 * PKITS sections 4.4 (basic CRLs), 4.14 (distribution points) and 4.15 (delta CRLs), run through
 * checkRevocation alone with each case's listed CRLs at the suite's validation time.
 *
 * cases.json lists, per case, the certificates the validator needs (the path plus, for separate or indirect
 * CRL issuers, their certificates); the chain is rebuilt from them by name and signature, and every listed
 * certificate is offered as a CRL signer. Path validation proper (signatures of the chain, policies, …) is
 * the engine's; here only the revocation verdict is checked.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Certificate, parseCertificate } from "../../shared/pki/certificate.ts";
import { parseCrl } from "../../shared/pki/crl.ts";
import { namesEqual } from "../../shared/pki/name.ts";
import { hasErrors, type Problem, type ProblemCode } from "../../shared/pki/problems.ts";
import { checkRevocation, type RevocationContext } from "../../shared/pki/revocation.ts";
import { verifySignature } from "../../shared/pki/signature.ts";

const ROOT = "/work/shared/conformance/pkits";
const TIME = new Date("2011-04-15T00:00:00Z");

interface PkitsCase {
  readonly id: string;
  readonly title: string;
  readonly section: string;
  readonly trustAnchor: string;
  readonly path: readonly string[];
  readonly crls: readonly string[];
  readonly expected: "valid" | "invalid";
}

const suite = JSON.parse(readFileSync(join(ROOT, "cases.json"), "utf8")) as { cases: PkitsCase[] };
/** Reads each PKITS file once: the same CA certificates and CRLs recur across cases. */
function memo<T>(read: (name: string) => T): (name: string) => T {
  const cache = new Map<string, T>();
  return (name) => {
    const hit = cache.get(name);
    if (hit) return hit;
    const value = read(name);
    cache.set(name, value);
    return value;
  };
}
const cert = memo((name) =>
  parseCertificate(new Uint8Array(readFileSync(join(ROOT, "certs", `${name}.crt`)))),
);
const crl = memo((name) => parseCrl(new Uint8Array(readFileSync(join(ROOT, "crls", `${name}.crl`)))));

const signs = (issuer: Certificate, subject: Certificate): boolean =>
  namesEqual(issuer.subject, subject.issuer) &&
  verifySignature(
    { algorithm: subject.signatureAlgorithm, signed: subject.tbs, signature: subject.signature },
    issuer.spki,
  ).ok;

/** Anchor first: follows issuer names, checked by signature, up from `leaf` to `anchor`. */
function chainFor(leaf: Certificate, pool: readonly Certificate[], anchor: Certificate): Certificate[] {
  const chain = [leaf];
  for (let c = leaf; !signs(anchor, c) || c === anchor; ) {
    const up = pool.find((p) => p !== c && !chain.includes(p) && signs(p, c));
    if (!up) throw new Error(`no issuer for ${c.serialNumber}`);
    chain.push(up);
    c = up;
  }
  return [anchor, ...chain.reverse()];
}

async function run(c: PkitsCase): Promise<Problem[]> {
  const anchor = cert(c.trustAnchor);
  const pool = c.path.map(cert);
  const crls = c.crls.map(crl);
  const context = (depth: number): RevocationContext => ({
    time: TIME,
    crls,
    candidateSigners: [anchor, ...pool],
    // The signer's own path, with revocation, as the engine does (PKITS 4.4.20: a revoked CRL signer).
    validateSigner: async (signer) =>
      depth > 2 ? [] : checkRevocation(chainFor(signer, pool, anchor), context(depth + 1)),
  });
  return checkRevocation(chainFor(pool.at(-1)!, pool, anchor), context(0));
}

/** The problem each revocation-invalid case must report (the first error's code). */
const EXPECTED: Record<string, ProblemCode> = {
  "4.4.1": "CRL_UNREACHABLE",
  "4.4.2": "REVOKED",
  "4.4.3": "REVOKED",
  "4.4.4": "CRL_INVALID",
  "4.4.5": "CRL_UNREACHABLE",
  "4.4.6": "CRL_UNREACHABLE",
  "4.4.8": "CRL_INVALID",
  "4.4.9": "CRL_INVALID",
  "4.4.10": "CRL_INVALID",
  "4.4.11": "CRL_STALE",
  "4.4.12": "CRL_STALE",
  "4.4.15": "REVOKED",
  "4.4.18": "REVOKED",
  "4.4.20": "REVOKED",
  "4.4.21": "CRL_INVALID",
};

const sections = new Set(["4.4", "4.14", "4.15"]);
const cases = suite.cases.filter((c) => sections.has(c.section));

describe("PKITS revocation (4.4, 4.14, 4.15)", () => {
  it.each(cases.map((c) => [`${c.id} ${c.title}`, c] as const))("%s", async (_name, c) => {
    const problems = await run(c);
    const errors = problems.filter((p) => p.severity === "error");
    if (c.expected === "valid") {
      expect(hasErrors(problems)).toBe(false);
    } else {
      expect(errors.length).toBeGreaterThan(0);
      const code = EXPECTED[c.id];
      if (code) expect(errors[0]!.code).toBe(code);
    }
  });
});
