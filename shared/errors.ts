/**
 * Errors that decide what happens to a message (STYLE.md principle 5): a transient failure is retried by
 * the bus; a permanent one is recorded and the message completes; anything else counts as a failed delivery
 * and ends in the dead-letter queue after the queue's max delivery count.
 */

/** Transient (429, 503, timeout, ETag race): abandon the message so the bus redelivers it later. */
export class RetryableError extends Error {
  constructor(
    message: string,
    /** How long to wait before the next attempt, when the cause says (e.g. Retry-After). */
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "RetryableError";
  }
}

/** Permanent (bad input, unknown user): retrying cannot help; record it and complete the message. */
export class PermanentError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PermanentError";
  }
}

/** A conditional write lost a race (ETag mismatch, or the row already exists). Retryable by nature. */
export class ConflictError extends RetryableError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, undefined, options);
    this.name = "ConflictError";
  }
}

/**
 * A message that can never be processed, whatever happens (not a CloudEvents envelope, an unknown event type,
 * data that breaks its schema). It is neither retryable nor permanent-and-recorded: it must end in the
 * dead-letter queue, with `reason` and the parse error as description, where ops can inspect it. A bus that
 * settles messages itself may dead-letter it at once; under Azure Functions' auto-complete it fails every
 * delivery and is dead-lettered after the queue's max delivery count.
 */
export class PoisonMessageError extends Error {
  constructor(
    /** A short reason code for the dead letter, e.g. "UnparseableEvent". */
    readonly reason: string,
    description: string,
    options?: ErrorOptions,
  ) {
    super(description, options);
    this.name = "PoisonMessageError";
  }
}
