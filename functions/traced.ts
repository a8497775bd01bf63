/**
 * The spans every queue and timer function runs in, wrapped once in functions/registry.ts so that both
 * hosts (the Functions host and `smimectl serve`) run every handler inside them. HTTP functions get theirs
 * from the router (shared/http/router.ts).
 *
 * A queue function's span continues the trace its message carries (the producer span of the publish that
 * sent it), else the invocation's (the Functions host's); a forged one starts a new trace. A timer run
 * continues the invocation's trace (each run has its own), so the events it publishes and the processing
 * they cause are one trace per run.
 */
import type { InvocationContext, ServiceBusQueueHandler, TimerHandler } from "@azure/functions";
import { SpanKind } from "@opentelemetry/api";
import { type QueueKey, Queues } from "../shared/contracts/queues.ts";
import { consuming, messageTraceparent } from "../shared/telemetry/messaging.ts";
import { inSpan } from "../shared/telemetry/spans.ts";
import { contextOf } from "../shared/telemetry/trace-context.ts";
import { receivedMessage } from "./invocation.ts";

/** `handler` run in a consumer span continuing its message's trace. */
export function tracedQueueHandler(
  functionName: string,
  queue: QueueKey,
  handler: ServiceBusQueueHandler,
): ServiceBusQueueHandler {
  return async (body: unknown, context: InvocationContext) => {
    const message = receivedMessage(body, context);
    return consuming(
      {
        queueName: Queues[queue].name,
        functionName,
        messageId: message.messageId,
        deliveryCount: message.deliveryCount,
        traceparent:
          messageTraceparent(message.applicationProperties) ?? context.traceContext?.traceParent ?? undefined,
      },
      async () => handler(body, context),
    );
  };
}

/** `handler` run in a span of its own: one trace per timer run. */
export function tracedTimerHandler(functionName: string, handler: TimerHandler): TimerHandler {
  return async (timer, context) =>
    inSpan(
      {
        name: `timer ${functionName}`,
        kind: SpanKind.INTERNAL,
        parent: contextOf(context.traceContext?.traceParent ?? undefined),
        attributes: { "faas.name": functionName, "faas.trigger": "timer" },
      },
      async () => handler(timer, context),
    );
}
