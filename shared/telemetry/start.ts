/**
 * Telemetry, set up once per process (DESIGN.md "Real parts": OpenTelemetry → Application Insights in
 * Azure, console or in-memory locally). The code records through the global OpenTelemetry API only
 * (spans.ts, metrics.ts); this file decides where it goes:
 * - APPLICATIONINSIGHTS_CONNECTION_STRING set (the Function App): the Azure Monitor distro exports traces
 *   and metrics to Application Insights;
 * - otherwise the in-process SDK: the recent spans and the metrics kept in memory (`memory`, the default,
 *   quiet), and with `console` also printed (spans as they end, metrics every minute).
 *
 * Either way the W3C trace context propagator and the async-hooks context manager are installed, so the
 * active span follows every await and a publish continues the trace of the request or message causing it.
 *
 * A second call (another local host in the same process, a test) returns the first call's telemetry.
 */
import { context, metrics, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  ConsoleMetricExporter,
  MeterProvider,
  MetricReader,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import type { TelemetrySettings } from "../config.ts";
import type { QueueStats } from "../ports.ts";
import { createInstruments, watchDeadLetters } from "./metrics.ts";
import { RecentSpans } from "./recent-spans.ts";
import { INSTRUMENTATION_SCOPE } from "./spans.ts";

export interface Telemetry {
  /** Where traces and metrics go. */
  readonly destination: "applicationInsights" | "memory" | "console";
  /** The recent finished spans kept in process, oldest first (none when they go to Application Insights). */
  spans(): readonly ReadableSpan[];
  /** The metrics as they stand now (undefined when they go to Application Insights). */
  collectMetrics(): Promise<ResourceMetrics | undefined>;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** A reader collecting only when asked: the in-memory view of the metrics. */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const STARTED = Symbol.for("smime-lifecycle.telemetry.started");
const CONSOLE_METRICS_INTERVAL_MS = 60_000;

/**
 * Starts telemetry for this process as `settings` say; once (see the file comment).
 * @param queueStats where `smime.deadletters` reads the dead-letter depths: the host's bus
 */
export async function startTelemetry(
  settings: TelemetrySettings,
  queueStats?: () => QueueStats,
): Promise<Telemetry> {
  const g = globalThis as { [STARTED]?: Promise<Telemetry> };
  g[STARTED] ??= settings.appInsightsConnectionString
    ? startAzureMonitor(settings.appInsightsConnectionString)
    : Promise.resolve(startInProcess(settings.exporter));
  const telemetry = await g[STARTED];
  if (queueStats) watchDeadLetters(queueStats);
  else createInstruments();
  return telemetry;
}

async function startAzureMonitor(connectionString: string): Promise<Telemetry> {
  // Loaded only here: the distro pulls in the whole Node SDK, which local mode does not need.
  const { useAzureMonitor, shutdownAzureMonitor } = await import("@azure/monitor-opentelemetry");
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    // Every trace kept, not the distro's default of 5 a second: the pipeline's volume is a few events per
    // certificate change, and a trace cut by a rate limit cannot answer "what happened to Alice's notice?".
    samplingRatio: 1,
    tracesPerSecond: 0,
  });
  return {
    destination: "applicationInsights",
    spans: () => [],
    collectMetrics: async () => undefined,
    shutdown: shutdownAzureMonitor,
  };
}

function startInProcess(exporter: TelemetrySettings["exporter"]): Telemetry {
  const resource = resourceFromAttributes({ "service.name": INSTRUMENTATION_SCOPE });
  const recent = new RecentSpans();
  const spanProcessors: SpanProcessor[] = [new SimpleSpanProcessor(recent)];
  const reader = new OnDemandReader();
  const readers: MetricReader[] = [reader];
  if (exporter === "console") {
    spanProcessors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new ConsoleMetricExporter(),
        exportIntervalMillis: CONSOLE_METRICS_INTERVAL_MS,
      }),
    );
  }
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors });
  const meterProvider = new MeterProvider({ resource, readers });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    destination: exporter,
    spans: () => recent.spans(),
    async collectMetrics() {
      return (await reader.collect()).resourceMetrics;
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}
