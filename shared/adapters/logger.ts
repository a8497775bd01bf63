/**
 * Structured logs: one JSON object per line, with the invocation and correlation ids carried by child
 * loggers, so one certificate's journey (HTTP → queue → processor) can be followed with a single filter.
 *
 * A redaction guard runs on every line: field names that hold credentials (authorization, token, secret,
 * password, key, connection strings, …) are replaced, and so are values that look like bearer tokens, JWTs or
 * connection-string secrets wherever they appear, in messages included. A log line is the easiest place for a
 * token to leak from, and the one least often reviewed.
 */
import type { LogLevel } from "../config.ts";
import type { Logger } from "../ports.ts";

export const REDACTED = "[redacted]";

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names whose values are secrets whatever they hold. */
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-functions-key|x-ms-token.*|.*token|.*secret|.*password|.*passwd|.*apikey|api[-_]?key|.*privatekey|private[-_]?key|.*connectionstring|connection[-_]?string|sharedaccesskey|accountkey|sas|sig|clientstate|client[-_]?state)$/i;

/** Secrets recognised by their shape, wherever they appear in a string. */
const SECRET_VALUES: readonly RegExp[] = [
  /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi,
  /\bBasic\s+[A-Za-z0-9+/]+=*/g,
  // A JWT: three base64url parts, the first two starting like a JSON object.
  /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  // Connection-string and SAS secrets: keep the name, drop the value.
  /\b(SharedAccessKey|AccountKey|SharedAccessSignature|sig|password|pwd)=[^;&\s"]+/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

/** Removes secrets from a string. */
export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_VALUES)
    out = out.replace(pattern, (match, name: unknown) =>
      typeof name === "string" && match.includes("=") && !match.startsWith("-----")
        ? `${name}=${REDACTED}`
        : REDACTED,
    );
  return out;
}

/** A deep copy of `value` with secrets replaced; errors become `{name, message, stack}`. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[too deep]";
  if (typeof value === "string") return redactText(value);
  if (value instanceof Error)
    return redact(
      { name: value.name, message: value.message, stack: value.stack, cause: value.cause },
      depth + 1,
    );
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

export interface JsonLoggerOptions {
  readonly level?: LogLevel;
  /** Where lines go; default stdout (stderr for warn and error). */
  readonly write?: (line: string, level: LogLevel) => void;
  /** Time source for the `time` field. */
  readonly now?: () => Date;
  /** Fields on every line (service, invocationId, correlationId, …). */
  readonly fields?: Record<string, unknown>;
}

/** The logger with the debug level, which the Logger port leaves out. */
export interface JsonLogger extends Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): JsonLogger;
}

const defaultWrite = (line: string, level: LogLevel) =>
  (level === "warn" || level === "error" ? process.stderr : process.stdout).write(`${line}\n`);

/** Builds a JSON-lines logger. */
export function createJsonLogger(options: JsonLoggerOptions = {}): JsonLogger {
  const threshold = LEVELS[options.level ?? "info"];
  const write = options.write ?? defaultWrite;
  const now = options.now ?? (() => new Date());
  const base = options.fields ?? {};
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const line = redact({ time: now().toISOString(), level, message, ...base, ...fields });
    write(JSON.stringify(line), level);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createJsonLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: JsonLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
