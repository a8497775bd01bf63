/**
 * One engine call turned into a CaseOutcome: problems copied out as plain data, a throw captured as an
 * engine failure (a stub's "not implemented yet" shows up here, case by case, instead of stopping the run).
 */
import { formatName } from "../../shared/pki/name.ts";
import type { Problem } from "../../shared/pki/problems.ts";
import type { ChainResult } from "./engine-binding.ts";
import type { CaseOutcome, ReportedProblem } from "./outcome.ts";

/** An engine problem as plain, serialisable data. */
export function fromEngine(p: Problem): ReportedProblem {
  const rule = typeof p["rule"] === "string" ? p["rule"] : undefined;
  return {
    code: p.code,
    severity: p.severity,
    message: p.message,
    source: "engine",
    ...(rule === undefined ? {} : { rule }),
  };
}

/** The message of anything thrown. */
export function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

export interface EngineCall {
  /** Runs the engine; may throw. */
  readonly run: () => Promise<ChainResult> | ChainResult;
  /** Harness problems to add after a successful call (peer name, EKU, …). */
  readonly extra?: (result: ChainResult) => readonly ReportedProblem[];
  /** Engine problems that do not apply in this mode (dropped, each noted). */
  readonly notApplicable?: (p: ReportedProblem) => boolean;
  readonly notes?: readonly string[];
}

/** Runs one engine call, timing it; never throws. */
export async function callEngine(
  call: EngineCall,
  clock: () => number = () => performance.now(),
): Promise<CaseOutcome> {
  const started = clock();
  const notes = [...(call.notes ?? [])];
  try {
    const result = await call.run();
    const engine = result.problems.map(fromEngine);
    const dropped = call.notApplicable ? engine.filter(call.notApplicable) : [];
    for (const p of dropped) notes.push(`not applicable, dropped: ${p.code} (${p.message})`);
    const problems = [...engine.filter((p) => !dropped.includes(p)), ...(call.extra?.(result) ?? [])];
    return {
      problems,
      notes,
      durationMs: clock() - started,
      ...(result.userConstrainedPolicySet
        ? { userConstrainedPolicySet: [...result.userConstrainedPolicySet] }
        : {}),
      ...(result.chain ? { chain: result.chain.map((c) => formatName(c.subject)) } : {}),
    };
  } catch (e) {
    return { problems: [], notes, durationMs: clock() - started, engineFailure: describeError(e) };
  }
}
