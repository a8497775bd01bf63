/**
 * Read-modify-write under optimistic concurrency: a conditional write that loses a race (ConflictError) is
 * redone from a fresh read, a few times, then handed to the bus as a retryable failure.
 */
import { ConflictError, RetryableError } from "../errors.ts";

/** Attempts per message before the bus's own redelivery takes over. */
export const WRITE_ATTEMPTS = 5;

/**
 * Runs `attempt` (which reads, decides and writes conditionally) until it does not throw ConflictError.
 * @throws RetryableError after `attempts` conflicts in a row: the record is hot; the bus retries later
 */
export async function withConflictRetry<T>(
  what: string,
  attempt: () => Promise<T>,
  attempts = WRITE_ATTEMPTS,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (i >= attempts)
        throw new RetryableError(`${what}: still conflicting after ${attempts} attempts`, undefined, {
          cause: error,
        });
    }
  }
}
