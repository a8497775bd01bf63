/**
 * Reading a traceparent from what a caller or a message says: a valid one is continued as it is; anything
 * else, however it is malformed or forged, gives the root context (a new trace), never a throw.
 */
import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { beforeAll, describe, expect, it } from "vitest";
import {
  contextOf,
  hasSpan,
  traceparentOf,
  withTraceparent,
} from "../../../shared/telemetry/trace-context.ts";
import { memoryTelemetry } from "../../support/telemetry.ts";

// The context manager that makes a context active comes with the process's telemetry.
beforeAll(() => memoryTelemetry());

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe("contextOf", () => {
  const continued: { name: string; header: string; sampled: boolean }[] = [
    { name: "a sampled traceparent", header: VALID, sampled: true },
    { name: "an unsampled traceparent", header: `00-${TRACE_ID}-${SPAN_ID}-00`, sampled: false },
    {
      name: "a future version with more fields",
      header: `01-${TRACE_ID}-${SPAN_ID}-01-extra`,
      sampled: true,
    },
  ];
  it.each(continued)("continues $name", ({ header, sampled }) => {
    const span = trace.getSpanContext(contextOf(header));
    expect(span).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, isRemote: true });
    expect((span?.traceFlags ?? 0) & 1).toBe(sampled ? 1 : 0);
  });

  const refused: { name: string; header: string | undefined }[] = [
    { name: "nothing", header: undefined },
    { name: "an empty string", header: "" },
    { name: "a Diagnostic-Id in the old Request-Id format", header: "|4bf92f35.00f067aa_" },
    { name: "an all-zero trace id", header: `00-${"0".repeat(32)}-${SPAN_ID}-01` },
    { name: "an all-zero span id", header: `00-${TRACE_ID}-${"0".repeat(16)}-01` },
    { name: "the forbidden version ff", header: `ff-${TRACE_ID}-${SPAN_ID}-01` },
    { name: "version 00 with a trailing field", header: `${VALID}-extra` },
    { name: "a short trace id", header: `00-${TRACE_ID.slice(2)}-${SPAN_ID}-01` },
    { name: "upper-case hex", header: `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01` },
    { name: "an injection attempt", header: `00-${TRACE_ID}-${SPAN_ID}-01\r\nx-admin: 1` },
    { name: "a very long value", header: "00-".padEnd(100_000, "a") },
  ];
  it.each(refused)("starts a new trace for $name", ({ header }) => {
    const ctx = contextOf(header);
    expect(ctx).toBe(ROOT_CONTEXT);
    expect(hasSpan(ctx)).toBe(false);
  });
});

describe("traceparentOf", () => {
  it("writes back the context a valid traceparent gave", () => {
    expect(traceparentOf(contextOf(VALID))).toBe(VALID);
  });

  it("gives nothing for the root context", () => {
    expect(traceparentOf(ROOT_CONTEXT)).toBeUndefined();
  });

  it("reads the active context by default, which withTraceparent sets for the work it runs", () => {
    expect(traceparentOf()).toBeUndefined();
    expect(withTraceparent(VALID, () => traceparentOf())).toBe(VALID);
    expect(withTraceparent("forged", () => traceparentOf())).toBeUndefined();
  });
});
