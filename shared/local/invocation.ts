/**
 * Invocation contexts for functions the local host runs: the `@azure/functions` `InvocationContext` itself
 * (its constructor is public for hosts and tests), so a handler sees the same type, the same trigger
 * metadata names and the same logging methods as under the Functions host, and its `context.log` lines
 * land in the structured log with the invocation id.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { format } from "node:util";
import azureFunctions, { type InvocationContext, type LogLevel } from "@azure/functions";
import type { JsonLogger } from "../adapters/logger.ts";
import type { ReceivedMessage } from "../ports.ts";

// The package is CommonJS with exports Node cannot detect statically: take the class off the default export.

export interface ContextRequest {
  readonly functionName: string;
  readonly logger: JsonLogger;
  readonly triggerMetadata?: Record<string, unknown>;
  /** W3C traceparent of the caller or message, carried on so one trace spans HTTP → queue → processor. */
  readonly traceParent?: string;
  /** Correlates this invocation's log lines with the request or event that caused it. */
  readonly correlationId?: string;
  readonly invocationId?: string;
}

function write(logger: JsonLogger, level: LogLevel, args: readonly unknown[]): void {
  const message = format(...args);
  if (level === "none") return;
  if (level === "trace" || level === "debug") logger.debug(message);
  else if (level === "information") logger.info(message);
  else if (level === "warning") logger.warn(message);
  else logger.error(message);
}

/** A W3C trace context header with a new random trace id and span id, sampled. */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;
}

/** A context whose log methods write JSON lines carrying the invocation and correlation ids. */
export function createInvocationContext(request: ContextRequest): InvocationContext {
  const invocationId = request.invocationId ?? randomUUID();
  const logger = request.logger.child({
    functionName: request.functionName,
    invocationId,
    ...(request.correlationId ? { correlationId: request.correlationId } : {}),
  });
  return new azureFunctions.InvocationContext({
    invocationId,
    functionName: request.functionName,
    logHandler: (level, ...args) => write(logger, level, args),
    // Like the Functions host, every invocation runs in a trace: the caller's, or a new one.
    traceContext: { traceParent: request.traceParent ?? newTraceparent() },
    ...(request.triggerMetadata ? { triggerMetadata: request.triggerMetadata } : {}),
  });
}

/**
 * The trigger metadata the Functions Service Bus extension gives a queue handler (the names it uses), for
 * a message from the in-process bus.
 */
export function serviceBusMetadata(message: ReceivedMessage): Record<string, unknown> {
  return {
    messageId: message.messageId,
    deliveryCount: message.deliveryCount,
    enqueuedTimeUtc: message.enqueuedAt.toISOString(),
    ...(message.sessionId === undefined ? {} : { sessionId: message.sessionId }),
    applicationProperties: { ...message.applicationProperties },
    userProperties: { ...message.applicationProperties },
  };
}
