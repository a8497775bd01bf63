/**
 * A queue consumer on Service Bus with the in-process bus's settlement rules (in-process-bus/settlement.ts),
 * so one contract suite can check both. Azure Functions does not use it (its Service Bus trigger receives
 * and settles); the live contract test and tools that drain a queue do.
 *
 * Two differences from the in-process bus, both forced by Service Bus:
 * - Back-off: an abandoned message is available again at once, so the wait is spent holding the lock
 *   (never longer than the queue's lock duration) before abandoning.
 * - The SDK reports `deliveryCount` as the AMQP header does, 0 on the first delivery; the port counts from 1.
 */
import type {
  ServiceBusClient,
  ServiceBusReceivedMessage,
  ServiceBusReceiver,
  ServiceBusSessionReceiver,
} from "@azure/service-bus";
import { type QueueKey, Queues } from "../contracts/queues.ts";
import type { Logger, ReceivedMessage } from "../ports.ts";
import type { MessageHandler, SubscribeOptions, Subscription } from "./in-process-bus/consumer.ts";
import { type BackoffPolicy, DEFAULT_BACKOFF, decideSettlement } from "./in-process-bus/settlement.ts";

export type ServiceBusConsumerClient = Pick<ServiceBusClient, "createReceiver" | "acceptNextSession">;

export interface ServiceBusConsumerOptions {
  readonly client: ServiceBusConsumerClient;
  readonly backoff?: Partial<BackoffPolicy>;
  readonly random?: () => number;
  readonly logger?: Logger;
}

/** Time kept in hand before a lock runs out, so the abandon after a back-off still holds it. */
const LOCK_MARGIN_MS = 5_000;
/** How long a session worker waits for the next message of its session before letting the session go. */
const SESSION_IDLE_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function toReceived(m: ServiceBusReceivedMessage): ReceivedMessage {
  const properties: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(m.applicationProperties ?? {}))
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      properties[key] = value;
    else if (value instanceof Date) properties[key] = value.toISOString();
  return {
    messageId: String(m.messageId),
    ...(m.sessionId === undefined ? {} : { sessionId: m.sessionId }),
    deliveryCount: (m.deliveryCount ?? 0) + 1,
    enqueuedAt: m.enqueuedTimeUtc ?? new Date(0),
    body: m.body as unknown,
    applicationProperties: properties,
  };
}

type Settler = Pick<ServiceBusReceiver, "completeMessage" | "abandonMessage" | "deadLetterMessage">;

export interface ServiceBusConsumer {
  subscribe(queue: QueueKey, handler: MessageHandler, options?: SubscribeOptions): Subscription;
}

export function createServiceBusConsumer(options: ServiceBusConsumerOptions): ServiceBusConsumer {
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const random = options.random ?? Math.random;

  async function handle(
    queue: QueueKey,
    receiver: Settler,
    m: ServiceBusReceivedMessage,
    handler: MessageHandler,
  ) {
    const received = toReceived(m);
    let outcome: { ok: true } | { ok: false; error: unknown };
    try {
      await handler(received);
      outcome = { ok: true };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const { maxDeliveryCount, lockDurationMs } = Queues[queue];
    const decision = decideSettlement(outcome, received.deliveryCount, maxDeliveryCount, backoff, random);
    if (decision.kind === "complete") return receiver.completeMessage(m);
    if (decision.kind === "deadLetter")
      return receiver.deadLetterMessage(m, {
        deadLetterReason: decision.reason,
        deadLetterErrorDescription: decision.description,
      });
    await sleep(Math.min(decision.delayMs, Math.max(0, lockDurationMs - LOCK_MARGIN_MS)));
    return receiver.abandonMessage(m);
  }

  function subscribeQueue(queue: QueueKey, handler: MessageHandler, concurrency: number): Subscription {
    const receiver = options.client.createReceiver(Queues[queue].name, { receiveMode: "peekLock" });
    const subscription = receiver.subscribe(
      {
        processMessage: (m) => handle(queue, receiver, m, handler),
        processError: async ({ error, errorSource }) => {
          options.logger?.warn("service bus: receive error", { queue, errorSource, error: String(error) });
        },
      },
      { autoCompleteMessages: false, maxConcurrentCalls: concurrency },
    );
    return {
      async close() {
        await subscription.close();
        await receiver.close();
      },
    };
  }

  /** One worker: takes the next free session, drains it in order, lets it go when idle, repeats. */
  async function sessionWorker(queue: QueueKey, handler: MessageHandler, stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      let session: ServiceBusSessionReceiver;
      try {
        session = await options.client.acceptNextSession(Queues[queue].name, {
          receiveMode: "peekLock",
          abortSignal: stop,
        });
      } catch (error) {
        if (stop.aborted) return;
        // Usually no session has messages (the service answers after its own wait); otherwise pause a little.
        options.logger?.info("service bus: no session accepted", { queue, error: String(error) });
        await sleep(SESSION_IDLE_MS);
        continue;
      }
      try {
        while (!stop.aborted) {
          const [m] = await session.receiveMessages(1, {
            maxWaitTimeInMs: SESSION_IDLE_MS,
            abortSignal: stop,
          });
          if (!m) break;
          await handle(queue, session, m, handler);
        }
      } catch (error) {
        if (!stop.aborted)
          options.logger?.warn("service bus: session receive failed", { queue, error: String(error) });
      } finally {
        await session.close();
      }
    }
  }

  function subscribeSessions(queue: QueueKey, handler: MessageHandler, concurrency: number): Subscription {
    const stop = new AbortController();
    const workers = Array.from({ length: concurrency }, () => sessionWorker(queue, handler, stop.signal));
    return {
      async close() {
        stop.abort();
        await Promise.allSettled(workers);
      },
    };
  }

  return {
    subscribe(queue, handler, subscribeOptions) {
      const concurrency = Math.max(1, Math.floor(subscribeOptions?.concurrency ?? 1));
      return Queues[queue].sessions
        ? subscribeSessions(queue, handler, concurrency)
        : subscribeQueue(queue, handler, concurrency);
    },
  };
}
