/**
 * Reading what a client sent, at the boundary: the body under a size limit, JSON with its content type,
 * and body or query validated by a zod schema. Every failure is an HttpError whose message names the
 * field ("body.purpose: must be one of signing, encryption, both") and never repeats the value sent.
 */
import { z } from "zod";
import type { ApiRequest, RequestBody } from "./api.ts";
import { invalidRequest, payloadTooLarge, unsupportedMediaType } from "./errors.ts";

/**
 * The body's bytes, refused with 413 as soon as they pass `limit`: at once when the declared
 * Content-Length says so, else when the stream crosses it (the rest is never read).
 */
export async function readBytes(body: RequestBody, limit: number): Promise<Uint8Array> {
  if (body.declaredLength !== undefined && body.declaredLength > limit) throw payloadTooLarge(limit);
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body.chunks()) {
    size += chunk.byteLength;
    if (size > limit) throw payloadTooLarge(limit);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** The media type without parameters, lower case: "application/json". */
export function mediaType(request: ApiRequest): string | undefined {
  const value = request.header("content-type");
  return value?.split(";")[0]?.trim().toLowerCase() || undefined;
}

const JSON_TYPES = ["application/json"];

/**
 * The JSON body parsed by `schema`. 415 for another content type (or another charset than UTF-8),
 * 413 over `limit`, 400 for an empty body, bad UTF-8, bad JSON or a value the schema refuses.
 */
export async function readJson<S extends z.ZodType>(
  request: ApiRequest,
  schema: S,
  limit: number,
): Promise<z.infer<S>> {
  requireJsonType(request);
  const bytes = await readBytes(request.body, limit);
  if (bytes.byteLength === 0) throw invalidRequest("body: required");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalidRequest("body: not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's own message quotes the input; the body may hold anything, so it is not repeated.
    throw invalidRequest("body: not valid JSON");
  }
  return validate(schema, value, "body");
}

function requireJsonType(request: ApiRequest): void {
  const type = mediaType(request);
  if (type === undefined || !JSON_TYPES.includes(type)) throw unsupportedMediaType(JSON_TYPES);
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.header("content-type") ?? "")?.[1];
  if (charset !== undefined && charset.toLowerCase() !== "utf-8") throw unsupportedMediaType(JSON_TYPES);
}

/**
 * The query string parsed by `schema` (an object of optional strings, coerced by the schema). A name
 * given twice is refused rather than guessed at.
 */
export function readQuery<S extends z.ZodType>(query: URLSearchParams, schema: S): z.infer<S> {
  const value: Record<string, string> = {};
  for (const [name, v] of query) {
    if (Object.hasOwn(value, name)) throw invalidRequest(`query.${clip(name)}: given more than once`);
    value[name] = v;
  }
  return validate(schema, value, "query");
}

/** `value` parsed by `schema`, or a 400 listing each problem with its path under `root`. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, root: string): z.infer<S> {
  const result = schema.safeParse(value, { error: describeIssue });
  if (result.success) return result.data;
  throw invalidRequest(result.error.issues.map((issue) => describe(root, issue)).join("; "));
}

/** Plain messages for the common issues; zod's own wording for the rest. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined)
    return "required";
  if (issue.code === "invalid_type") return `must be ${EXPECTED[issue.expected] ?? issue.expected}`;
  if (issue.code === "invalid_value") return `must be one of ${issue.values.map(String).join(", ")}`;
  return undefined;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "an object",
  array: "an array",
};

function describe(root: string, issue: z.core.$ZodIssue): string {
  const where = fieldPath(root, issue.path);
  if (issue.code === "unrecognized_keys") {
    const names = issue.keys.map((k) => `"${clip(k)}"`).join(", ");
    return `${where}: unknown ${root === "query" ? "parameter" : "field"} ${names}`;
  }
  return `${where}: ${issue.message}`;
}

/** "body.sources[0].url" */
export function fieldPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (at, key) => (typeof key === "number" ? `${at}[${key}]` : `${at}.${clip(String(key))}`),
    root,
  );
}

/** Names come from the client: keep the echo short. */
const clip = (name: string) => (name.length > 40 ? `${name.slice(0, 40)}…` : name);

/** A `limit` query parameter: whole number from 1 to `max`, `fallback` when absent. */
export function limitParameter(fallback: number, max: number) {
  const message = `must be a whole number from 1 to ${max}`;
  return z
    .string()
    .regex(/^\d{1,7}$/, message)
    .transform(Number)
    .pipe(z.number().min(1, message).max(max, message))
    .default(fallback);
}
