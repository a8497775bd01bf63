/**
 * Every error a route answers with: JSON `{error: {code, message}}` and a status that says what to do
 * (DESIGN.md "HTTP"). Handlers and helpers throw `HttpError`; the router turns it, or anything else, into
 * a response, so no route hand-builds an error body.
 */

/** The stable `error.code` values; clients may branch on them. */
export type ErrorCode =
  | "invalid_request"
  | "invalid_token"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "payload_too_large"
  | "unsupported_media_type"
  | "request_timeout"
  | "unavailable"
  | "internal";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers (WWW-Authenticate, Allow, Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
    /** What went wrong underneath, for the log only. */
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "HttpError";
  }
}

/** 400: the message names the field, e.g. "body.userPrincipalName: required". */
export const invalidRequest = (message: string) => new HttpError(400, "invalid_request", message);

export const payloadTooLarge = (limit: number) =>
  new HttpError(
    413,
    "payload_too_large",
    limit === 0 ? "this route takes no body" : `the body is larger than this route accepts (${limit} bytes)`,
    { connection: "close" },
  );

export const unsupportedMediaType = (accepted: readonly string[]) =>
  new HttpError(415, "unsupported_media_type", `content-type must be ${accepted.join(" or ")}`);

export const requestTimeout = () =>
  new HttpError(408, "request_timeout", "the request body did not arrive in time", { connection: "close" });

export const notFound = (message = "no such route") => new HttpError(404, "not_found", message);

export const methodNotAllowed = (allowed: readonly string[]) =>
  new HttpError(405, "method_not_allowed", `use ${allowed.join(" or ")}`, { allow: allowed.join(", ") });

export const unavailable = (message: string, retryAfterSeconds?: number, cause?: unknown) =>
  new HttpError(
    503,
    "unavailable",
    message,
    retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) },
    { cause },
  );
