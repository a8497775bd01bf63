/**
 * Summaries, the floor of the issue's "Done when", the readable text report and the JSON report.
 * Pure: run.ts prints and writes what these return.
 */
import type { CaseResult, Suite } from "./outcome.ts";

/** The floor: below it `npm run conformance` fails. */
export const FLOOR = {
  /** PKITS cases right (tolerated counts as right) out of 249. */
  pkitsMinRight: 245,
  /** limbo families where every case must be right (or tolerated); webpki may also skip. */
  requiredFamilies: ["rfc5280", "crl", "pathlen", "pathological", "cve", "invalid", "online"],
  /** limbo families whose cases may be skipped with a listed reason. */
  skippableFamilies: ["webpki"],
} as const;

export const PKITS_SECTIONS: Readonly<Record<string, string>> = {
  "4.1": "Signature Verification",
  "4.2": "Validity Periods",
  "4.3": "Verifying Name Chaining",
  "4.4": "Basic Certificate Revocation",
  "4.5": "Self-Issued Certificates",
  "4.6": "Basic Constraints",
  "4.7": "Key Usage",
  "4.8": "Certificate Policies",
  "4.9": "Require Explicit Policy",
  "4.10": "Policy Mappings",
  "4.11": "Inhibit Policy Mapping",
  "4.12": "Inhibit Any Policy",
  "4.13": "Name Constraints",
  "4.14": "Distribution Points",
  "4.15": "Delta-CRLs",
  "4.16": "Private Certificate Extensions",
};

export interface GroupSummary {
  readonly suite: Suite;
  readonly group: string;
  readonly total: number;
  readonly right: number;
  readonly tolerated: number;
  readonly skipped: number;
  readonly missed: number;
  readonly falseAccepts: number;
}

export interface FloorCheck {
  readonly ok: boolean;
  /** One line per reason the floor is not met. */
  readonly failures: readonly string[];
}

const isRight = (r: CaseResult): boolean => r.verdict === "right" || r.verdict === "tolerated";

/** Orders "4.2" before "4.10". */
function compareGroups(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  if (pa.every(Number.isFinite) && pb.every(Number.isFinite)) {
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
      const d = (pa[i] ?? 0) - (pb[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  }
  const order = [...FLOOR.requiredFamilies, ...FLOOR.skippableFamilies] as string[];
  const ia = order.indexOf(a);
  const ib = order.indexOf(b);
  return ia !== ib ? (ia < 0 ? 1 : ib < 0 ? -1 : ia - ib) : a.localeCompare(b);
}

/** Per suite and group counts, in a stable order (PKITS sections numerically, limbo families by importance). */
export function summarise(results: readonly CaseResult[]): GroupSummary[] {
  const groups = new Map<string, CaseResult[]>();
  for (const r of results) {
    const key = `${r.suite}\u0000${r.group}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()]
    .map((rs) => {
      const first = rs[0] as CaseResult;
      const count = (p: (r: CaseResult) => boolean) => rs.filter(p).length;
      return {
        suite: first.suite,
        group: first.group,
        total: rs.length,
        right: count((r) => r.verdict === "right"),
        tolerated: count((r) => r.verdict === "tolerated"),
        skipped: count((r) => r.verdict === "skipped"),
        missed: count((r) => r.verdict === "miss"),
        falseAccepts: count((r) => r.falseAccept),
      };
    })
    .sort((a, b) => (a.suite === b.suite ? compareGroups(a.group, b.group) : a.suite === "pkits" ? -1 : 1));
}

/** The issue's floor: PKITS ≥ 245 right, required limbo families all right, webpki right or skipped, no false accept. */
export function checkFloor(results: readonly CaseResult[]): FloorCheck {
  const failures: string[] = [];
  const pkits = results.filter((r) => r.suite === "pkits");
  const pkitsRight = pkits.filter(isRight).length;
  if (pkits.length > 0 && pkitsRight < FLOOR.pkitsMinRight) {
    failures.push(`PKITS: ${pkitsRight}/${pkits.length} right, the floor is ${FLOOR.pkitsMinRight}`);
  }
  const skippable = new Set<string>(FLOOR.skippableFamilies);
  for (const r of results.filter((x) => x.suite === "limbo" && !isRight(x))) {
    if ((r.verdict === "skipped" && skippable.has(r.group)) || r.falseAccept) continue;
    failures.push(
      `limbo ${r.id}: ${r.verdict === "skipped" ? "skipped in a family that must be right" : r.reason}`,
    );
  }
  for (const r of results.filter((x) => x.falseAccept)) failures.push(`false accept: ${r.suite} ${r.id}`);
  return { ok: failures.length === 0, failures: [...new Set(failures)] };
}

function problemLines(r: CaseResult): string[] {
  const lines = r.outcome.problems.map(
    (p) => `      ${p.severity} ${p.code}${p.source === "harness" ? " (harness)" : ""}: ${p.message}`,
  );
  return [...lines, ...r.outcome.notes.map((n) => `      note: ${n}`)];
}

function summaryLine(s: GroupSummary): string {
  const label = s.suite === "pkits" ? `${s.group.padEnd(5)} ${PKITS_SECTIONS[s.group] ?? ""}` : s.group;
  const extra = [
    s.tolerated ? `${s.tolerated} tolerated as warning` : "",
    s.skipped ? `${s.skipped} skipped` : "",
    s.missed ? `${s.missed} missed` : "",
    s.falseAccepts ? `${s.falseAccepts} FALSE ACCEPT` : "",
  ].filter(Boolean);
  const right = s.right + s.tolerated;
  return `  ${label.padEnd(38)} ${String(right).padStart(3)}/${String(s.total - s.skipped).padEnd(3)} right${extra.length ? `  (${extra.join(", ")})` : ""}`;
}

/** The readable report printed on stdout. */
export function formatReport(results: readonly CaseResult[], floor: FloorCheck): string {
  const out: string[] = [];
  const summaries = summarise(results);
  for (const suite of ["pkits", "limbo"] as const) {
    const rs = results.filter((r) => r.suite === suite);
    if (rs.length === 0) continue;
    const judged = rs.filter((r) => r.verdict !== "skipped");
    out.push(
      `${suite === "pkits" ? "NIST PKITS 1.0.1" : "x509-limbo"}: ${judged.filter(isRight).length}/${judged.length} right` +
        `${judged.length < rs.length ? `, ${rs.length - judged.length} skipped` : ""} (${rs.length} cases)`,
    );
    for (const s of summaries.filter((x) => x.suite === suite)) out.push(summaryLine(s));
    out.push("");
  }
  const misses = results.filter((r) => r.verdict === "miss");
  out.push(misses.length === 0 ? "Misses: none" : `Misses (${misses.length}):`);
  for (const r of misses) {
    out.push(`  ${r.suite} ${r.id} — ${r.title}`);
    out.push(`    expected ${r.expected}, got ${r.answer}: ${r.reason ?? ""}`);
    out.push(...problemLines(r));
  }
  const tolerated = results.filter((r) => r.verdict === "tolerated");
  if (tolerated.length > 0) out.push("", `Tolerated as warning (${tolerated.length}, see tolerated.ts):`);
  for (const r of tolerated) out.push(`  ${r.id} — ${r.reason ?? ""}`);
  const skipped = results.filter((r) => r.verdict === "skipped");
  const outright = skipped.filter((r) => r.answer === "accepted").length;
  if (skipped.length > 0) {
    out.push(
      "",
      `Skipped (${skipped.length}, see limbo-skips.ts; still run, answer shown; ${outright} accepted outright, ` +
        "their rules not being S/MIME rules, and not counted as false accepts):",
    );
  }
  for (const r of skipped) out.push(`  ${r.id} [engine: ${r.answer}] — ${r.reason ?? ""}`);
  const slowest = [...results].sort((a, b) => b.outcome.durationMs - a.outcome.durationMs).slice(0, 3);
  out.push("", `Slowest: ${slowest.map((r) => `${r.id} ${r.outcome.durationMs.toFixed(0)} ms`).join(", ")}`);
  out.push("", floor.ok ? "Floor: met" : `Floor: NOT met (${floor.failures.length}):`);
  for (const f of floor.failures) out.push(`  ${f}`);
  return out.join("\n");
}

/** The JSON report written to reports/conformance.json. */
export function jsonReport(
  results: readonly CaseResult[],
  floor: FloorCheck,
  meta: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return { ...meta, floor, summary: summarise(results), results };
}
