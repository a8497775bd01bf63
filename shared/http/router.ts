/**
 * The route table and its dispatcher: method and path pattern to handler, with path parameters, and the
 * one place where every request is authenticated, authorized, logged, traced (a server span per request,
 * shared/telemetry/http-span.ts) and has its errors shaped.
 *
 * Order of checks, so that nothing is read or revealed before it has to be: unknown path (404), wrong
 * method (405, with Allow), then the bearer token (401) and role (403) before the handler touches the
 * body; the handler then checks content type (415), size (413) and content (400).
 *
 * Both hosts use it: the local host serves every route through one router; in Azure each function passes
 * its requests to a router too (azure-adapter.ts), so 404/405/401/403 read the same in both.
 */
import { randomUUID } from "node:crypto";
import { PermanentError, RetryableError } from "../errors.ts";
import type { Logger } from "../ports.ts";
import { type RequestSpan, serving } from "../telemetry/http-span.ts";
import { InputError } from "../usecases/input-error.ts";
import type { ApiRequest, ApiResponse, Handler, RoutedRequest } from "./api.ts";
import { type Principal, type Role, requireRole, type TokenVerifier } from "./auth.ts";
import { readBytes } from "./body.ts";
import {
  HttpError,
  invalidRequest,
  methodNotAllowed,
  notFound,
  payloadTooLarge,
  unavailable,
} from "./errors.ts";
import { errorResponse } from "./responses.ts";

/** Routes live under /api, as on the Functions host (host.json routePrefix). */
export const API_PREFIX = "/api";

/** Who may call a route: anyone (health), or a principal holding the role (Admin implies Reader). */
export type Access = Role | "anonymous";

export interface Route {
  /** The Azure function's name and the logs' route field: "postCertificates". */
  readonly name: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** Under /api, `{name}` for a path parameter: "users/{upn}/readiness" (the Functions route syntax). */
  readonly path: string;
  readonly access: Access;
  /**
   * The largest body the route takes, in bytes; 0 (a route without a body) by default. A declared
   * Content-Length over it is refused here with 413 before the handler runs; the handler's own read
   * (readJson) stops an undeclared one at the same limit.
   */
  readonly bodyLimit?: number;
  readonly handle: Handler;
}

export interface RouterDeps {
  /** Checks bearer tokens: Entra in Azure, the demo issuer locally. */
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  /** Request ids; random by default. */
  readonly newRequestId?: () => string;
}

export interface Router {
  readonly routes: readonly Route[];
  /**
   * Answers one request; never throws.
   * @param requestId correlates the logs (the Functions invocation id); a fresh one by default
   */
  dispatch(request: ApiRequest, requestId?: string): Promise<ApiResponse>;
}

type Match =
  | { readonly kind: "found"; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: "wrongMethod"; readonly allowed: readonly string[] }
  | { readonly kind: "none" };

export function createRouter(routes: readonly Route[], deps: RouterDeps): Router {
  const compiled = routes.map((route) => ({ route, segments: segmentsOf(route.path) }));
  const newRequestId = deps.newRequestId ?? randomUUID;

  function match(method: string, path: string): Match {
    const parts = pathParts(path);
    if (parts === undefined) return { kind: "none" };
    const allowed: string[] = [];
    for (const { route, segments } of compiled) {
      const params = matchSegments(segments, parts);
      if (params === undefined) continue;
      if (route.method === method) return { kind: "found", route, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: "wrongMethod", allowed } : { kind: "none" };
  }

  async function run(
    request: ApiRequest,
    requestId: string,
    log: Logger,
    span: RequestSpan,
  ): Promise<ApiResponse> {
    const found = match(request.method, request.path);
    if (found.kind === "none") throw notFound();
    if (found.kind === "wrongMethod") throw methodNotAllowed(found.allowed);
    const { route, params } = found;
    span.routed({ name: route.name, template: `${API_PREFIX}/${route.path}` });
    let principal: Principal | undefined;
    if (route.access !== "anonymous") {
      principal = await deps.verifier.verify(request.header("authorization"));
      requireRole(principal, route.access);
    }
    const limit = route.bodyLimit ?? 0;
    if ((request.body.declaredLength ?? 0) > limit) throw payloadTooLarge(limit);
    // A route without a body still refuses one sent without a length (chunked): its first byte is too many.
    if (limit === 0) await readBytes(request.body, 0);
    log.info("http request", { route: route.name, caller: principal?.id });
    return route.handle(routed(request, params, principal, requestId));
  }

  return {
    routes,
    dispatch(request, requestId = newRequestId()) {
      return serving(request, async (span) => {
        const log = deps.logger.child({ requestId, method: request.method, path: request.path });
        let response: ApiResponse;
        try {
          response = await run(request, requestId, log, span);
        } catch (e) {
          response = errorResponse(toHttpError(e, requestId, log));
        }
        log.info("http response", { status: response.status });
        return { ...response, headers: { ...response.headers, "x-request-id": requestId } };
      });
    },
  };
}

/** Every failure as an HttpError; details of the unexpected ones go to the log only, under the request id. */
export function toHttpError(e: unknown, requestId: string, log: Logger): HttpError {
  if (e instanceof HttpError) {
    if (e.status >= 500) log.warn("http unavailable", { code: e.code, error: e.cause ?? e.message });
    return e;
  }
  // Use cases name the field they refuse; the route answers in the body's terms.
  if (e instanceof InputError) return invalidRequest(`body.${e.message}`);
  if (e instanceof PermanentError) return invalidRequest(e.message);
  if (e instanceof RetryableError) {
    log.warn("http unavailable", { error: e });
    const seconds = Math.max(1, Math.ceil((e.retryAfterMs ?? 5_000) / 1000));
    return unavailable("a dependency is busy or unavailable; try again shortly", seconds);
  }
  log.error("http internal error", { error: e });
  return new HttpError(500, "internal", `internal error; reference ${requestId}`);
}

function routed(
  request: ApiRequest,
  params: Record<string, string>,
  principal: Principal | undefined,
  requestId: string,
): RoutedRequest {
  return {
    method: request.method,
    path: request.path,
    query: request.query,
    header: (name) => request.header(name),
    body: request.body,
    params,
    principal,
    requestId,
  };
}

type Segment = { readonly literal: string } | { readonly param: string };

function segmentsOf(path: string): Segment[] {
  return path
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      const param = /^\{([A-Za-z][A-Za-z0-9]*)\}$/.exec(s)?.[1];
      return param === undefined ? { literal: s.toLowerCase() } : { param };
    });
}

/** The request path's segments under /api, decoded; undefined when outside /api or undecodable. */
function pathParts(path: string): string[] | undefined {
  const lower = path.toLowerCase();
  if (lower !== API_PREFIX && !lower.startsWith(`${API_PREFIX}/`)) return undefined;
  const raw = path.slice(API_PREFIX.length).split("/");
  // One trailing slash is forgiven ("/api/status/"); empty segments elsewhere are not a route.
  if (raw.at(-1) === "") raw.pop();
  raw.shift();
  try {
    return raw.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

/** Literal segments match case-insensitively, as the Functions host's routes do. */
function matchSegments(segments: readonly Segment[], parts: readonly string[]) {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    const part = parts[i]!;
    if ("param" in segment) {
      if (part === "") return undefined;
      params[segment.param] = part;
    } else if (segment.literal !== part.toLowerCase()) return undefined;
  }
  return params;
}

/** For a route listing (`smimectl serve` prints it): "GET /api/status (reader)". */
export function describeRoute(route: Route): string {
  return `${route.method} ${API_PREFIX}/${route.path} (${route.access})`;
}
