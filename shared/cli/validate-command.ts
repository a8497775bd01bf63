/**
 * `smimectl validate`: reads the inputs, validates every certificate with one shared engine, prints the reports.
 */
import { createEngine } from "../pki/engine.ts";
import { createTrustStore } from "../pki/trust-store.ts";
import type { Clock } from "../ports.ts";
import { type CertificateInput, validateCertificates } from "../usecases/validate-certificates.ts";
import { createNetworkSources } from "./network-sources.ts";
import { createBufferedWriter, createProgress } from "./output.ts";
import { readCertificateFiles, readCertificatesToValidate, readCrlFiles } from "./read-inputs.ts";
import { formatTextReport } from "./text-report.ts";
import { ExitCode, UsageError } from "./usage-error.ts";
import { parseValidateArgs, VALIDATE_USAGE } from "./validate-args.ts";

const systemClock: Clock = { now: () => new Date() };

export async function runValidate(argv: readonly string[], clock: Clock = systemClock): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${VALIDATE_USAGE}\n`);
    return ExitCode.READY;
  }
  const args = parseValidateArgs(argv);
  const anchors = await readCertificateFiles(args.trust);
  if (anchors.length === 0) throw new UsageError(`${args.trust.join(", ")}: no trust anchor found`);
  const intermediates = await readCertificateFiles(args.intermediates);
  const crls = await readCrlFiles(args.crl);
  const progress = createProgress(process.stderr);
  const inputs: CertificateInput[] = await readCertificatesToValidate(args.cert, (done, total) =>
    progress.update("read", done, total),
  );
  if (inputs.length === 0) throw new UsageError(`${args.cert.join(", ")}: no certificate found`);

  const network = args.offline
    ? undefined
    : createNetworkSources({ allowPrivateNetwork: args.allowPrivateNetwork, clock });
  const time = args.at ?? clock.now();
  const engine = createEngine({
    time,
    anchors: createTrustStore(anchors),
    intermediates,
    crls,
    fetchCrl: network?.fetchCrl,
    fetchIssuers: network?.fetchIssuers,
  });

  let ready = 0;
  let done = 0;
  const collected: unknown[] = [];
  const out = createBufferedWriter();
  for await (const outcome of validateCertificates(engine, inputs, {
    time,
    purpose: args.purpose,
    smtp: args.smtp,
  })) {
    if (outcome.ready) ready++;
    progress.update("validated", ++done, inputs.length);
    if (args.output === "jsonl") await out.write(`${JSON.stringify(outcome.report)}\n`);
    else if (args.output === "json") collected.push(outcome.report);
    else await out.write(`${formatTextReport(outcome.report)}\n\n`);
  }
  progress.done();
  if (args.output === "json") {
    await out.write(`${JSON.stringify(collected.length === 1 ? collected[0] : collected, null, 2)}\n`);
  } else if (args.output === "text") {
    const n = inputs.length;
    await out.write(
      `${n} certificate${n === 1 ? "" : "s"} checked for ${args.purpose}: ${ready} ready, ${n - ready} not ready\n`,
    );
  }
  await out.flush();
  return ready === inputs.length ? ExitCode.READY : ExitCode.NOT_READY;
}
