/**
 * A queue consumer on the in-process bus: claims messages under a peek-lock, runs the handler with at most
 * `concurrency` invocations in flight, and settles each by its outcome (settlement.ts).
 */
import type { QueueKey } from "../../contracts/queues.ts";
import type { Logger, ReceivedMessage } from "../../ports.ts";
import type { Journal, LockedMessage } from "./journal.ts";
import { type BackoffPolicy, decideSettlement, type HandlerOutcome } from "./settlement.ts";

export type MessageHandler = (message: ReceivedMessage) => Promise<void>;

export interface SubscribeOptions {
  /** Handler invocations in flight at once (default 1). On a sessions queue, one per session at most. */
  readonly concurrency?: number;
}

export interface Subscription {
  /** Stops taking new messages and resolves once every in-flight invocation is settled. */
  close(): Promise<void>;
}

export interface ConsumerContext {
  readonly journal: Journal;
  readonly now: () => number;
  readonly random: () => number;
  readonly backoff: BackoffPolicy;
  readonly maxDeliveryCount: number;
  readonly pollIntervalMs: number;
  readonly logger?: Logger;
}

function toReceived(m: LockedMessage): ReceivedMessage {
  return {
    messageId: m.messageId,
    ...(m.sessionId === undefined ? {} : { sessionId: m.sessionId }),
    deliveryCount: m.deliveryCount,
    enqueuedAt: new Date(m.readyAt),
    body: m.body,
    applicationProperties: m.properties,
  };
}

export class Consumer implements Subscription {
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pumpQueued = false;
  private closed = false;

  constructor(
    private readonly queue: QueueKey,
    private readonly handler: MessageHandler,
    private readonly concurrency: number,
    private readonly ctx: ConsumerContext,
  ) {}

  /** Looks for work soon (a publish happened, a slot freed up, or the poll timer fired). */
  wake(): void {
    if (this.closed || this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private pump(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    const free = this.concurrency - this.inFlight.size;
    if (free > 0) {
      let claimed: LockedMessage[] = [];
      try {
        claimed = this.ctx.journal.claim(this.queue, free, this.ctx.now());
      } catch (error) {
        this.ctx.logger?.error("bus: claiming messages failed", { queue: this.queue, error: String(error) });
      }
      for (const message of claimed) this.track(this.deliver(message));
    }
    // Scheduled messages coming due, back-offs and expired locks are found by polling; publishes wake at once.
    this.timer = setTimeout(() => this.pump(), this.ctx.pollIntervalMs);
    this.timer.unref();
  }

  private track(task: Promise<void>): void {
    this.inFlight.add(task);
    void task.finally(() => {
      this.inFlight.delete(task);
      this.wake();
    });
  }

  private async deliver(message: LockedMessage): Promise<void> {
    let outcome: HandlerOutcome;
    try {
      await this.handler(toReceived(message));
      outcome = { ok: true };
    } catch (error) {
      outcome = { ok: false, error };
    }
    try {
      await this.settle(message, outcome);
    } catch (error) {
      // The lock simply runs out and the message is delivered again: nothing is lost.
      this.ctx.logger?.error("bus: settling a message failed", {
        ...this.fields(message),
        error: String(error),
      });
    }
  }

  private async settle(message: LockedMessage, outcome: HandlerOutcome): Promise<void> {
    const { journal, now, random, backoff, maxDeliveryCount, logger } = this.ctx;
    const decision = decideSettlement(outcome, message.deliveryCount, maxDeliveryCount, backoff, random);
    const at = now();
    let held: boolean;
    if (decision.kind === "complete") held = await journal.complete(message, at);
    else if (decision.kind === "abandon")
      held = await journal.abandon(message, at + decision.delayMs, decision.error, at);
    else {
      held = await journal.deadLetter(message, decision.reason, decision.description, at);
      if (held) logger?.warn("bus: message dead-lettered", { ...this.fields(message), ...decision });
    }
    if (!held)
      logger?.warn(
        "bus: lock lost before settlement; the message will be delivered again",
        this.fields(message),
      );
  }

  private fields(message: LockedMessage): Record<string, unknown> {
    return { queue: this.queue, messageId: message.messageId, deliveryCount: message.deliveryCount };
  }
}
