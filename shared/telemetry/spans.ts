/**
 * The pipeline's tracer and the one way it runs work in a span: the span is active while the work runs (so
 * whatever the work publishes or calls continues its trace, across awaits), a throw marks it failed with
 * the exception and is rethrown, and the span always ends.
 *
 * The tracer comes from the global OpenTelemetry API: without an SDK (a unit test, a tool) spans cost
 * nothing and record nothing, but a trace context received still flows through to what is published.
 */
import {
  type Attributes,
  type Context,
  context,
  type Span,
  type SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";

/** The instrumentation scope every span and metric of the pipeline is reported under. */
export const INSTRUMENTATION_SCOPE = "smime-lifecycle";

export interface SpanSpec {
  readonly name: string;
  readonly kind: SpanKind;
  readonly attributes?: Attributes;
  /** The context the span continues; the active one by default. */
  readonly parent?: Context;
}

/** Runs `work` inside a new span; see the file comment. */
export async function inSpan<T>(spec: SpanSpec, work: (span: Span) => Promise<T>): Promise<T> {
  const tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
  const parent = spec.parent ?? context.active();
  const span = tracer.startSpan(
    spec.name,
    { kind: spec.kind, ...(spec.attributes && { attributes: spec.attributes }) },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks `span` failed by `error`. */
export function failed(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}
