/**
 * Read-modify-write under optimistic concurrency: read the record and its ETag, compute the new record,
 * write it conditioned on that ETag (or on absence), and start over when another writer got there first.
 * Only the ports are used, so any store (and any use case) can use it.
 */
import { ConflictError } from "../../errors.ts";
import type { Versioned, WriteCondition } from "../../ports.ts";

export interface UpdateOptions {
  /** Tries before the ConflictError is let through (it is retryable: the bus redelivers). Default 8. */
  readonly attempts?: number;
  /** Base of the jittered back-off between tries. Default 20 ms. */
  readonly backoffMs?: number;
}

/**
 * Applies `mutate` to the current record until a conditional `put` succeeds. `mutate` sees `undefined`
 * when there is no record yet, may run several times (keep it pure), and returns `undefined` to write
 * nothing. Returns what is stored afterwards, with its ETag.
 */
export async function updateWithRetry<T>(
  get: () => Promise<Versioned<T> | undefined>,
  mutate: (current: T | undefined) => T | undefined | Promise<T | undefined>,
  put: (next: T, condition: WriteCondition) => Promise<string>,
  options: UpdateOptions = {},
): Promise<Versioned<T> | undefined> {
  const attempts = options.attempts ?? 8;
  const backoffMs = options.backoffMs ?? 20;
  for (let attempt = 1; ; attempt++) {
    const current = await get();
    const next = await mutate(current?.value);
    if (next === undefined) return current;
    const condition: WriteCondition = current ? { ifMatch: current.etag } : { ifAbsent: true };
    try {
      return { value: next, etag: await put(next, condition) };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= attempts) throw error;
      await sleep(Math.random() * backoffMs * 2 ** Math.min(attempt - 1, 6));
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
