/**
 * How an event travels as a message, on Service Bus and on the in-process bus alike (so a consumer sees the
 * same fields in local mode as in Azure). No SDK import: the adapters turn this into their own message type.
 *
 * The body is the whole CloudEvents envelope (structured content mode, hence the cloudevents+json content
 * type). The attributes are also copied into application properties with the `cloudEvents:` prefix of the
 * CloudEvents AMQP binding, so subscription filters, Service Bus Explorer and the dead-letter view can read
 * the type, source and id without parsing the body.
 */
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import { type QueueKey, Queues, SYSTEM_SESSION } from "../contracts/queues.ts";

export const CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";

/** The application property names the adapters set (the CloudEvents AMQP binding's prefix, W3C and Azure trace names). */
export const MessageProperty = {
  specversion: "cloudEvents:specversion",
  type: "cloudEvents:type",
  source: "cloudEvents:source",
  id: "cloudEvents:id",
  time: "cloudEvents:time",
  subject: "cloudEvents:subject",
  userid: "cloudEvents:userid",
  /** W3C trace context, as OpenTelemetry propagators read it. */
  traceparent: "traceparent",
  /** The same trace context under the name the Azure SDKs and Application Insights use on Service Bus. */
  diagnosticId: "Diagnostic-Id",
} as const;

export interface OutgoingMessage {
  /** The event id: duplicate detection drops a replay. */
  readonly messageId: string;
  /** The user's object id; SYSTEM_SESSION on a sessions queue for an event about no user. */
  readonly sessionId?: string;
  /** The event type, e.g. "certificate.revoked". */
  readonly subject: string;
  readonly contentType: typeof CLOUDEVENTS_CONTENT_TYPE;
  readonly body: CloudEventEnvelope;
  readonly applicationProperties: Readonly<Record<string, string>>;
}

/** The session a message is ordered in: the event's user, or SYSTEM_SESSION where the queue requires one. */
export function sessionIdFor(queue: QueueKey, event: CloudEventEnvelope): string | undefined {
  return event.userid ?? (Queues[queue].sessions ? SYSTEM_SESSION : undefined);
}

/**
 * The message carrying `event` on `queue`. `traceparent` is the trace context the message continues (the
 * publish's producer span, shared/telemetry/messaging.ts); the envelope's own by default.
 */
export function toOutgoingMessage(
  queue: QueueKey,
  event: CloudEventEnvelope,
  traceparent: string | undefined = event.traceparent,
): OutgoingMessage {
  const properties: Record<string, string> = {
    [MessageProperty.specversion]: event.specversion,
    [MessageProperty.type]: event.type,
    [MessageProperty.source]: event.source,
    [MessageProperty.id]: event.id,
    [MessageProperty.time]: event.time,
  };
  if (event.subject !== undefined) properties[MessageProperty.subject] = event.subject;
  if (event.userid !== undefined) properties[MessageProperty.userid] = event.userid;
  if (traceparent !== undefined) {
    properties[MessageProperty.traceparent] = traceparent;
    properties[MessageProperty.diagnosticId] = traceparent;
  }
  const sessionId = sessionIdFor(queue, event);
  return {
    messageId: event.id,
    ...(sessionId === undefined ? {} : { sessionId }),
    subject: event.type,
    contentType: CLOUDEVENTS_CONTENT_TYPE,
    body: event,
    applicationProperties: properties,
  };
}
