/**
 * A counting semaphore: at most `limit` holders at once, the rest wait in arrival order. One is shared by every
 * call of a gateway, so the whole process stays under Intune's limit (about 1,000 requests per 20 s per app)
 * however many listings run side by side.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  readonly limit: number;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`semaphore limit must be ≥ 1, not ${limit}`);
    this.limit = limit;
  }

  /** Runs `task` while holding one slot. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `active` never dips and lets a newcomer jump the queue.
    if (next) next();
    else this.active--;
  }
}
