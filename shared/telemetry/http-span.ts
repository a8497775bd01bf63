/**
 * The HTTP half of one trace across HTTP → queue → processor: every request the router answers runs in a
 * server span, named by its route once matched ("POST /api/admin/reprovision"), with the response status.
 * It continues the span already active (the Functions invocation's, azure-adapter.ts), else the caller's
 * `traceparent` header; a malformed or forged header starts a new trace.
 */
import { context, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ApiRequest, ApiResponse } from "../http/api.ts";
import { inSpan } from "./spans.ts";
import { contextOf, hasSpan } from "./trace-context.ts";

/** What the router tells the span once it knows the route. */
export interface RequestSpan {
  /** @param route its function name and its path template under /api: "/api/users/{upn}/readiness" */
  routed(route: { readonly name: string; readonly template: string }): void;
}

/** Runs `answer` in the request's server span. */
export function serving(
  request: ApiRequest,
  answer: (span: RequestSpan) => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const parent = hasSpan() ? context.active() : contextOf(request.header("traceparent"));
  const attributes = { "http.request.method": request.method, "url.path": request.path };
  return inSpan({ name: request.method, kind: SpanKind.SERVER, parent, attributes }, async (span) => {
    const response = await answer({
      routed({ name, template }) {
        span.updateName(`${request.method} ${template}`);
        span.setAttributes({ "http.route": template, "faas.name": name });
      },
    });
    span.setAttribute("http.response.status_code", response.status);
    // 4xx is the caller's mistake, not this service failing (OpenTelemetry's HTTP server convention).
    if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    return response;
  });
}
