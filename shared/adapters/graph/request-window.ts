/**
 * A sliding window of request times: at most `limit` requests in any `windowMs`. Intune allows an app about
 * 1,000 requests per 20 seconds across its whole tenant; the semaphore bounds how many are in flight, this
 * bounds how many start, so fast answers cannot push the rate past the limit either. Pure: the caller
 * passes the time and does the waiting.
 */
export class RequestWindow {
  private readonly starts: number[] = [];
  readonly limit: number;
  readonly windowMs: number;

  constructor(limit: number, windowMs: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`request window limit must be ≥ 1, not ${limit}`);
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** How long to wait before a request may start at `now`; 0 means now. */
  delayAt(now: number): number {
    this.forget(now);
    const oldest = this.starts[0];
    return this.starts.length < this.limit || oldest === undefined ? 0 : oldest + this.windowMs - now;
  }

  /** Records a request started at `now`. */
  record(now: number): void {
    this.starts.push(now);
  }

  private forget(now: number): void {
    while (this.starts.length > 0 && (this.starts[0] ?? 0) <= now - this.windowMs) this.starts.shift();
  }
}
