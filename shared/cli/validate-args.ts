/**
 * `smimectl validate` flags, parsed with node:util and checked with zod so that a bad value names itself.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { UsageError } from "./usage-error.ts";

export const Purpose = z.enum(["signing", "encryption", "both"]);
export type Purpose = z.infer<typeof Purpose>;

const AT_MESSAGE =
  "--at must be an ISO-8601 date-time with an offset, or a date (midnight UTC), e.g. 2026-06-01T00:00:00Z";

/**
 * The validation time. A date alone means midnight UTC (what an admin typing `--at 2026-06-01` means); a
 * date-time needs its offset, because a local time would give a different verdict on every machine.
 */
const At = z
  .union([
    z.iso.datetime({ offset: true, error: AT_MESSAGE }),
    z.iso.date({ error: AT_MESSAGE }).transform((day) => `${day}T00:00:00Z`),
  ])
  .transform((s) => new Date(s));

const ValidateArgs = z.object({
  cert: z.array(z.string().min(1)).min(1, "--cert is required (a certificate file or a directory)"),
  trust: z.array(z.string().min(1)).min(1, "--trust is required (the trust anchors: .sst, .p7b or PEM)"),
  intermediates: z.array(z.string().min(1)),
  crl: z.array(z.string().min(1)),
  smtp: z.email({ message: "--smtp must be an e-mail address" }).optional(),
  purpose: Purpose,
  at: At.optional(),
  offline: z.boolean(),
  allowPrivateNetwork: z.boolean(),
  output: z.enum(["text", "json", "jsonl"]),
});

export type ValidateArgs = z.infer<typeof ValidateArgs>;

export const VALIDATE_USAGE = `usage: smimectl validate --cert FILE|DIR … --trust FILE … [--intermediates FILE …] [--crl FILE …]
                         [--smtp ADDRESS] [--purpose signing|encryption|both] [--at ISO-8601]
                         [--offline] [--allow-private-network] [--json | --jsonl]`;

/** Parses `validate`'s argv; throws UsageError naming the bad flag or value. */
export function parseValidateArgs(argv: readonly string[]): ValidateArgs {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        cert: { type: "string", multiple: true, default: [] },
        trust: { type: "string", multiple: true, default: [] },
        intermediates: { type: "string", multiple: true, default: [] },
        crl: { type: "string", multiple: true, default: [] },
        smtp: { type: "string" },
        purpose: { type: "string", default: "both" },
        at: { type: "string" },
        offline: { type: "boolean", default: false },
        "allow-private-network": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        jsonl: { type: "boolean", default: false },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${VALIDATE_USAGE}`);
  }
  if (values.json && values.jsonl)
    throw new UsageError(`--json and --jsonl exclude each other\n${VALIDATE_USAGE}`);
  const parsed = ValidateArgs.safeParse({
    ...values,
    allowPrivateNetwork: values["allow-private-network"],
    output: values.json ? "json" : values.jsonl ? "jsonl" : "text",
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag =
      issue.path[0] === "purpose" ? "--purpose must be signing, encryption or both" : issue.message;
    throw new UsageError(`${flag}\n${VALIDATE_USAGE}`);
  }
  return parsed.data;
}
