/**
 * Bad input to a use case called from a route: the HTTP layer answers 400 with `{error: {code, message}}`
 * naming `field`, and nothing is stored (use cases check their input before their first write).
 */
import type { z } from "zod";
import { PermanentError } from "../errors.ts";

export class InputError extends PermanentError {
  constructor(
    /** The request field at fault, as the client named it ("certificate", "userPrincipalName"). */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "InputError";
  }
}

/** Parses `input` with `schema`, or throws an InputError naming the first field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join(".") : "body";
  throw new InputError(field, issue?.message ?? "invalid");
}
