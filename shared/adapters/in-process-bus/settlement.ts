/**
 * What happens to a message after its handler ran: the same rules as a Service Bus peek-lock receiver.
 * Pure: the outcome, the delivery count and the random draw for jitter are passed in.
 */
import { PermanentError, PoisonMessageError, RetryableError } from "../../errors.ts";
import { MAX_DELIVERY_COUNT_EXCEEDED } from "./journal.ts";

export type Settlement =
  | { readonly kind: "complete" }
  | { readonly kind: "abandon"; readonly delayMs: number; readonly error: string }
  | { readonly kind: "deadLetter"; readonly reason: string; readonly description: string };

export type HandlerOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

export interface BackoffPolicy {
  /** The first retry's delay before jitter. */
  readonly baseMs: number;
  /** No computed delay exceeds this. */
  readonly maxMs: number;
  /** A RetryableError's own `retryAfterMs` is honoured up to this. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000, maxRetryAfterMs: 15 * 60_000 };

/** Service Bus stores at most 4 KB per property; longer error texts are cut. */
const MAX_DESCRIPTION = 1_024;

/** The error's message, as recorded in `deadLetterErrorDescription`. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}

/**
 * Exponential back-off with "equal jitter": attempt n waits between half and all of min(max, base·2^(n-1)),
 * so retries of a burst of failures spread out instead of returning together.
 */
export function backoffDelay(deliveryCount: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, deliveryCount - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * - resolved → complete;
 * - PermanentError → complete: retrying cannot help, and the handler (the use case) is the one that records
 *   the failure (an event, a ledger row) before throwing, so completing loses nothing;
 * - PoisonMessageError → dead-letter at once with its own reason: it can never be processed, and waiting for
 *   the max delivery count would let a transient error on the last delivery hide why;
 * - any other failure on the queue's last allowed delivery → dead-letter with reason
 *   "MaxDeliveryCountExceeded" and the error as description;
 * - RetryableError → abandon after its `retryAfterMs`, or exponential back-off with jitter;
 * - any other error → abandon at once (Service Bus's own abandon has no delay).
 */
export function decideSettlement(
  outcome: HandlerOutcome,
  deliveryCount: number,
  maxDeliveryCount: number,
  policy: BackoffPolicy,
  random: () => number,
): Settlement {
  if (outcome.ok || outcome.error instanceof PermanentError) return { kind: "complete" };
  const error = describeError(outcome.error);
  if (outcome.error instanceof PoisonMessageError)
    return { kind: "deadLetter", reason: outcome.error.reason, description: error };
  if (deliveryCount >= maxDeliveryCount)
    return { kind: "deadLetter", reason: MAX_DELIVERY_COUNT_EXCEEDED, description: error };
  if (!(outcome.error instanceof RetryableError)) return { kind: "abandon", delayMs: 0, error };
  const { retryAfterMs } = outcome.error;
  const delayMs =
    retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0
      ? Math.min(retryAfterMs, policy.maxRetryAfterMs)
      : backoffDelay(deliveryCount, policy, random);
  return { kind: "abandon", delayMs, error };
}
