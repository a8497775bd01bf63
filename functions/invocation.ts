/**
 * What every function file shares: the deps of this invocation (the process's runtime, with a logger
 * carrying the function's name and invocation id), and the Service Bus message rebuilt from the trigger.
 */
import type { InvocationContext } from "@azure/functions";
import { z } from "zod";
import type { ReceivedMessage } from "../shared/ports.ts";
import { runtime } from "../shared/runtime.ts";
import { traceparentOf } from "../shared/telemetry/trace-context.ts";
import type { Deps } from "../shared/usecases/deps.ts";

/** The runtime's deps, logging with this invocation's ids (and the caller's trace, when there is one). */
export function depsFor(context: InvocationContext, fields: Record<string, unknown> = {}): Deps {
  const { deps } = runtime();
  // The span the function runs in (functions/traced.ts), so its log lines name the span they belong to.
  const traceParent = traceparentOf() ?? context.traceContext?.traceParent;
  return {
    ...deps,
    logger: deps.logger.child({
      functionName: context.functionName,
      invocationId: context.invocationId,
      ...(traceParent ? { traceparent: traceParent } : {}),
      ...fields,
    }),
  };
}

const Property = z.union([z.string(), z.number(), z.boolean()]);

/**
 * The Service Bus extension's trigger metadata (the names the Functions host and the local host give):
 * parsed, not trusted — a missing deliveryCount counts as the first delivery.
 */
const ServiceBusMetadata = z.object({
  messageId: z.coerce.string().default(""),
  sessionId: z.string().optional(),
  deliveryCount: z.coerce.number().int().positive().catch(1),
  enqueuedTimeUtc: z.coerce.date().catch(new Date(0)),
  applicationProperties: z.record(z.string(), z.unknown()).optional(),
  userProperties: z.record(z.string(), z.unknown()).optional(),
});

/** The message a queue handler was given, as the ReceivedMessage port. */
export function receivedMessage(body: unknown, context: InvocationContext): ReceivedMessage {
  const m = ServiceBusMetadata.parse(context.triggerMetadata ?? {});
  const raw = m.applicationProperties ?? m.userProperties ?? {};
  const applicationProperties = Object.fromEntries(
    Object.entries(raw).flatMap(([k, v]) => {
      const parsed = Property.safeParse(v);
      return parsed.success ? [[k, parsed.data]] : [];
    }),
  );
  return {
    messageId: m.messageId,
    ...(m.sessionId !== undefined && { sessionId: m.sessionId }),
    deliveryCount: m.deliveryCount,
    enqueuedAt: m.enqueuedTimeUtc,
    body,
    applicationProperties,
  };
}
