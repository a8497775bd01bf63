/**
 * NIST PKITS 1.0.1 (../shared/conformance/pkits): every case validated at the suite's validation time,
 * revocation on, with only the CRLs the case lists and no network, the case's trust anchor as the only
 * anchor, the path's CA certificates as intermediates (the engine builds the path itself), and the four
 * RFC 5280 §6.1.1 policy inputs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Certificate } from "../../shared/pki/certificate.ts";
import type { Crl } from "../../shared/pki/crl.ts";
import type { ConformanceEngine } from "./engine-binding.ts";
import { callEngine } from "./engine-call.ts";
import { judge } from "./judge.ts";
import type { CaseOutcome, CaseResult } from "./outcome.ts";
import { TOLERATED } from "./tolerated.ts";

const PkitsCaseSchema = z.object({
  id: z.string(),
  title: z.string(),
  section: z.string(),
  trustAnchor: z.string(),
  path: z.array(z.string()).min(1),
  crls: z.array(z.string()),
  expected: z.enum(["valid", "invalid"]),
  initialPolicySet: z.array(z.string()),
  initialExplicitPolicy: z.boolean(),
  initialPolicyMappingInhibit: z.boolean(),
  initialAnyPolicyInhibit: z.boolean(),
  expectedUserConstrainedPolicySet: z.array(z.string()).nullable(),
});

const PkitsFileSchema = z.object({
  suite: z.string(),
  validationTime: z.iso.datetime(),
  certsDir: z.string(),
  crlsDir: z.string(),
  certExtension: z.string(),
  crlExtension: z.string(),
  cases: z.array(PkitsCaseSchema),
});

export type PkitsCase = z.infer<typeof PkitsCaseSchema>;
export type PkitsFile = z.infer<typeof PkitsFileSchema>;

/** The PKITS data folder, its cases, and the parsed certificates and CRLs (each file read and parsed once). */
export interface PkitsSuite {
  readonly dir: string;
  readonly file: PkitsFile;
  readonly time: Date;
  readonly certificates: Map<string, Certificate>;
  readonly crls: Map<string, Crl>;
}

/** Reads and checks `DIR/cases.json`. */
export function loadPkits(dir: string): PkitsSuite {
  const file = PkitsFileSchema.parse(JSON.parse(readFileSync(join(dir, "cases.json"), "utf8")));
  return { dir, file, time: new Date(file.validationTime), certificates: new Map(), crls: new Map() };
}

function certificate(engine: ConformanceEngine, suite: PkitsSuite, name: string): Certificate {
  const cached = suite.certificates.get(name);
  if (cached) return cached;
  const der = readFileSync(join(suite.dir, suite.file.certsDir, `${name}${suite.file.certExtension}`));
  const parsed = engine.parseCertificate(new Uint8Array(der));
  suite.certificates.set(name, parsed);
  return parsed;
}

function crl(engine: ConformanceEngine, suite: PkitsSuite, name: string): Crl {
  const cached = suite.crls.get(name);
  if (cached) return cached;
  const der = readFileSync(join(suite.dir, suite.file.crlsDir, `${name}${suite.file.crlExtension}`));
  const parsed = engine.parseCrl(new Uint8Array(der));
  suite.crls.set(name, parsed);
  return parsed;
}

/**
 * Runs one case. Every PKITS file is well-formed DER, so a parse failure of any of them is the engine's
 * failure (engineFailure), not an answer. Notably 4.1.2/4.1.3-style bad signatures must parse and then fail.
 */
export function runPkitsCase(
  engine: ConformanceEngine,
  suite: PkitsSuite,
  c: PkitsCase,
): Promise<CaseOutcome> {
  return callEngine({
    run: () => {
      const names = c.path;
      const leaf = certificate(engine, suite, names[names.length - 1] ?? "");
      return engine.validateChain(leaf, {
        time: suite.time,
        anchors: [certificate(engine, suite, c.trustAnchor)],
        intermediates: names.slice(0, -1).map((n) => certificate(engine, suite, n)),
        crls: c.crls.map((n) => crl(engine, suite, n)),
        revocation: true,
        policy: {
          initialPolicySet: c.initialPolicySet,
          initialExplicitPolicy: c.initialExplicitPolicy,
          initialPolicyMappingInhibit: c.initialPolicyMappingInhibit,
          initialAnyPolicyInhibit: c.initialAnyPolicyInhibit,
        },
      });
    },
  });
}

/** The tolerated.ts key of a PKITS case (limbo ids already carry their family). */
export const pkitsKey = (id: string): string => `pkits::${id}`;

/** Judges one PKITS case. */
export function judgePkitsCase(c: PkitsCase, outcome: CaseOutcome): CaseResult {
  const tolerated = TOLERATED[pkitsKey(c.id)];
  const judgement = judge({
    expected: c.expected === "valid" ? "SUCCESS" : "FAILURE",
    outcome,
    ...(tolerated ? { tolerated } : {}),
    ...(c.expectedUserConstrainedPolicySet !== null && c.expected === "valid"
      ? { expectedPolicySet: c.expectedUserConstrainedPolicySet }
      : {}),
  });
  return {
    suite: "pkits",
    id: c.id,
    group: c.section,
    title: c.title,
    expected: c.expected === "valid" ? "SUCCESS" : "FAILURE",
    ...judgement,
    outcome,
  };
}
