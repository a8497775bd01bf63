/**
 * When to retry a Graph request and how long to wait: pure, so the rules are tested without a clock.
 * Graph asks throttled callers (429) and some overloaded services (503, 504) to wait as long as `Retry-After`
 * says; without it, exponential back-off with full jitter spreads the retries of many callers apart.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** The first back-off's ceiling; doubled on each further attempt. */
  readonly baseDelayMs: number;
  /** No single back-off is longer. */
  readonly maxDelayMs: number;
  /**
   * A Retry-After longer than this is not slept through in-process: the call fails at once with a
   * RetryableError carrying it, and the bus redelivers the message when the time has come.
   */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/** The statuses that say "later": throttled, unavailable, gateway timeout; and the other 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Parses `Retry-After`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined when absent or unreadable;
 * never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names its day and month ("Sat, 28 Nov 2026 12:00:30 GMT"); a bare "-5" is no date,
  // though Date.parse would take it for a year.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** Full-jitter exponential back-off for attempt n (1 = after the first failure); `random` in [0, 1). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random * ceiling);
}
