/**
 * The EventBus contract: what every bus (the in-process one, Service Bus) must do, as one suite run against
 * each through a factory. Time is real here (a real namespace has no fake clock); the in-process bus's
 * behaviour at exact instants is tested with a fake clock in test/integration/in-process-bus.test.ts.
 *
 * "Nothing else was delivered" is checked without waiting out a timer: a sentinel published after the
 * message in the same session can only arrive after every earlier delivery of that session (FIFO), so once
 * the sentinel is in, the record of that session is complete.
 */
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { BusConsumer } from "../../shared/adapters/in-process-bus/bus.ts";
import type { MessageHandler, Subscription } from "../../shared/adapters/in-process-bus/consumer.ts";
import { MAX_DELIVERY_COUNT_EXCEEDED } from "../../shared/adapters/in-process-bus/journal.ts";
import type { CloudEventEnvelope } from "../../shared/contracts/cloud-event.ts";
import { type QueueKey, Queues, SYSTEM_SESSION } from "../../shared/contracts/queues.ts";
import { PermanentError, RetryableError } from "../../shared/errors.ts";
import type { EventBus, QueueStats, ReceivedMessage } from "../../shared/ports.ts";
import { certificateEvent, reprovisionEvent, systemEvent } from "../support/bus-events.ts";

export interface ContractBus extends EventBus, QueueStats, BusConsumer {}

export interface BusHarness {
  readonly bus: ContractBus;
  /** Releases the bus (the suite has already closed its subscriptions). */
  close(): Promise<void>;
}

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const WAIT = { timeout: 20_000, interval: 10 };

interface Delivery {
  readonly messageId: string;
  readonly deliveryCount: number;
  readonly sessionId?: string;
}

/** Runs the EventBus contract against the bus `open` returns (a fresh one per test where it can). */
export function describeEventBusContract(name: string, open: () => Promise<BusHarness>): void {
  describe(`EventBus contract: ${name}`, () => {
    let harness: BusHarness;
    let bus: ContractBus;
    let run: string;
    let subscriptions: Subscription[];

    beforeEach(async () => {
      harness = await open();
      bus = harness.bus;
      run = randomUUID().slice(0, 8);
      subscriptions = [];
    });

    afterEach(async () => {
      await Promise.all(subscriptions.map((s) => s.close()));
      await harness.close();
    });

    /** Subscribes and records every delivery in order. */
    function consume(queue: QueueKey, handler: MessageHandler = async () => {}, concurrency = 4): Delivery[] {
      const deliveries: Delivery[] = [];
      const subscription = bus.subscribe(
        queue,
        async (m) => {
          deliveries.push({
            messageId: m.messageId,
            deliveryCount: m.deliveryCount,
            ...(m.sessionId === undefined ? {} : { sessionId: m.sessionId }),
          });
          await handler(m);
        },
        { concurrency },
      );
      subscriptions.push(subscription);
      return deliveries;
    }

    const delivered = (deliveries: readonly Delivery[], event: CloudEventEnvelope) =>
      deliveries.filter((d) => d.messageId === event.id).map((d) => d.deliveryCount);

    async function waitFor(deliveries: readonly Delivery[], event: CloudEventEnvelope): Promise<void> {
      await vi.waitFor(() => expect(delivered(deliveries, event)).not.toHaveLength(0), WAIT);
    }

    it("delivers a published event with its id, session, body, type and trace context", async () => {
      const event = certificateEvent(run, "alice", 1, TRACEPARENT);
      const received: ReceivedMessage[] = [];
      consume("certificateEvents", async (m) => {
        received.push(m);
      });
      await bus.publish("certificateEvents", event);
      await vi.waitFor(() => expect(received).toHaveLength(1), WAIT);
      expect(received[0]).toMatchObject({
        messageId: event.id,
        sessionId: event.userid,
        deliveryCount: 1,
        body: event,
      });
      expect(received[0]!.enqueuedAt).toBeInstanceOf(Date);
      expect(received[0]!.applicationProperties).toMatchObject({
        "cloudEvents:specversion": "1.0",
        "cloudEvents:type": "certificate.removed",
        "cloudEvents:id": event.id,
        "cloudEvents:source": event.source,
        traceparent: TRACEPARENT,
        "Diagnostic-Id": TRACEPARENT,
      });
    });

    it("orders an event about no user in the system session", async () => {
      const event = systemEvent(run, 1);
      const deliveries = consume("certificateEvents");
      await bus.publish("certificateEvents", event);
      await waitFor(deliveries, event);
      expect(deliveries).toEqual([{ messageId: event.id, deliveryCount: 1, sessionId: SYSTEM_SESSION }]);
    });

    it("delivers each event of a publishMany once", async () => {
      const events = Array.from({ length: 200 }, (_, n) => certificateEvent(run, `user${n % 7}`, n));
      const deliveries = consume("certificateEvents", async () => {}, 8);
      await bus.publishMany("certificateEvents", events);
      await vi.waitFor(() => expect(deliveries).toHaveLength(events.length), WAIT);
      expect(new Set(deliveries.map((d) => d.messageId))).toEqual(new Set(events.map((e) => e.id)));
      expect(deliveries.every((d) => d.deliveryCount === 1)).toBe(true);
    });

    const duplicates: ReadonlyArray<{
      name: string;
      send: (b: EventBus, a: CloudEventEnvelope, other: CloudEventEnvelope) => Promise<void>;
    }> = [
      {
        name: "published twice",
        send: async (b, a) => {
          await b.publish("certificateEvents", a);
          await b.publish("certificateEvents", a);
        },
      },
      {
        name: "twice in one publishMany",
        send: (b, a, other) => b.publishMany("certificateEvents", [a, other, a]),
      },
      {
        name: "published, then again in a publishMany",
        send: async (b, a, other) => {
          await b.publish("certificateEvents", a);
          await b.publishMany("certificateEvents", [other, a]);
        },
      },
      {
        name: "published concurrently",
        send: async (b, a) => {
          await Promise.all([b.publish("certificateEvents", a), b.publish("certificateEvents", a)]);
        },
      },
    ];
    it.each(duplicates)("drops a duplicate message id: $name", async ({ send }) => {
      const a = certificateEvent(run, "dup", 1);
      const other = certificateEvent(run, "dup", 2);
      const sentinel = certificateEvent(run, "dup", 3);
      const deliveries = consume("certificateEvents");
      await send(bus, a, other);
      await bus.publish("certificateEvents", sentinel);
      await waitFor(deliveries, sentinel);
      expect(delivered(deliveries, a)).toEqual([1]);
      expect(delivered(deliveries, other).length).toBeLessThanOrEqual(1);
    });

    it("delivers a scheduled event when due and never a cancelled one", async () => {
      const due = Date.now() + 250;
      const kept = certificateEvent(run, "sched", 1);
      const cancelled = certificateEvent(run, "sched", 2);
      const later = certificateEvent(run, "sched", 3);
      await bus.schedule("certificateEvents", kept, new Date(due));
      const token = await bus.schedule("certificateEvents", cancelled, new Date(due));
      await bus.cancel("certificateEvents", token);
      await bus.schedule("certificateEvents", later, new Date(due + 100));
      const deliveries = consume("certificateEvents");
      await waitFor(deliveries, later);
      expect(deliveries.map((d) => d.messageId)).toEqual([kept.id, later.id]);
    });

    it("counts scheduled, active and cancelled messages in the queue depth", async () => {
      const before = await bus.depth("reprovision");
      await bus.publishMany("reprovision", [
        reprovisionEvent(run, 1),
        reprovisionEvent(run, 2),
        reprovisionEvent(run, 3),
      ]);
      const inAnHour = new Date(Date.now() + 3_600_000);
      const token = await bus.schedule("reprovision", reprovisionEvent(run, 4), inAnHour);
      await bus
        .schedule("reprovision", reprovisionEvent(run, 5), inAnHour)
        .then((t) => bus.cancel("reprovision", t));
      await vi.waitFor(
        async () =>
          expect(await bus.depth("reprovision")).toEqual({
            active: before.active + 3,
            scheduled: before.scheduled + 1,
            deadLetter: before.deadLetter,
          }),
        WAIT,
      );
      await bus.cancel("reprovision", token);
      const deliveries = consume("reprovision");
      await vi.waitFor(() => expect(deliveries.length).toBeGreaterThanOrEqual(3), WAIT);
      await vi.waitFor(
        async () =>
          expect(await bus.depth("reprovision")).toEqual({
            active: before.active,
            scheduled: before.scheduled,
            deadLetter: before.deadLetter,
          }),
        WAIT,
      );
    });

    it("dead-letters a message after the queue's max delivery count, with reason and last error", async () => {
      const max = Queues.reprovision.maxDeliveryCount;
      const poison = reprovisionEvent(run, 666);
      const before = await bus.depth("reprovision");
      const deliveries = consume("reprovision", async (m) => {
        throw new Error(`cannot handle ${m.messageId} (attempt ${m.deliveryCount})`);
      });
      await bus.publish("reprovision", poison);
      await vi.waitFor(async () => {
        const dead = await bus.peekDeadLetters("reprovision", 100);
        expect(dead.find((d) => d.messageId === poison.id)).toEqual({
          messageId: poison.id,
          reason: MAX_DELIVERY_COUNT_EXCEEDED,
          description: `cannot handle ${poison.id} (attempt ${max})`,
          body: poison,
        });
      }, WAIT);
      expect(delivered(deliveries, poison)).toEqual(Array.from({ length: max }, (_, i) => i + 1));
      expect(await bus.depth("reprovision")).toMatchObject({
        active: before.active,
        deadLetter: before.deadLetter + 1,
      });
    });

    const outcomes: ReadonlyArray<{
      name: string;
      failures: readonly (() => Error)[];
      deliveries: number[];
    }> = [
      { name: "resolves: completed", failures: [], deliveries: [1] },
      {
        name: "PermanentError: completed, not retried, not dead-lettered",
        failures: [() => new PermanentError("unknown user")],
        deliveries: [1],
      },
      {
        name: "RetryableError with retryAfterMs: retried after it",
        failures: [() => new RetryableError("throttled", 40)],
        deliveries: [1, 2],
      },
      {
        name: "RetryableError without retryAfterMs: retried after a back-off",
        failures: [() => new RetryableError("busy"), () => new RetryableError("busy")],
        deliveries: [1, 2, 3],
      },
      {
        name: "any other error: abandoned and delivered again",
        failures: [() => new Error("bug"), () => new TypeError("bug")],
        deliveries: [1, 2, 3],
      },
    ];
    it.each(outcomes)(
      "settles by the handler's outcome: $name",
      async ({ failures, deliveries: expected }) => {
        const subject = certificateEvent(run, "outcome", 1);
        const sentinel = certificateEvent(run, "outcome", 2);
        const deliveries = consume("certificateEvents", async (m) => {
          const fail = m.messageId === subject.id ? failures[m.deliveryCount - 1] : undefined;
          if (fail) throw fail();
        });
        await bus.publishMany("certificateEvents", [subject, sentinel]);
        await waitFor(deliveries, sentinel);
        // FIFO holds through retries: the sentinel waits for the subject's last delivery.
        expect(
          deliveries.map((d) => [d.messageId === subject.id ? "subject" : "sentinel", d.deliveryCount]),
        ).toEqual([...expected.map((n) => ["subject", n]), ["sentinel", 1]]);
        const dead = await bus.peekDeadLetters("certificateEvents", 100);
        expect(dead.map((d) => d.messageId)).not.toContain(subject.id);
      },
    );

    it("handles one session's messages one at a time in order, and sessions in parallel", async () => {
      const users = ["s0", "s1", "s2", "s3"];
      const perUser = 15;
      const events = Array.from({ length: users.length * perUser }, (_, n) =>
        certificateEvent(run, users[n % users.length]!, Math.floor(n / users.length)),
      );
      const order = new Map<string, string[]>();
      const active = new Set<string>();
      const overlaps: string[] = [];
      let releaseFirst: () => void = () => {};
      const secondSessionStarted = new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      const firstOf = (user: string) => certificateEvent(run, user, 0).id;
      consume(
        "certificateEvents",
        async (m) => {
          const session = m.sessionId ?? "";
          if (active.has(session)) overlaps.push(session);
          active.add(session);
          order.set(session, [...(order.get(session) ?? []), m.messageId]);
          // The first message of s0 waits for the first of s1: only parallel sessions let this finish.
          if (m.messageId === firstOf("s1")) releaseFirst();
          if (m.messageId === firstOf("s0")) await secondSessionStarted;
          await new Promise((resolve) => setImmediate(resolve));
          active.delete(session);
        },
        4,
      );
      await bus.publishMany("certificateEvents", events);
      await vi.waitFor(() => expect([...order.values()].flat()).toHaveLength(events.length), WAIT);
      expect(overlaps).toEqual([]);
      for (const user of users)
        expect(order.get(`${run}-${user}`)).toEqual(
          Array.from({ length: perUser }, (_, i) => certificateEvent(run, user, i).id),
        );
    });
  });
}
