/**
 * Group commit: writes requested in the same turn of the event loop share one transaction, so concurrent
 * publishes and settlements pay for one fsync instead of one each. Every caller's promise settles only after
 * the commit (the durability promise), and each write runs under its own savepoint, so one failing write
 * rejects only its own caller.
 */
import type { DatabaseSync } from "node:sqlite";

interface PendingWrite {
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit {
  private pending: PendingWrite[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly db: DatabaseSync) {}

  /** Runs `write` inside the next shared transaction; resolves with its result once that is committed. */
  write<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run: write, resolve: resolve as (value: unknown) => void, reject });
      this.flushing ??= new Promise<void>((done) =>
        setImmediate(() => {
          this.flushing = undefined;
          this.flush();
          done();
        }),
      );
    });
  }

  /** Waits until every write requested so far is committed (or failed). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.db.exec("BEGIN IMMEDIATE");
      for (const write of batch) outcomes.push(this.runOne(write));
      this.db.exec("COMMIT");
    } catch (error) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
  }

  private runOne(write: PendingWrite): { ok: true; value: unknown } | { ok: false; error: unknown } {
    this.db.exec("SAVEPOINT one_write");
    try {
      const value = write.run();
      this.db.exec("RELEASE one_write");
      return { ok: true, value };
    } catch (error) {
      this.db.exec("ROLLBACK TO one_write");
      this.db.exec("RELEASE one_write");
      return { ok: false, error };
    }
  }
}
