/**
 * Building responses: JSON bodies with their headers, and the error envelope.
 */
import type { ApiResponse } from "./api.ts";
import type { HttpError } from "./errors.ts";

const JSON_TYPE = "application/json; charset=utf-8";

/** A JSON response. Responses are never cached: every route answers about live state or a caller. */
export function json(
  status: number,
  value: unknown,
  headers: Readonly<Record<string, string>> = {},
): ApiResponse {
  return {
    status,
    headers: { "content-type": JSON_TYPE, "cache-control": "no-store", ...headers },
    body: JSON.stringify(value),
  };
}

/** The error envelope of DESIGN.md: `{error: {code, message}}`. */
export function errorResponse(error: HttpError): ApiResponse {
  return json(error.status, { error: { code: error.code, message: error.message } }, error.headers);
}
