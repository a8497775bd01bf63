/**
 * The human-readable form of a validation report.
 */
import type { PurposeVerdict, ValidationReport } from "../contracts/validation-report.ts";

const mark = (severity: string): string => (severity === "error" ? "✗" : "!");

function purposeLines(name: string, v: PurposeVerdict, shared: ReadonlySet<string>): string[] {
  const own = v.problems.filter((p) => !shared.has(p.code + p.message));
  const state = v.ready ? "ready" : "NOT READY";
  return [
    `  ${name.padEnd(11)} ${state}`,
    ...own.map((p) => `    ${mark(p.severity)} ${p.code}: ${p.message}`),
  ];
}

/** A few lines per certificate: what it is, its chain, then each purpose with its own problems. */
export function formatTextReport(r: ValidationReport): string {
  const where = r.index === undefined ? r.file : `${r.file} #${r.index + 1}`;
  const lines = [r.certificate ? `${where}: ${r.certificate.subject}` : `${where}: (unreadable certificate)`];
  if (r.certificate) {
    lines.push(
      `  thumbprint  ${r.certificate.thumbprint}   valid ${r.certificate.notBefore} … ${r.certificate.notAfter}`,
    );
    if (r.certificate.emailAddresses.length)
      lines.push(`  addresses   ${r.certificate.emailAddresses.join(", ")}`);
  }
  if (r.chain.length) lines.push(`  chain       ${r.chain.join("  →  ")}`);
  // Chain-wide problems show up under both purposes; print them once.
  const keys = (v: PurposeVerdict) => new Set(v.problems.map((p) => p.code + p.message));
  const s = keys(r.signing);
  const common = new Set([...keys(r.encryption)].filter((k) => s.has(k)));
  const chainWide = r.signing.problems.filter((p) => common.has(p.code + p.message));
  for (const p of chainWide) lines.push(`  ${mark(p.severity)} ${p.code}: ${p.message}`);
  lines.push(
    ...purposeLines("signing", r.signing, common),
    ...purposeLines("encryption", r.encryption, common),
  );
  return lines.join("\n");
}
