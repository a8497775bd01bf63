/**
 * The Graph adapter's errors. Each is a RetryableError or a PermanentError (shared/errors.ts), so a caller that
 * only knows those two still decides right; the subclasses let a caller that cares tell the cases apart.
 */
import type { z } from "zod";
import { PermanentError, RetryableError } from "../../errors.ts";

/** Graph refused the request for good (a 4xx other than 429): its status and error code are kept. */
export class GraphRequestError extends PermanentError {
  readonly status: number;
  /** Graph's `error.code`, e.g. "Request_ResourceNotFound". */
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "GraphRequestError";
    this.status = status;
    this.code = code;
  }
}

/** A delta link Graph no longer knows (410, or its sync state has expired): start a full round again. */
export class DeltaExpiredError extends GraphRequestError {
  constructor(code: string, message: string) {
    super(410, code, message);
    this.name = "DeltaExpiredError";
  }
}

/** Throttled, unavailable or unreachable, and still so after the allowed retries. */
export class GraphUnavailableError extends RetryableError {
  /** The last HTTP status seen, or undefined for a network failure or a timeout. */
  readonly status: number | undefined;

  constructor(message: string, retryAfterMs: number | undefined, status?: number) {
    super(message, retryAfterMs);
    this.name = "GraphUnavailableError";
    this.status = status;
  }
}

/** A Graph response that does not fit its schema: names the resource, the item and each field that broke. */
export class GraphPayloadError extends PermanentError {
  /** What was read, e.g. "userPfxCertificates". */
  readonly resource: string;
  /** Where in the response, e.g. "value[3] (id 1f0e…)"; empty for the whole body. */
  readonly where: string;
  readonly issues: readonly string[];

  constructor(resource: string, where: string, issues: readonly string[]) {
    super(`Graph ${resource}${where ? ` ${where}` : ""} does not fit its schema: ${issues.join("; ")}`);
    this.name = "GraphPayloadError";
    this.resource = resource;
    this.where = where;
    this.issues = issues;
  }
}

/** Each zod issue as "path: message", the path in dotted form ("settings[2].appConfigKey"). */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`))
      .join("");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}
