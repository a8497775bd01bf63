/**
 * The pipeline's metrics, recorded where each fact is decided (one call at each place):
 *
 * | metric | kind | attributes | recorded by |
 * |---|---|---|---|
 * | `smime.certificates` | gauge | `state` | the status query and the daily expiry scan, which count the inventory |
 * | `smime.certificate.days_to_expiry` | histogram (days) | — | the daily expiry scan, once per live certificate |
 * | `smime.notifications.sent` | counter | `channel` | onNotification, when a channel's notice went out |
 * | `smime.notifications.failed` | counter | `channel` | onNotification, when a channel failed for good |
 * | `smime.crl.fetch_failures` | counter | `server.address` | the hourly CRL check, per endpoint not fetched |
 * | `smime.deadletters` | observable gauge | `queue` | read from the bus's dead-letter depth at each export |
 *
 * Instruments come from the global meter, made again when the global meter changes (telemetry started
 * after a first recording), so a recording before `startTelemetry` is dropped rather than lost forever.
 * The state lives on `globalThis`: one process has one meter provider, however often this module is loaded.
 */
import {
  type Counter,
  type Gauge,
  type Histogram,
  type Meter,
  metrics,
  type ObservableGauge,
  type ObservableResult,
} from "@opentelemetry/api";
import { type QueueKey, Queues } from "../contracts/queues.ts";
import type { QueueStats } from "../ports.ts";
import { INSTRUMENTATION_SCOPE } from "./spans.ts";

export const MetricNames = {
  certificates: "smime.certificates",
  daysToExpiry: "smime.certificate.days_to_expiry",
  notificationsSent: "smime.notifications.sent",
  notificationsFailed: "smime.notifications.failed",
  crlFetchFailures: "smime.crl.fetch_failures",
  deadLetters: "smime.deadletters",
} as const;

/** Bucket edges in days: the expiry thresholds and the dashboard's 90-day horizon. */
const DAYS_TO_EXPIRY_BUCKETS = [1, 7, 14, 30, 60, 90, 180, 365, 730];

interface Instruments {
  readonly certificates: Gauge;
  readonly daysToExpiry: Histogram;
  readonly notificationsSent: Counter;
  readonly notificationsFailed: Counter;
  readonly crlFetchFailures: Counter;
  readonly deadLetters: ObservableGauge;
}

interface MetricsState {
  meter?: Meter;
  instruments?: Instruments;
  /** Where dead-letter depths are read: the runtime's bus, set by the host once it has one. */
  queueStats?: () => QueueStats;
}

const STATE = Symbol.for("smime-lifecycle.telemetry.metrics");

function state(): MetricsState {
  const g = globalThis as { [STATE]?: MetricsState };
  g[STATE] ??= {};
  return g[STATE];
}

function create(meter: Meter, s: MetricsState): Instruments {
  const deadLetters = meter.createObservableGauge(MetricNames.deadLetters, {
    description: "Messages waiting in a queue's dead-letter queue",
    unit: "{message}",
  });
  deadLetters.addCallback((result) => observeDeadLetters(s, result));
  return {
    certificates: meter.createGauge(MetricNames.certificates, {
      description: "Certificates in the inventory by lifecycle state",
      unit: "{certificate}",
    }),
    daysToExpiry: meter.createHistogram(MetricNames.daysToExpiry, {
      description: "Days until each live certificate expires, at the daily expiry scan",
      unit: "d",
      advice: { explicitBucketBoundaries: DAYS_TO_EXPIRY_BUCKETS },
    }),
    notificationsSent: meter.createCounter(MetricNames.notificationsSent, {
      description: "Notices delivered to users, by channel",
      unit: "{notification}",
    }),
    notificationsFailed: meter.createCounter(MetricNames.notificationsFailed, {
      description: "Notices that failed for good, by channel",
      unit: "{notification}",
    }),
    crlFetchFailures: meter.createCounter(MetricNames.crlFetchFailures, {
      description: "CRL fetches that failed, by endpoint host",
      unit: "{fetch}",
    }),
    deadLetters,
  };
}

/** The instruments on the current global meter. */
function instruments(): Instruments {
  const s = state();
  const meter = metrics.getMeter(INSTRUMENTATION_SCOPE);
  if (s.meter !== meter || !s.instruments) {
    s.meter = meter;
    s.instruments = create(meter, s);
  }
  return s.instruments;
}

/** Makes the instruments on the global meter now (telemetry start), so the observable gauge is reported. */
export function createInstruments(): void {
  instruments();
}

async function observeDeadLetters(s: MetricsState, result: ObservableResult): Promise<void> {
  let stats: QueueStats | undefined;
  try {
    stats = s.queueStats?.();
  } catch {
    return; // no runtime yet (a bad setting is reported by the first invocation)
  }
  if (!stats) return;
  await Promise.all(
    (Object.keys(Queues) as QueueKey[]).map(async (key) => {
      // A queue whose depth cannot be read (no Manage right) is left out, not reported as empty.
      const depth = await stats.depth(key).catch(() => undefined);
      if (depth) result.observe(depth.deadLetter, { queue: Queues[key].name });
    }),
  );
}

/** Reads dead-letter depths from this bus from now on (the host's runtime). */
export function watchDeadLetters(queueStats: () => QueueStats): void {
  state().queueStats = queueStats;
  instruments();
}

/** The inventory's count of certificates in each state, as just counted. */
export function recordCertificateStates(byState: Readonly<Record<string, number>>): void {
  const gauge = instruments().certificates;
  for (const [s, count] of Object.entries(byState)) gauge.record(count, { state: s });
}

/** One live certificate's days until expiry (not negative: an expired one is counted by state). */
export function recordDaysToExpiry(days: number): void {
  if (days >= 0) instruments().daysToExpiry.record(days);
}

/** A notice's outcome on a channel; a repeat (a redelivery finding it settled) is not counted again. */
export function recordNotification(
  channel: string,
  outcome: { readonly status: string; readonly repeated?: boolean },
): void {
  if (outcome.repeated) return;
  if (outcome.status === "sent") instruments().notificationsSent.add(1, { channel });
  else if (outcome.status === "failed") instruments().notificationsFailed.add(1, { channel });
}

/** A CRL endpoint that could not be fetched (unreachable, refused, not a CRL). */
export function recordCrlFetchFailure(url: string): void {
  instruments().crlFetchFailures.add(1, { "server.address": hostOf(url) });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "invalid-url";
  }
}
