/**
 * The trace context a published message carries: each publish, schedule and batch runs in a producer span,
 * and every message it sends carries that span's traceparent in its application properties (and on its
 * envelope, when the envelope has none) — on the in-process bus, read back as a consumer receives it, and
 * in the messages handed to the Service Bus SDK.
 */
import { type Span, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createInProcessBus, type InProcessBus } from "../../../shared/adapters/in-process-bus/bus.ts";
import { createServiceBusBus } from "../../../shared/adapters/service-bus.ts";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import type { EventBus, ReceivedMessage } from "../../../shared/ports.ts";
import { inSpan } from "../../../shared/telemetry/spans.ts";
import type { Telemetry } from "../../../shared/telemetry/start.ts";
import { certificateEvent, systemEvent } from "../../support/bus-events.ts";
import { FakeServiceBusClient } from "../../support/fake-service-bus.ts";
import { memoryTelemetry, spansOf, theSpan } from "../../support/telemetry.ts";

const CALLER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c";

let telemetry: Telemetry;
beforeAll(async () => {
  telemetry = await memoryTelemetry();
});

let inProcess: InProcessBus | undefined;
afterEach(async () => {
  await inProcess?.close();
  inProcess = undefined;
});

const traceparentOfSpan = (span: Pick<ReadableSpan, "spanContext">) =>
  `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;

/** Runs `work` in a server span, as a request would; answers the span with the trace's finished spans. */
async function inRequest(work: () => Promise<unknown>): Promise<{ request: Span; spans: ReadableSpan[] }> {
  let request: Span | undefined;
  await inSpan({ name: "POST /api/test", kind: SpanKind.SERVER }, async (span) => {
    request = span;
    await work();
  });
  const server = request as Span;
  return { request: server, spans: spansOf(telemetry, server.spanContext().traceId) };
}

/** What a consumer of the in-process bus receives from `queue` for the events published. */
function received(bus: InProcessBus, count: number): Promise<ReceivedMessage[]> {
  const got: ReceivedMessage[] = [];
  return new Promise((resolve) => {
    bus.subscribe(
      "certificateEvents",
      async (message) => {
        got.push(message);
        if (got.length === count) resolve(got);
      },
      { concurrency: 4 },
    );
  });
}

function openInProcess(): InProcessBus {
  inProcess = createInProcessBus({ file: ":memory:", pollIntervalMs: 5 });
  return inProcess;
}

interface Publication {
  readonly name: string;
  readonly events: () => CloudEventEnvelope[];
  readonly send: (bus: EventBus, events: CloudEventEnvelope[]) => Promise<unknown>;
}

const publications: Publication[] = [
  {
    name: "publish",
    events: () => [certificateEvent("trace-publish", "alice", 1)],
    send: (bus, [e]) => bus.publish("certificateEvents", e as CloudEventEnvelope),
  },
  {
    name: "publishMany",
    events: () => [
      certificateEvent("trace-many", "alice", 1),
      certificateEvent("trace-many", "bob", 2),
      systemEvent("trace-many", 3),
    ],
    send: (bus, events) => bus.publishMany("certificateEvents", events),
  },
  {
    name: "schedule (due now)",
    events: () => [certificateEvent("trace-schedule", "alice", 1)],
    send: (bus, [e]) => bus.schedule("certificateEvents", e as CloudEventEnvelope, new Date()),
  },
];

describe("in-process bus", () => {
  it.each(publications)(
    "$name: the producer span is the request's child, and every message carries it",
    async ({ events, send }) => {
      const bus = openInProcess();
      const sent = events();
      const receiving = received(bus, sent.length);
      const { request, spans } = await inRequest(() => send(bus, sent));
      const producer = theSpan(spans, SpanKind.PRODUCER, "send certificate-events");
      expect(producer.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(producer.attributes["messaging.destination.name"]).toBe("certificate-events");
      for (const message of await receiving) {
        expect(message.applicationProperties.traceparent).toBe(traceparentOfSpan(producer));
        expect(message.applicationProperties["Diagnostic-Id"]).toBe(traceparentOfSpan(producer));
        // The envelope had none: it carries the producer's too, for whoever reads only the body.
        expect((message.body as CloudEventEnvelope).traceparent).toBe(traceparentOfSpan(producer));
      }
    },
  );

  it("keeps an envelope's own traceparent, while the properties carry the producer span", async () => {
    const bus = openInProcess();
    const receiving = received(bus, 1);
    const { spans } = await inRequest(() =>
      bus.publish("certificateEvents", certificateEvent("trace-own", "alice", 1, CALLER)),
    );
    const producer = theSpan(spans, SpanKind.PRODUCER, "send certificate-events");
    const [message] = await receiving;
    expect(message?.applicationProperties.traceparent).toBe(traceparentOfSpan(producer));
    expect((message?.body as CloudEventEnvelope | undefined)?.traceparent).toBe(CALLER);
  });

  it("outside any span, continues the envelope's trace", async () => {
    const bus = openInProcess();
    const receiving = received(bus, 1);
    await bus.publish("certificateEvents", certificateEvent("trace-outside", "alice", 1, CALLER));
    const [message] = await receiving;
    const producer = theSpan(spansOf(telemetry, CALLER_TRACE), SpanKind.PRODUCER, "send certificate-events");
    expect(producer.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
    expect(message?.applicationProperties.traceparent).toBe(traceparentOfSpan(producer));
  });
});

describe("Service Bus messages", () => {
  it.each(publications)(
    "$name: every message handed to the SDK carries the producer span",
    async ({ events, send }) => {
      const client = new FakeServiceBusClient();
      const bus = createServiceBusBus({ client });
      const { request, spans } = await inRequest(() => send(bus, events()));
      const producer = theSpan(spans, SpanKind.PRODUCER, "send certificate-events");
      expect(producer.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      const sender = client.sender("certificate-events");
      const messages = [
        ...sender.sent.flatMap((c) => c.messages),
        ...[...sender.scheduled.values()].map((s) => s.message),
      ];
      expect(messages).toHaveLength(events().length);
      for (const m of messages) {
        expect(m.applicationProperties?.traceparent).toBe(traceparentOfSpan(producer));
        expect(m.applicationProperties?.["Diagnostic-Id"]).toBe(traceparentOfSpan(producer));
        expect((m.body as CloudEventEnvelope).traceparent).toBe(traceparentOfSpan(producer));
      }
    },
  );

  it("marks the producer span failed when the send fails, and the failure still reaches the caller", async () => {
    const client = new FakeServiceBusClient();
    const bus = createServiceBusBus({ client });
    await bus.publish("certificateEvents", certificateEvent("trace-fail", "alice", 0));
    client.sender("certificate-events").failNext = new Error("connection lost");
    let caught: unknown;
    const { spans } = await inRequest(async () => {
      await bus.publish("certificateEvents", certificateEvent("trace-fail", "alice", 1)).catch((e) => {
        caught = e;
      });
    });
    expect(caught).toBeInstanceOf(Error);
    const producer = theSpan(spans, SpanKind.PRODUCER, "send certificate-events");
    expect(producer.status.code).toBe(SpanStatusCode.ERROR);
  });
});
