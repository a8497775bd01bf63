/**
 * The queue half of one trace across HTTP → queue → processor. A publish runs in a producer span whose
 * trace context each message carries in its application properties (the bus adapters write it); the
 * function handling a message runs in a consumer span whose parent is that context. So a request, the events
 * it publishes and the processor runs that handle them share one trace id, on Service Bus as on the
 * in-process bus, across redeliveries too (the properties travel with the message).
 *
 * Attribute names are OpenTelemetry's messaging conventions, so Application Insights shows the spans as
 * Service Bus dependencies and requests.
 */
import { type Attributes, context, SpanKind } from "@opentelemetry/api";
import { MessageProperty } from "../adapters/service-bus-message.ts";
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import { inSpan } from "./spans.ts";
import { contextOf, hasSpan, traceparentOf } from "./trace-context.ts";

const SYSTEM = "servicebus";

/**
 * Runs `send` in a producer span for `events` on the queue `queueName`. `send` gets the events with the
 * span's traceparent on each envelope that has none, and the traceparent itself for the messages'
 * application properties (undefined when no trace is being recorded or continued).
 */
export function publishing<T>(
  queueName: string,
  events: readonly CloudEventEnvelope[],
  send: (stamped: CloudEventEnvelope[], traceparent: string | undefined) => Promise<T>,
): Promise<T> {
  if (events.length === 0) return send([], undefined);
  const attributes: Attributes = {
    "messaging.system": SYSTEM,
    "messaging.operation.type": "send",
    "messaging.operation.name": "send",
    "messaging.destination.name": queueName,
    ...(events.length === 1
      ? { "messaging.message.id": events[0]!.id, "cloudevents.event_type": events[0]!.type }
      : { "messaging.batch.message_count": events.length }),
  };
  // Outside any span (a tool, a test), the envelope's own trace context is the one to continue.
  const parent = hasSpan() ? context.active() : contextOf(events[0]?.traceparent);
  return inSpan({ name: `send ${queueName}`, kind: SpanKind.PRODUCER, attributes, parent }, () => {
    const traceparent = traceparentOf();
    const stamped = events.map((e) =>
      e.traceparent === undefined && traceparent !== undefined ? { ...e, traceparent } : e,
    );
    return send(stamped, traceparent);
  });
}

/** What a consumer span says about the message it handles. */
export interface ConsumedMessage {
  readonly queueName: string;
  /** The function handling it: "onCertificateEvent". */
  readonly functionName: string;
  readonly messageId: string;
  readonly deliveryCount: number;
  /** The producer's trace context from the message; a missing or forged one starts a new trace. */
  readonly traceparent: string | undefined;
}

/** Runs `work` in a consumer span continuing the message's trace. */
export function consuming<T>(message: ConsumedMessage, work: () => Promise<T>): Promise<T> {
  return inSpan(
    {
      name: `process ${message.queueName}`,
      kind: SpanKind.CONSUMER,
      parent: contextOf(message.traceparent),
      attributes: {
        "messaging.system": SYSTEM,
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.destination.name": message.queueName,
        "messaging.message.id": message.messageId,
        "messaging.servicebus.message.delivery_count": message.deliveryCount,
        "faas.name": message.functionName,
        "faas.trigger": "pubsub",
      },
    },
    work,
  );
}

/** The trace context a received message carries: W3C `traceparent`, else the Azure SDKs' `Diagnostic-Id`. */
export function messageTraceparent(properties: Readonly<Record<string, unknown>>): string | undefined {
  const value = properties[MessageProperty.traceparent] ?? properties[MessageProperty.diagnosticId];
  return typeof value === "string" ? value : undefined;
}
