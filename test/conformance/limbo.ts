/**
 * C2SP x509-limbo (../shared/conformance/limbo/limbo.json), run the way upstream harnesses run it
 * (harness/gocryptox509 in the x509-limbo repository), adapted to an S/MIME engine:
 *
 * - `validation_time` null means "now", as every upstream harness reads it. Every certificate of those
 *   cases is valid from 1970 to 2969 (the one expired intermediate expired in 1988, on purpose), so the
 *   clock cannot change a result; the `online` family's real-world chains all carry their capture time.
 * - Revocation is on only when the case supplies CRLs. Limbo cases without CRLs do not test revocation,
 *   and an S/MIME engine (DESIGN.md rule 2: every certificate needs a reachable CRL) would otherwise answer
 *   CRL_UNREACHABLE for every offline case; should the engine still report CRL_UNREACHABLE or CRL_STALE
 *   there, those are dropped as not applicable and noted on the case.
 * - `expected_peer_name`, `extended_key_usage` and `key_usage` are checked by tls-checks.ts (RFC822 names
 *   would use the S/MIME address match; this data set has none). `validation_kind` (SERVER or CLIENT) needs
 *   nothing more: the EKU a case wants is listed in its `extended_key_usage`, as the schema intends.
 *   `max_chain_depth` is passed as `maxDepth` (both count intermediates, self-issued ones excepted).
 * - A certificate that does not parse: the peer's is the engine's MALFORMED answer; a trusted or
 *   intermediate one is left out of the pool (as an unusable certificate is), with a note. A CRL that does
 *   not parse is a CRL_INVALID answer: the status it should give cannot be known.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Certificate } from "../../shared/pki/certificate.ts";
import type { Crl } from "../../shared/pki/crl.ts";
import type { ConformanceEngine } from "./engine-binding.ts";
import { callEngine, describeError } from "./engine-call.ts";
import { judge } from "./judge.ts";
import { LIMBO_SKIPS } from "./limbo-skips.ts";
import type { CaseOutcome, CaseResult, ReportedProblem } from "./outcome.ts";
import { checkExtendedKeyUsage, checkKeyUsage, checkPeerName } from "./tls-checks.ts";
import { TOLERATED } from "./tolerated.ts";

const LimboCaseSchema = z.object({
  id: z.string(),
  description: z.string(),
  features: z.array(z.string()),
  validation_kind: z.enum(["SERVER", "CLIENT"]),
  trusted_certs: z.array(z.string()),
  untrusted_intermediates: z.array(z.string()),
  peer_certificate: z.string(),
  validation_time: z.string().nullable(),
  signature_algorithms: z.array(z.string()),
  key_usage: z.array(z.string()),
  extended_key_usage: z.array(z.string()),
  expected_peer_name: z.object({ kind: z.enum(["DNS", "IP", "RFC822"]), value: z.string() }).nullable(),
  max_chain_depth: z.number().int().nonnegative().nullable(),
  crls: z.array(z.string()),
  expected_result: z.enum(["SUCCESS", "FAILURE"]),
});

const LimboFileSchema = z.object({ version: z.literal(1), testcases: z.array(LimboCaseSchema) });

export type LimboCase = z.infer<typeof LimboCaseSchema>;

/** Reads and checks limbo.json. */
export function loadLimbo(path: string): LimboCase[] {
  return LimboFileSchema.parse(JSON.parse(readFileSync(path, "utf8"))).testcases;
}

/** A limbo id's family: its first `::` segment. */
export const familyOf = (id: string): string => id.split("::")[0] ?? id;

/** Revocation applies only when the case brings CRLs (see the file comment). */
export const revocationApplies = (c: LimboCase): boolean => c.crls.length > 0;

const NOT_APPLICABLE_OFFLINE = new Set(["CRL_UNREACHABLE", "CRL_STALE"]);

const pemBytes = (pem: string): Uint8Array => new TextEncoder().encode(pem);

/** Parses every certificate of a list, leaving out (with a note) the ones that do not parse. */
function usable(
  engine: ConformanceEngine,
  pems: readonly string[],
  role: string,
  notes: string[],
): Certificate[] {
  return pems.flatMap((pem, i) => {
    try {
      return engine
        .extractCertificates(pemBytes(pem), `${role}[${i}]`)
        .map((der) => engine.parseCertificate(der));
    } catch (e) {
      notes.push(`${role}[${i}] unusable, left out: ${describeError(e)}`);
      return [];
    }
  });
}

function parseCrls(engine: ConformanceEngine, c: LimboCase): { crls: Crl[]; problems: ReportedProblem[] } {
  const crls: Crl[] = [];
  const problems: ReportedProblem[] = [];
  c.crls.forEach((pem, i) => {
    try {
      for (const der of engine.extractCrls(pemBytes(pem), `crls[${i}]`)) crls.push(engine.parseCrl(der));
    } catch (e) {
      problems.push({
        code: "CRL_INVALID",
        severity: "error",
        message: `crls[${i}]: ${describeError(e)}`,
        source: "engine",
      });
    }
  });
  return { crls, problems };
}

/** Runs one case at `now` when the case names no time. */
export async function runLimboCase(engine: ConformanceEngine, c: LimboCase, now: Date): Promise<CaseOutcome> {
  const notes: string[] = [];
  let leaf: Certificate;
  try {
    const [der, ...more] = engine.extractCertificates(pemBytes(c.peer_certificate), "peer_certificate");
    if (!der || more.length > 0)
      throw new Error(`expected one peer certificate, found ${more.length + (der ? 1 : 0)}`);
    leaf = engine.parseCertificate(der);
  } catch (e) {
    const message = `peer certificate: ${describeError(e)}`;
    return {
      problems: [{ code: "MALFORMED", severity: "error", message, source: "engine" }],
      notes,
      durationMs: 0,
    };
  }
  const anchors = usable(engine, c.trusted_certs, "trusted_certs", notes);
  const intermediates = usable(engine, c.untrusted_intermediates, "untrusted_intermediates", notes);
  const { crls, problems: crlProblems } = parseCrls(engine, c);
  const revocation = revocationApplies(c);
  if (c.signature_algorithms.length > 0) notes.push("signature_algorithms not enforced by the harness");
  return callEngine({
    notes,
    run: () =>
      engine.validateChain(leaf, {
        time: c.validation_time === null ? now : new Date(c.validation_time),
        anchors,
        intermediates,
        crls,
        revocation,
        ...(c.max_chain_depth === null ? {} : { maxDepth: c.max_chain_depth }),
      }),
    notApplicable: (p) => !revocation && NOT_APPLICABLE_OFFLINE.has(p.code),
    extra: () => [
      ...crlProblems,
      ...(c.expected_peer_name ? checkPeerName(leaf, c.expected_peer_name) : []),
      ...checkExtendedKeyUsage(leaf, c.extended_key_usage),
      ...checkKeyUsage(leaf, c.key_usage),
    ],
  });
}

/** Judges one limbo case against the skip and tolerated lists. */
export function judgeLimboCase(c: LimboCase, outcome: CaseOutcome): CaseResult {
  const skipReason = LIMBO_SKIPS[c.id];
  const tolerated = TOLERATED[c.id];
  const judgement = judge({
    expected: c.expected_result,
    outcome,
    ...(skipReason === undefined ? {} : { skipReason }),
    ...(tolerated ? { tolerated } : {}),
  });
  return {
    suite: "limbo",
    id: c.id,
    group: familyOf(c.id),
    title: c.description.split("\n")[0]?.trim() ?? "",
    expected: c.expected_result,
    ...judgement,
    outcome,
  };
}
