/**
 * The HTTP layer's own request and response: small enough that the Azure Functions host and the local
 * host's node:http server can both be adapted to it (azure-adapter.ts, node-adapter.ts), so every route
 * runs the same code, auth and limits included, in both.
 */
import type { Principal } from "./auth.ts";

/** A request body, read at most once, as a stream so that a size limit can stop it early. */
export interface RequestBody {
  /** The Content-Length the client declared, when it declared one. */
  readonly declaredLength: number | undefined;
  /** The bytes as they arrive. Stopping the iteration early tells the adapter the rest is unwanted. */
  chunks(): AsyncIterable<Uint8Array>;
}

export interface ApiRequest {
  /** Upper case: "GET", "POST". */
  readonly method: string;
  /** The URL path without the query, e.g. "/api/certificates". */
  readonly path: string;
  readonly query: URLSearchParams;
  /** A header's value by name (any case); repeated headers are joined with ", ". */
  header(name: string): string | undefined;
  readonly body: RequestBody;
}

/** What a handler sees: the request, its path parameters and who is calling (absent on anonymous routes). */
export interface RoutedRequest extends ApiRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly principal: Principal | undefined;
  /** Correlates this request's log lines and its error reference. */
  readonly requestId: string;
}

export interface ApiResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The serialized body (JSON unless `content-type` says otherwise); empty for none. */
  readonly body: string;
}

/** One route's work: parse, call one use case, map the result. */
export type Handler = (request: RoutedRequest) => Promise<ApiResponse>;
