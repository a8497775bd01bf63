/**
 * The in-process bus: the EventBus and QueueStats ports with Service Bus semantics (peek-lock, delivery
 * count, abandon with back-off, dead-lettering after the max delivery count, duplicate detection, scheduled
 * messages, FIFO per session), durable in one SQLite file. Local mode and the tests use it; Azure uses
 * Service Bus (../service-bus.ts).
 *
 * Durability: publish, schedule, cancel and every settlement resolve only after their transaction is
 * committed and fsynced (sqlite.ts). After a crash, reopening the file finds every accepted message; ones
 * that were locked become deliverable again at once with their delivery count kept.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { CloudEventEnvelope } from "../../contracts/cloud-event.ts";
import { type QueueDefinition, type QueueKey, Queues } from "../../contracts/queues.ts";
import type { Clock, EventBus, Logger, QueueStats } from "../../ports.ts";
import { publishing } from "../../telemetry/messaging.ts";
import { toOutgoingMessage } from "../service-bus-message.ts";
import { Consumer, type MessageHandler, type SubscribeOptions, type Subscription } from "./consumer.ts";
import { Journal, type NewMessage } from "./journal.ts";
import { type BackoffPolicy, DEFAULT_BACKOFF } from "./settlement.ts";
import { openJournalDatabase } from "./sqlite.ts";

export type { MessageHandler, SubscribeOptions, Subscription } from "./consumer.ts";
export type { BackoffPolicy } from "./settlement.ts";

/** The journal's file name inside `dataDir`. */
export const JOURNAL_FILE = "bus.sqlite";

export interface InProcessBusOptions {
  /** A directory for the journal (created if missing): `<dataDir>/bus.sqlite`. */
  readonly dataDir?: string;
  /** Or the journal file itself (":memory:" for a bus that need not survive the process). */
  readonly file?: string;
  readonly clock?: Clock;
  /** Jitter source for back-off, in [0, 1). */
  readonly random?: () => number;
  readonly backoff?: Partial<BackoffPolicy>;
  /** How often an idle consumer looks for scheduled messages coming due, ended back-offs and lost locks. */
  readonly pollIntervalMs?: number;
  /** Per-queue overrides of queues.ts (e.g. a short lock duration in a test). */
  readonly queues?: { readonly [K in QueueKey]?: Partial<Omit<QueueDefinition, "name" | "sessions">> };
  readonly logger?: Logger;
}

/** Consumes a queue: what the local host wires each queue-triggered function to. */
export interface BusConsumer {
  subscribe(queue: QueueKey, handler: MessageHandler, options?: SubscribeOptions): Subscription;
}

export interface InProcessBus extends EventBus, QueueStats, BusConsumer {
  /** Closes every subscription (waiting for in-flight handlers), then the journal. */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };
const FORGET_EVERY_MS = 60_000;

function journalFile(options: InProcessBusOptions): string {
  if (options.file !== undefined) return options.file;
  if (options.dataDir === undefined) throw new TypeError("createInProcessBus needs a dataDir or a file");
  mkdirSync(options.dataDir, { recursive: true });
  return join(options.dataDir, JOURNAL_FILE);
}

function resolveQueues(options: InProcessBusOptions): Record<QueueKey, QueueDefinition> {
  const keys = Object.keys(Queues) as QueueKey[];
  return Object.fromEntries(keys.map((k) => [k, { ...Queues[k], ...options.queues?.[k] }])) as Record<
    QueueKey,
    QueueDefinition
  >;
}

function toNewMessage(
  queue: QueueKey,
  event: CloudEventEnvelope,
  readyAt: number,
  traceparent: string | undefined,
): NewMessage {
  const m = toOutgoingMessage(queue, event, traceparent);
  return {
    messageId: m.messageId,
    ...(m.sessionId === undefined ? {} : { sessionId: m.sessionId }),
    body: m.body,
    properties: m.applicationProperties,
    readyAt,
  };
}

function parseToken(token: string): number {
  const seq = Number(token);
  if (!/^\d+$/.test(token) || !Number.isSafeInteger(seq))
    throw new TypeError(`not a schedule token: "${token}"`);
  return seq;
}

/** Opens (or creates) a durable in-process bus. */
export function createInProcessBus(options: InProcessBusOptions): InProcessBus {
  const queues = resolveQueues(options);
  const journal = new Journal(openJournalDatabase(journalFile(options)), queues);
  const released = journal.releaseLocks();
  if (released > 0) options.logger?.info("bus: released locks left by a previous process", { released });
  const clock = options.clock ?? systemClock;
  const now = () => clock.now().getTime();
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const consumers = new Set<{ queue: QueueKey; consumer: Consumer }>();
  let lastForget = 0;

  const accept = async (queue: QueueKey, messages: NewMessage[]): Promise<number[]> => {
    const at = now();
    if (at - lastForget >= FORGET_EVERY_MS) {
      lastForget = at;
      void journal.forgetOldIds(at).catch(() => undefined);
    }
    const seqs = await journal.accept(queue, messages, at);
    for (const c of consumers) if (c.queue === queue) c.consumer.wake();
    return seqs;
  };

  return {
    async publish(queue, event) {
      await publishing(queues[queue].name, [event], (stamped, trace) =>
        accept(
          queue,
          stamped.map((e) => toNewMessage(queue, e, now(), trace)),
        ),
      );
    },
    async publishMany(queue, events) {
      if (events.length === 0) return;
      const at = now();
      await publishing(queues[queue].name, events, (stamped, trace) =>
        accept(
          queue,
          stamped.map((e) => toNewMessage(queue, e, at, trace)),
        ),
      );
    },
    async schedule(queue, event, at) {
      if (Number.isNaN(at.getTime())) throw new TypeError(`schedule of ${event.id} needs a valid date`);
      const [seq] = await publishing(queues[queue].name, [event], (stamped, trace) =>
        accept(
          queue,
          stamped.map((e) => toNewMessage(queue, e, at.getTime(), trace)),
        ),
      );
      return String(seq);
    },
    async cancel(queue, token) {
      await journal.cancel(queue, parseToken(token), now());
    },
    async depth(queue) {
      await journal.flush();
      return journal.depth(queue, now());
    },
    async peekDeadLetters(queue, max) {
      await journal.flush();
      return journal.peekDeadLetters(queue, max);
    },
    subscribe(queue, handler, subscribeOptions) {
      const concurrency = Math.max(1, Math.floor(subscribeOptions?.concurrency ?? 1));
      const consumer = new Consumer(queue, handler, concurrency, {
        journal,
        now,
        random: options.random ?? Math.random,
        backoff,
        maxDeliveryCount: queues[queue].maxDeliveryCount,
        pollIntervalMs: options.pollIntervalMs ?? 50,
        ...(options.logger ? { logger: options.logger } : {}),
      });
      const entry = { queue, consumer };
      consumers.add(entry);
      consumer.wake();
      return {
        async close() {
          consumers.delete(entry);
          await consumer.close();
        },
      };
    },
    async close() {
      await Promise.all([...consumers].map(async (c) => c.consumer.close()));
      consumers.clear();
      await journal.flush();
      journal.close();
    },
  };
}
