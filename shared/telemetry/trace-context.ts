/**
 * W3C trace context in and out of the strings that carry it: the `traceparent` of an HTTP request, of a
 * message's application properties and of a CloudEvents envelope. The W3C propagator is used directly (not
 * the global one) so that the same header reads the same way whether or not an SDK is installed.
 */
import { type Context, context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

const w3c = new W3CTraceContextPropagator();

const getter = {
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
  get: (carrier: Record<string, string>, key: string) => carrier[key],
};

/**
 * The context `traceparent` continues. A missing, malformed or forged value (all-zero ids, a bad version,
 * the wrong length) gives the root context: the work starts a trace of its own instead of failing.
 */
export function contextOf(traceparent: string | undefined): Context {
  if (traceparent === undefined) return ROOT_CONTEXT;
  const extracted = w3c.extract(ROOT_CONTEXT, { traceparent }, getter);
  return hasSpan(extracted) ? extracted : ROOT_CONTEXT;
}

/** The `traceparent` of `ctx` (the active context by default); undefined when it holds no valid span. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  w3c.inject(ctx, carrier, {
    set: (c, key, value) => {
      c[key] = value;
    },
  });
  return carrier.traceparent;
}

/** True when `ctx` (the active context by default) holds a valid span to continue. */
export function hasSpan(ctx: Context = context.active()): boolean {
  const span = trace.getSpanContext(ctx);
  return span !== undefined && trace.isSpanContextValid(span);
}

/** Runs `work` with `traceparent`'s context active (the root context when it is missing or forged). */
export function withTraceparent<T>(traceparent: string | undefined, work: () => T): T {
  return context.with(contextOf(traceparent), work);
}
