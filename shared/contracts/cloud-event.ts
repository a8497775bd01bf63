/**
 * The CloudEvents 1.0 JSON envelope every pipeline event travels in (structured mode).
 * https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md
 */
import { z } from "zod";

/** Extension attribute names must be lower-case letters and digits (CloudEvents §3.1.1). */
export const CloudEventEnvelope = z.object({
  specversion: z.literal("1.0"),
  /** Derived from the event's content (see events.ts), so a replay is a duplicate; also the Service Bus messageId. */
  id: z.string().min(1).max(128),
  /** URI-reference of the producer, e.g. "/smime-lifecycle/syncIntune". */
  source: z.string().min(1),
  /** Dotted, past tense: "certificate.revoked". */
  type: z.string().min(1),
  /** What the event is about within the source, e.g. a certificate thumbprint. */
  subject: z.string().optional(),
  time: z.iso.datetime(),
  datacontenttype: z.literal("application/json"),
  /** The user's Entra object id: the Service Bus sessionId, so one user's events are handled in order. */
  userid: z.string().min(1).optional(),
  /** W3C trace context of the producer, carried so one trace spans HTTP → queue → processor. */
  traceparent: z.string().optional(),
  data: z.unknown(),
});

export type CloudEventEnvelope = z.infer<typeof CloudEventEnvelope>;
