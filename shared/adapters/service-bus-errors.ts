/**
 * Maps what the Service Bus SDK throws onto the errors that decide retry (shared/errors.ts). The SDK has
 * already retried transient failures itself (its retryOptions) by the time one surfaces here; it is still
 * transient, so the caller's message is abandoned and redelivered later rather than dead-lettered.
 */
import { isServiceBusError, type ServiceBusErrorCode } from "@azure/service-bus";
import { PermanentError, RetryableError } from "../errors.ts";

/** How long to wait after each transient code (Service Bus asks for 10 s after ServiceBusy). */
const RETRY_AFTER_MS: Partial<Record<ServiceBusErrorCode, number>> = {
  ServiceBusy: 10_000,
  ServiceTimeout: 5_000,
  ServiceCommunicationProblem: 5_000,
  // The namespace or queue is full: consumers are behind; give them a minute.
  QuotaExceeded: 60_000,
};

/** Node's network failures below the SDK (DNS, reset connections) are transient too. */
const TRANSIENT_SYSTEM_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EPIPE",
]);

function systemCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}

/**
 * The error to throw for a failed `action` (e.g. `send to "notifications"`): RetryableError for transient
 * trouble, PermanentError for a message the service will never take, the original error otherwise
 * (missing entity, no access: a configuration problem that retrying will not fix and an operator must see).
 */
export function toBusError(error: unknown, action: string): Error {
  if (error instanceof RetryableError || error instanceof PermanentError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isServiceBusError(error)) {
    const retryAfter = RETRY_AFTER_MS[error.code];
    if (retryAfter !== undefined)
      return new RetryableError(`Service Bus ${action}: ${error.code}: ${message}`, retryAfter, {
        cause: error,
      });
    if (error.code === "MessageSizeExceeded")
      return new PermanentError(`Service Bus ${action}: ${error.code}: ${message}`, { cause: error });
    return error;
  }
  const code = systemCode(error);
  if (code !== undefined && TRANSIENT_SYSTEM_CODES.has(code))
    return new RetryableError(`Service Bus ${action}: ${code}: ${message}`, undefined, { cause: error });
  if (
    error instanceof Error &&
    error.name === "MessagingError" &&
    "retryable" in error &&
    error.retryable === true
  )
    return new RetryableError(`Service Bus ${action}: ${message}`, undefined, { cause: error });
  return error instanceof Error ? error : new Error(message);
}

/** True for the SDK's "no such message" (cancelling a schedule that already fired or was cancelled). */
export function isMessageNotFound(error: unknown): boolean {
  return isServiceBusError(error) && error.code === "MessageNotFound";
}
