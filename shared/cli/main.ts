/**
 * `smimectl`: the command-line face of smime-lifecycle (DESIGN.md "CLI").
 */
import { runServe } from "./serve-command.ts";
import { runToken } from "./token-command.ts";
import { runTrustList } from "./trust-list-command.ts";
import { ExitCode, UsageError } from "./usage-error.ts";
import { runValidate } from "./validate-command.ts";

const USAGE = `usage: smimectl <command> [options]

commands:
  validate --cert FILE|DIR … --trust FILE …   is this certificate ready for S/MIME in Outlook mobile?
  trust list FILE                              what an .sst / .p7b / PEM bundle holds
  serve [--port 7071] [--data DIR] [--demo]    the whole pipeline in one process (npm start: --demo)
  token --role reader|admin [--user UPN]       local mode: a bearer token from the demo issuer

Run "smimectl validate --help" for the validate flags.`;

/** Runs one command and sets the process exit code; never throws. */
export async function run(argv: readonly string[]): Promise<void> {
  // A reader that stops early (`smimectl trust list big.sst | head`) closes the pipe: not a crash.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });
  try {
    process.exitCode = await dispatch(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`smimectl: ${e.message}\n`);
      process.exitCode = ExitCode.USAGE;
      return;
    }
    process.stderr.write(`smimectl: internal error: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = ExitCode.USAGE;
  }
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "validate":
      return runValidate(rest);
    case "serve":
      return runServe(rest);
    case "token":
      return runToken(rest);
    case "trust":
      if (rest[0] === "list") return runTrustList(rest.slice(1));
      throw new UsageError(`unknown trust command "${rest[0] ?? ""}"; try: smimectl trust list FILE`);
    case undefined:
      // A mistake, not a request for help: the usage goes where scripts look for errors.
      throw new UsageError(USAGE);
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(`${USAGE}\n`);
      return ExitCode.READY;
    default:
      throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  }
}
