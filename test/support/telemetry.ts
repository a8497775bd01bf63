/**
 * Reading the process's in-memory telemetry in tests: the spans of one trace, and one metric's data points
 * by attributes. Metrics are cumulative over the process, so tests compare a value before and after.
 */
import { SpanKind } from "@opentelemetry/api";
import type { Histogram, ResourceMetrics } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { parseSettings } from "../../shared/config.ts";
import { startTelemetry, type Telemetry } from "../../shared/telemetry/start.ts";

/** The process's telemetry, in memory (what local mode starts by default). */
export function memoryTelemetry(): Promise<Telemetry> {
  return startTelemetry(parseSettings({}).telemetry);
}

/** Every finished span of `traceId`, oldest first. */
export function spansOf(telemetry: Telemetry, traceId: string): ReadableSpan[] {
  return telemetry.spans().filter((s) => s.spanContext().traceId === traceId);
}

/** The one span of `spans` with this kind and name; fails the test when there is none or several. */
export function theSpan(spans: readonly ReadableSpan[], kind: SpanKind, name: string): ReadableSpan {
  const found = spans.filter((s) => s.kind === kind && s.name === name);
  if (found.length !== 1)
    throw new Error(
      `expected one ${SpanKind[kind]} span "${name}", found ${found.length} among ${spans
        .map((s) => `${SpanKind[s.kind]} ${s.name}`)
        .join(", ")}`,
    );
  return found[0] as ReadableSpan;
}

type Point = { readonly attributes: Record<string, unknown>; readonly value: unknown };

function pointsOf(metrics: ResourceMetrics | undefined, name: string): readonly Point[] {
  for (const scope of metrics?.scopeMetrics ?? [])
    for (const metric of scope.metrics)
      if (metric.descriptor.name === name) return metric.dataPoints as readonly Point[];
  return [];
}

function matches(point: Point, attributes: Record<string, unknown>): boolean {
  return Object.entries(attributes).every(([k, v]) => point.attributes[k] === v);
}

/** A counter's or gauge's value for these attributes now; 0 when nothing was recorded. */
export async function metricValue(
  telemetry: Telemetry,
  name: string,
  attributes: Record<string, unknown> = {},
): Promise<number> {
  const point = pointsOf(await telemetry.collectMetrics(), name).find((p) => matches(p, attributes));
  return typeof point?.value === "number" ? point.value : 0;
}

/** A histogram's state for these attributes now; undefined when nothing was recorded. */
export async function histogramOf(
  telemetry: Telemetry,
  name: string,
  attributes: Record<string, unknown> = {},
): Promise<Histogram | undefined> {
  const point = pointsOf(await telemetry.collectMetrics(), name).find((p) => matches(p, attributes));
  return point?.value as Histogram | undefined;
}
