/**
 * `smimectl trust list FILE`: what a virtual certificate collection (.sst), .p7b or PEM bundle holds.
 */
import { parseArgs } from "node:util";
import type { Certificate } from "../pki/certificate.ts";
import { formatName } from "../pki/name.ts";
import { readCertificateFiles } from "./read-inputs.ts";
import { ExitCode, UsageError } from "./usage-error.ts";

const USAGE = "usage: smimectl trust list FILE [--json]";

/** One line of the listing; also the `--json` shape. */
export function describeAnchor(c: Certificate) {
  return {
    subject: formatName(c.subject),
    issuer: formatName(c.issuer),
    serialNumber: c.serialNumber,
    thumbprint: c.thumbprint,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    ca: c.basicConstraints?.ca ?? false,
    selfIssued: c.selfIssued,
  };
}

export async function runTrustList(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{ options: { json: { type: "boolean" } }; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: [...argv], options: { json: { type: "boolean" } }, allowPositionals: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (parsed.positionals.length !== 1) throw new UsageError(USAGE);
  const certificates = await readCertificateFiles(parsed.positionals);
  const rows = certificates.map(describeAnchor);
  if (parsed.values.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return ExitCode.READY;
  }
  process.stdout.write(
    `${parsed.positionals[0]}: ${rows.length} certificate${rows.length === 1 ? "" : "s"}\n`,
  );
  for (const r of rows) {
    const kind = r.ca ? (r.selfIssued ? "root CA" : "intermediate CA") : "end entity";
    process.stdout.write(
      `\n  ${r.subject}\n    ${kind}; issued by ${r.issuer}\n    thumbprint ${r.thumbprint}\n    valid ${r.notBefore} … ${r.notAfter}\n`,
    );
  }
  return ExitCode.READY;
}
