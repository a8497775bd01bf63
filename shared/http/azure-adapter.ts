/**
 * The Azure Functions door to the router: an `@azure/functions` HttpRequest becomes an ApiRequest, the
 * router answers, and its ApiResponse becomes an HttpResponseInit. Only types come from the SDK; the
 * functions/ files register the handler.
 *
 * Register each distinct route path once with every method (`azureRegistrations`), so that a wrong
 * method reaches the router and gets its 405 with `Allow`, as it does on the local host.
 */
import type { HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { withTraceparent } from "../telemetry/trace-context.ts";
import type { ApiRequest, ApiResponse } from "./api.ts";
import { HttpError } from "./errors.ts";
import { errorResponse } from "./responses.ts";
import type { Router } from "./router.ts";

/** The ApiRequest view of a Functions HTTP request; its body streams as the handler reads it. */
export function fromAzureRequest(request: HttpRequest): ApiRequest {
  const url = new URL(request.url);
  const declared = request.headers.get("content-length");
  return {
    method: request.method.toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    header: (name) => request.headers.get(name) ?? undefined,
    body: {
      declaredLength: declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined,
      chunks: () => streamChunks(request.body),
    },
  };
}

async function* streamChunks(body: HttpRequest["body"]): AsyncGenerator<Uint8Array> {
  if (body === null) return;
  const reader = body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value instanceof Uint8Array ? value : new Uint8Array(value as ArrayBuffer);
    }
  } finally {
    // Stopped early (over the limit): the rest is not wanted.
    await reader.cancel().catch(() => undefined);
  }
}

export function toAzureResponse(response: ApiResponse): HttpResponseInit {
  return { status: response.status, headers: { ...response.headers }, body: response.body };
}

/**
 * A Functions HTTP handler answering through the router `getRouter` gives (built lazily, once). A router
 * that cannot be built (a missing setting) is a 500 in the API's own shape, the reason in the log.
 */
export function azureHttpHandler(getRouter: () => Router | Promise<Router>) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    let router: Router;
    try {
      router = await getRouter();
    } catch (e) {
      context.error("the HTTP API cannot start", e);
      const reference = context.invocationId;
      return toAzureResponse(
        errorResponse(new HttpError(500, "internal", `the API is not configured; reference ${reference}`)),
      );
    }
    // The router's span continues the invocation's trace, which the Functions host started for the request.
    const response = await withTraceparent(context.traceContext?.traceParent ?? undefined, () =>
      router.dispatch(fromAzureRequest(request), context.invocationId),
    );
    return toAzureResponse(response);
  };
}

const ALL_METHODS: HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/** One Functions registration per distinct route path, named after its first route. */
export function azureRegistrations(router: Pick<Router, "routes">): {
  name: string;
  route: string;
  methods: HttpMethod[];
  authLevel: "anonymous";
}[] {
  const byPath = new Map<string, string>();
  for (const route of router.routes) if (!byPath.has(route.path)) byPath.set(route.path, route.name);
  return [...byPath].map(([route, name]) => ({ name, route, methods: ALL_METHODS, authLevel: "anonymous" }));
}
