/**
 * The in-process bus's durable state: every accepted message, lock, settlement and dead letter is a row in
 * one SQLite file (see sqlite.ts for why it is fsynced). All methods take `now` in epoch milliseconds from
 * the bus's clock, so tests drive time.
 */
import { randomUUID } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import type { QueueDefinition, QueueKey } from "../../contracts/queues.ts";
import { GroupCommit } from "./group-commit.ts";
import { prepareStatements, type Statements } from "./statements.ts";

/** A message to accept. */
export interface NewMessage {
  readonly messageId: string;
  readonly sessionId?: string;
  readonly body: unknown;
  readonly properties: Readonly<Record<string, string | number | boolean>>;
  /** When it becomes deliverable: now, or the scheduled enqueue time. */
  readonly readyAt: number;
}

/** A message locked for one delivery. */
export interface LockedMessage {
  readonly seq: number;
  readonly messageId: string;
  readonly sessionId?: string;
  readonly body: unknown;
  readonly properties: Readonly<Record<string, string | number | boolean>>;
  readonly readyAt: number;
  readonly deliveryCount: number;
  readonly lockToken: string;
}

export interface DeadLetter {
  readonly messageId: string;
  readonly reason: string;
  readonly description: string;
  readonly body: unknown;
}

const Properties = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
const json = z.string().transform((text) => JSON.parse(text) as unknown);

const CandidateRow = z.object({
  seq: z.number().int(),
  message_id: z.string(),
  session_id: z.string().nullable(),
  body: json,
  properties: json.pipe(Properties),
  ready_at: z.number().int(),
  delivery_count: z.number().int(),
});
const SeenRow = z.object({ seq: z.number().int(), first_at: z.number().int() });
const DepthRow = z.object({ active: z.number(), scheduled: z.number(), dead: z.number() });
const DeadRow = z.object({
  message_id: z.string(),
  dead_letter_reason: z.string(),
  dead_letter_description: z.string(),
  body: json,
});

/** Dead-letter reason when a message has failed its queue's maximum number of deliveries (Service Bus's own). */
export const MAX_DELIVERY_COUNT_EXCEEDED = "MaxDeliveryCountExceeded";

export class Journal {
  private readonly commits: GroupCommit;
  private readonly sql: Statements;

  constructor(
    private readonly db: DatabaseSync,
    private readonly queues: Readonly<Record<QueueKey, QueueDefinition>>,
  ) {
    this.commits = new GroupCommit(db);
    this.sql = prepareStatements(db);
  }

  /**
   * Accepts messages durably (resolves after the commit). A message whose id the queue saw within its
   * duplicate detection window is dropped, as Service Bus does; its result is the first one's sequence number.
   */
  accept(queue: QueueKey, messages: readonly NewMessage[], now: number): Promise<number[]> {
    return this.commits.write(() => messages.map((m) => this.acceptOne(queue, m, now)));
  }

  private acceptOne(queue: QueueKey, m: NewMessage, now: number): number {
    const window = this.queues[queue].duplicateDetectionWindowMs;
    if (window !== undefined) {
      const seen = this.sql.seen.get(queue, m.messageId);
      if (seen !== undefined) {
        const first = SeenRow.parse(seen);
        if (first.first_at > now - window) return first.seq;
      }
    }
    const { lastInsertRowid } = this.sql.insert.run(
      queue,
      m.messageId,
      m.sessionId ?? null,
      JSON.stringify(m.body),
      JSON.stringify(m.properties),
      m.readyAt,
    );
    const seq = Number(lastInsertRowid);
    if (window !== undefined) this.sql.remember.run(queue, m.messageId, seq, now);
    return seq;
  }

  /** Drops duplicate detection history older than each queue's window (space only: lookups check the age). */
  forgetOldIds(now: number): Promise<void> {
    return this.commits.write(() => {
      for (const [key, queue] of Object.entries(this.queues))
        if (queue.duplicateDetectionWindowMs !== undefined)
          this.sql.forget.run(key, now - queue.duplicateDetectionWindowMs);
    });
  }

  /**
   * Locks up to `max` deliverable messages in one transaction, oldest first, at most one per session on a
   * sessions queue. A message whose last delivery's lock expired after the maximum number of deliveries is
   * dead-lettered here instead of being delivered again.
   */
  claim(queue: QueueKey, max: number, now: number): LockedMessage[] {
    const definition = this.queues[queue];
    const claimed: LockedMessage[] = [];
    this.db.exec("BEGIN IMMEDIATE");
    try {
      while (claimed.length < max) {
        const found = definition.sessions
          ? this.sql.nextInSession.get(queue, now, now, queue, now)
          : this.sql.next.get(queue, now, now);
        if (found === undefined) break;
        const row = CandidateRow.parse(found);
        if (row.delivery_count >= definition.maxDeliveryCount) {
          const description = `the lock of delivery ${row.delivery_count} expired before the message was settled`;
          this.sql.deadLetterUnlocked.run(now, MAX_DELIVERY_COUNT_EXCEEDED, description, row.seq);
          continue;
        }
        const lockToken = randomUUID();
        this.sql.lock.run(lockToken, now + definition.lockDurationMs, row.seq);
        claimed.push({
          seq: row.seq,
          messageId: row.message_id,
          ...(row.session_id === null ? {} : { sessionId: row.session_id }),
          body: row.body,
          properties: row.properties,
          readyAt: row.ready_at,
          deliveryCount: row.delivery_count + 1,
          lockToken,
        });
      }
      this.db.exec("COMMIT");
    } catch (error) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw error;
    }
    return claimed;
  }

  /** Removes a handled message. False when its lock was lost (expired): it will be delivered again. */
  complete(m: LockedMessage, now: number): Promise<boolean> {
    return this.commits.write(() => this.sql.complete.run(m.seq, m.lockToken, now).changes === 1);
  }

  /** Releases the lock; the message is deliverable again at `retryAt`. False when the lock was lost. */
  abandon(m: LockedMessage, retryAt: number, error: string, now: number): Promise<boolean> {
    return this.commits.write(
      () => this.sql.abandon.run(retryAt, error, m.seq, m.lockToken, now).changes === 1,
    );
  }

  /** Moves the message to the dead-letter queue. False when the lock was lost. */
  deadLetter(m: LockedMessage, reason: string, description: string, now: number): Promise<boolean> {
    return this.commits.write(
      () =>
        this.sql.deadLetter.run(now, reason, description, description, m.seq, m.lockToken, now).changes === 1,
    );
  }

  /** Cancels a scheduled message that is not yet due. False when there is none (already due, or cancelled). */
  cancel(queue: QueueKey, seq: number, now: number): Promise<boolean> {
    return this.commits.write(() => this.sql.cancel.run(queue, seq, now).changes === 1);
  }

  /**
   * Called on open: locks held by a previous process are released at once (with their delivery counts kept)
   * instead of waiting out the lock duration; one process owns a journal file.
   */
  releaseLocks(): number {
    return Number(this.sql.release.run().changes);
  }

  depth(queue: QueueKey, now: number): { active: number; scheduled: number; deadLetter: number } {
    const row = DepthRow.parse(this.sql.depth.get(now, now, queue));
    return { active: row.active, scheduled: row.scheduled, deadLetter: row.dead };
  }

  peekDeadLetters(queue: QueueKey, max: number): DeadLetter[] {
    return this.sql.peekDead.all(queue, max).map((found) => {
      const row = DeadRow.parse(found);
      return {
        messageId: row.message_id,
        reason: row.dead_letter_reason,
        description: row.dead_letter_description,
        body: row.body,
      };
    });
  }

  /** Waits for every write requested so far to be committed. */
  flush(): Promise<void> {
    return this.commits.settled();
  }

  /** Closes the database; call after flush(). */
  close(): void {
    this.db.close();
  }
}
