/**
 * `smimectl token --role ROLE [--user UPN] [--data DIR]` (local mode only): a bearer token from the demo
 * issuer, valid for an hour, for calling the local host's routes the way Entra ID tokens call Azure's:
 *
 *   curl -H "Authorization: Bearer $(smimectl token --role reader)" http://localhost:7071/api/status
 *
 * The key is the one under the data directory the local host uses (`--data`, else LOCAL_DATA_DIR, else
 * .data), made on first use by whichever of the two comes first.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConfigError, settings } from "../config.ts";
import { DEMO_TOKEN_LIFETIME_SECONDS, loadDemoIssuer } from "../http/demo-issuer.ts";
import { ExitCode, UsageError } from "./usage-error.ts";

export const TOKEN_USAGE = `usage: smimectl token --role reader|admin|none [--user UPN] [--data DIR]

  --role   the app role in the token: reader (SmimeLifecycle.Reader), admin (SmimeLifecycle.Admin,
           which implies reader), or none (a valid token without roles: every route answers 403)
  --user   the user principal name the token names (default: <role>@demo.smime-lifecycle.local)
  --data   the local host's data directory (default: LOCAL_DATA_DIR, else .data)

Prints a token valid for ${DEMO_TOKEN_LIFETIME_SECONDS / 60} minutes from the demo issuer; local mode only.`;

const TokenArgs = z.object({
  role: z.enum(["reader", "admin", "none"], { error: "--role must be reader, admin or none" }),
  user: z
    .string()
    .regex(/^[^@\s]+@[^@\s]+$/, "--user must be a user principal name (user@domain)")
    .optional(),
  data: z.string().min(1, "--data must name a directory").optional(),
});

/** Prints the token on stdout; returns the exit code. @throws UsageError for bad flags */
export async function runToken(argv: readonly string[], now: Date = new Date()): Promise<number> {
  const args = parse(argv);
  if (args === "help") {
    process.stdout.write(`${TOKEN_USAGE}\n`);
    return ExitCode.READY;
  }
  const issuer = await loadDemoIssuer(args.data === undefined ? defaultDataDir() : resolve(args.data));
  const token = await issuer.mint({
    role: args.role,
    userPrincipalName: args.user ?? `${args.role}@demo.smime-lifecycle.local`,
    now,
  });
  process.stdout.write(`${token}\n`);
  return ExitCode.READY;
}

function parse(argv: readonly string[]): z.infer<typeof TokenArgs> | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        role: { type: "string" },
        user: { type: "string" },
        data: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${TOKEN_USAGE}`);
  }
  if (values.help) return "help";
  if (values.role === undefined) throw new UsageError(`--role is required\n${TOKEN_USAGE}`);
  const parsed = TokenArgs.safeParse(values);
  if (!parsed.success) throw new UsageError(`${parsed.error.issues[0]?.message}\n${TOKEN_USAGE}`);
  return parsed.data;
}

function defaultDataDir(): string {
  try {
    return settings().localDataDir;
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}
