/**
 * Fault injection for the end-to-end tests (SMIME_FAULT_RATE): fails a fraction of queue handler
 * invocations on purpose, half of them before the handler runs and half after it has done its work.
 *
 * Both halves matter. A failure before is a plain retry. A failure after is the hard case for idempotency:
 * the handler's writes and published events happened, yet the message is abandoned and delivered again, so
 * the second run must find its own traces and change nothing (no second notification, no second event).
 */
import { RetryableError } from "../errors.ts";

/** The error an injected fault throws: retryable, like the transient failures it stands for. */
export class InjectedFault extends RetryableError {
  constructor(readonly when: "before" | "after") {
    super(`injected fault (${when} the handler ran)`);
    this.name = "InjectedFault";
  }
}

export interface FaultOptions {
  /** 0 (never) to 1 (always). */
  readonly rate: number;
  /** Uniform in [0, 1); injectable so tests can decide each draw. */
  readonly random?: () => number;
}

/** Wraps a handler so that `rate` of its invocations fail; a rate of 0 returns the handler itself. */
export function withFaults<A extends unknown[], R>(
  handler: (...args: A) => Promise<R>,
  options: FaultOptions,
): (...args: A) => Promise<R> {
  if (options.rate <= 0) return handler;
  const random = options.random ?? Math.random;
  return async (...args: A) => {
    if (random() < options.rate) {
      // A second draw picks the side, so the total rate stays `rate` whichever side fails.
      if (random() < 0.5) throw new InjectedFault("before");
      await handler(...args);
      throw new InjectedFault("after");
    }
    return handler(...args);
  };
}
