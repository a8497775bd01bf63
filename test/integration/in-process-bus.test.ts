import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createInProcessBus,
  type InProcessBus,
  type InProcessBusOptions,
} from "../../shared/adapters/in-process-bus/bus.ts";
import {
  decideSettlement,
  type HandlerOutcome,
  type Settlement,
} from "../../shared/adapters/in-process-bus/settlement.ts";
import type { CloudEventEnvelope } from "../../shared/contracts/cloud-event.ts";
import type { QueueKey } from "../../shared/contracts/queues.ts";
import { ConflictError, PermanentError, PoisonMessageError, RetryableError } from "../../shared/errors.ts";
import type { Logger, ReceivedMessage } from "../../shared/ports.ts";
import { describeEventBusContract } from "../contract/event-bus.contract.ts";
import { BUS_TEST_TIME, notificationEvent, reprovisionEvent } from "../support/bus-events.ts";

const WAIT = { timeout: 10_000, interval: 5 };

describeEventBusContract("in-process bus (SQLite journal)", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "bus-contract-"));
  const bus = createInProcessBus({ dataDir, pollIntervalMs: 10, backoff: { baseMs: 20, maxMs: 100 } });
  return {
    bus,
    async close() {
      await bus.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

// ---------------------------------------------------------------------------------------------------------
// What only the in-process bus can show: exact instants with a fake clock, lock loss, restart, close.
// ---------------------------------------------------------------------------------------------------------

interface Harness {
  readonly bus: InProcessBus;
  readonly deliveries: { messageId: string; deliveryCount: number }[];
  readonly warnings: string[];
  advance(ms: number): void;
  consume(queue: QueueKey, handler?: (m: ReceivedMessage) => Promise<void>): void;
}

describe("in-process bus at exact instants (fake clock)", () => {
  let dataDir: string;
  let open: InProcessBus[];
  /** Handlers that must outlive their lock wait on this; it is released before the buses close. */
  let stuck: Promise<void>;
  let unstick: () => void;
  const run = "fixed";

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bus-clock-"));
    open = [];
    stuck = new Promise((resolve) => {
      unstick = resolve;
    });
  });
  afterEach(async () => {
    unstick();
    await Promise.all(open.map((b) => b.close()));
    await rm(dataDir, { recursive: true, force: true });
  });

  function harness(options: Partial<InProcessBusOptions> = {}): Harness {
    let now = BUS_TEST_TIME.getTime();
    const warnings: string[] = [];
    const logger: Logger = {
      info: () => {},
      warn: (message) => warnings.push(message),
      error: (message) => warnings.push(message),
      child: () => logger,
    };
    const bus = createInProcessBus({
      dataDir,
      clock: { now: () => new Date(now) },
      random: () => 0.5,
      pollIntervalMs: 2,
      logger,
      ...options,
    });
    open.push(bus);
    const deliveries: Harness["deliveries"] = [];
    return {
      bus,
      deliveries,
      warnings,
      advance: (ms) => {
        now += ms;
      },
      consume: (queue, handler = async () => {}) => {
        bus.subscribe(
          queue,
          async (m) => {
            deliveries.push({ messageId: m.messageId, deliveryCount: m.deliveryCount });
            await handler(m);
          },
          { concurrency: 4 },
        );
      },
    };
  }

  const countsOf = (h: Harness, event: CloudEventEnvelope) =>
    h.deliveries.filter((d) => d.messageId === event.id).map((d) => d.deliveryCount);
  const arrived = async (h: Harness, event: CloudEventEnvelope, count = 1) =>
    vi.waitFor(() => expect(countsOf(h, event)).toHaveLength(count), WAIT);

  it("honours a RetryableError's retryAfterMs to the millisecond", async () => {
    const h = harness();
    const subject = notificationEvent(run, 1);
    h.consume("notifications", async (m) => {
      if (m.messageId === subject.id && m.deliveryCount === 1) throw new RetryableError("throttled", 5_000);
    });
    await h.bus.publish("notifications", subject);
    await arrived(h, subject);
    h.advance(4_999);
    const sentinel = notificationEvent(run, 2);
    await h.bus.publish("notifications", sentinel);
    await arrived(h, sentinel);
    expect(countsOf(h, subject)).toEqual([1]);
    h.advance(1);
    await arrived(h, subject, 2);
    expect(countsOf(h, subject)).toEqual([1, 2]);
  });

  it("delivers a scheduled message at its time, not a millisecond before", async () => {
    const h = harness();
    const scheduled = notificationEvent(run, 1);
    await h.bus.schedule("notifications", scheduled, new Date(BUS_TEST_TIME.getTime() + 1_000));
    expect(await h.bus.depth("notifications")).toEqual({ active: 0, scheduled: 1, deadLetter: 0 });
    h.consume("notifications");
    h.advance(999);
    const sentinel = notificationEvent(run, 2);
    await h.bus.publish("notifications", sentinel);
    await arrived(h, sentinel);
    expect(countsOf(h, scheduled)).toEqual([]);
    h.advance(1);
    await arrived(h, scheduled);
    await vi.waitFor(
      async () =>
        expect(await h.bus.depth("notifications")).toEqual({ active: 0, scheduled: 0, deadLetter: 0 }),
      WAIT,
    );
  });

  const windows = [
    { name: "inside the window: dropped", after: 10 * 60_000 - 1, deliveries: 1 },
    { name: "after the window: accepted again", after: 10 * 60_000, deliveries: 2 },
  ];
  it.each(windows)("duplicate detection on messageId, $name", async ({ after, deliveries }) => {
    const h = harness();
    const event = notificationEvent(run, 1);
    h.consume("notifications");
    await h.bus.publish("notifications", event);
    await arrived(h, event);
    h.advance(after);
    await h.bus.publish("notifications", event);
    const sentinel = notificationEvent(run, 2);
    await h.bus.publish("notifications", sentinel);
    await arrived(h, sentinel);
    await vi.waitFor(async () => expect((await h.bus.depth("notifications")).active).toBe(0), WAIT);
    expect(countsOf(h, event)).toEqual(Array.from({ length: deliveries }, () => 1));
  });

  it("gives a message whose handler outlives the lock to another delivery, and refuses the late settlement", async () => {
    const h = harness({ queues: { notifications: { lockDurationMs: 1_000 } } });
    const event = notificationEvent(run, 1);
    let releaseFirst: () => void = () => {};
    const firstHangs = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    h.consume("notifications", async (m) => {
      if (m.deliveryCount === 1) await firstHangs;
      else await stuck; // the second one keeps its lock for the rest of the test
    });
    await h.bus.publish("notifications", event);
    await arrived(h, event);
    h.advance(1_000);
    await arrived(h, event, 2);
    expect(countsOf(h, event)).toEqual([1, 2]);
    releaseFirst();
    await vi.waitFor(
      () =>
        expect(h.warnings).toContain("bus: lock lost before settlement; the message will be delivered again"),
      WAIT,
    );
    expect(await h.bus.depth("notifications")).toEqual({ active: 1, scheduled: 0, deadLetter: 0 });
  });

  it("dead-letters a message whose last allowed delivery lost its lock", async () => {
    const h = harness({ queues: { reprovision: { lockDurationMs: 1_000, maxDeliveryCount: 2 } } });
    const event = reprovisionEvent(run, 1);
    h.consume("reprovision", () => stuck);
    await h.bus.publish("reprovision", event);
    await arrived(h, event);
    h.advance(1_000);
    await arrived(h, event, 2);
    h.advance(1_000);
    await vi.waitFor(
      async () =>
        expect(await h.bus.peekDeadLetters("reprovision", 10)).toEqual([
          {
            messageId: event.id,
            reason: "MaxDeliveryCountExceeded",
            description: "the lock of delivery 2 expired before the message was settled",
            body: event,
          },
        ]),
      WAIT,
    );
    expect(countsOf(h, event)).toEqual([1, 2]);
  });

  it("peeks dead letters oldest first, at most the number asked", async () => {
    const h = harness({ queues: { reprovision: { maxDeliveryCount: 1 } } });
    const events = [reprovisionEvent(run, 1), reprovisionEvent(run, 2), reprovisionEvent(run, 3)];
    h.consume("reprovision", async (m) => {
      throw new Error(`no ${m.messageId}`);
    });
    for (const event of events) {
      await h.bus.publish("reprovision", event);
      await vi.waitFor(async () => expect((await h.bus.depth("reprovision")).active).toBe(0), WAIT);
      h.advance(1);
    }
    const peeked = await h.bus.peekDeadLetters("reprovision", 2);
    expect(peeked.map((d) => [d.messageId, d.description])).toEqual(
      events.slice(0, 2).map((e) => [e.id, `no ${e.id}`]),
    );
    expect((await h.bus.depth("reprovision")).deadLetter).toBe(3);
  });

  const cancels: ReadonlyArray<{ name: string; token: (scheduled: string) => string; delivered: boolean }> = [
    { name: "its own token, before it is due", token: (t) => t, delivered: false },
    { name: "a token no message has", token: () => "999999", delivered: true },
  ];
  it.each(cancels)("cancel with $name", async ({ token, delivered }) => {
    const h = harness();
    const event = notificationEvent(run, 1);
    const scheduled = await h.bus.schedule("notifications", event, new Date(BUS_TEST_TIME.getTime() + 1_000));
    await h.bus.cancel("notifications", token(scheduled));
    h.advance(1_000);
    h.consume("notifications");
    const sentinel = notificationEvent(run, 2);
    await h.bus.publish("notifications", sentinel);
    await arrived(h, sentinel);
    await vi.waitFor(async () => expect((await h.bus.depth("notifications")).active).toBe(0), WAIT);
    expect(countsOf(h, event)).toEqual(delivered ? [1] : []);
  });

  it("cancelling a message that is already due changes nothing", async () => {
    const h = harness();
    const event = notificationEvent(run, 1);
    const token = await h.bus.schedule("notifications", event, new Date(BUS_TEST_TIME.getTime() + 1_000));
    h.advance(1_000);
    await h.bus.cancel("notifications", token);
    h.consume("notifications");
    await arrived(h, event);
  });

  it("refuses a malformed schedule token", async () => {
    const h = harness();
    await expect(h.bus.cancel("notifications", "seq-12")).rejects.toThrow('not a schedule token: "seq-12"');
  });

  it("refuses to schedule at an invalid date", async () => {
    const h = harness();
    const event = notificationEvent(run, 1);
    await expect(h.bus.schedule("notifications", event, new Date("not a date"))).rejects.toThrow(
      `schedule of ${event.id} needs a valid date`,
    );
    expect(await h.bus.depth("notifications")).toEqual({ active: 0, scheduled: 0, deadLetter: 0 });
  });

  it("close waits for in-flight handlers and settles them before the journal closes", async () => {
    const h = harness();
    const event = notificationEvent(run, 1);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    h.consume("notifications", () => gate);
    await h.bus.publish("notifications", event);
    await arrived(h, event);
    let closed = false;
    const closing = h.bus.close().then(() => {
      closed = true;
    });
    open = [];
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    release();
    await closing;
    const reopened = harness();
    expect(await reopened.bus.depth("notifications")).toEqual({ active: 0, scheduled: 0, deadLetter: 0 });
  });

  it("reopening the journal finds what was accepted, with a held lock released at once", async () => {
    const first = harness();
    const event = notificationEvent(run, 1);
    await first.bus.publish("notifications", event);
    await first.bus.close();
    open = [];
    const second = harness();
    expect(await second.bus.depth("notifications")).toEqual({ active: 1, scheduled: 0, deadLetter: 0 });
    second.consume("notifications");
    await arrived(second, event);
    expect(countsOf(second, event)).toEqual([1]);
  });
});

describe("settlement decisions", () => {
  const policy = { baseMs: 1_000, maxMs: 60_000, maxRetryAfterMs: 900_000 };
  const cases: ReadonlyArray<{
    name: string;
    outcome: HandlerOutcome;
    deliveryCount: number;
    random?: number;
    expected: Settlement;
  }> = [
    { name: "resolved → complete", outcome: { ok: true }, deliveryCount: 1, expected: { kind: "complete" } },
    {
      name: "PermanentError → complete, even on the last delivery",
      outcome: { ok: false, error: new PermanentError("unknown user") },
      deliveryCount: 10,
      expected: { kind: "complete" },
    },
    {
      name: "RetryableError with retryAfterMs → abandon after it",
      outcome: { ok: false, error: new RetryableError("429", 7_000) },
      deliveryCount: 1,
      expected: { kind: "abandon", delayMs: 7_000, error: "429" },
    },
    {
      name: "RetryableError with a huge retryAfterMs → capped",
      outcome: { ok: false, error: new RetryableError("429", 86_400_000) },
      deliveryCount: 1,
      expected: { kind: "abandon", delayMs: 900_000, error: "429" },
    },
    {
      name: "RetryableError, first retry, lowest jitter → half the base",
      outcome: { ok: false, error: new RetryableError("503") },
      deliveryCount: 1,
      random: 0,
      expected: { kind: "abandon", delayMs: 500, error: "503" },
    },
    {
      name: "RetryableError, fourth retry, highest jitter → base·2³",
      outcome: { ok: false, error: new RetryableError("503") },
      deliveryCount: 4,
      random: 1,
      expected: { kind: "abandon", delayMs: 8_000, error: "503" },
    },
    {
      name: "RetryableError, ninth retry → bounded by maxMs",
      outcome: { ok: false, error: new RetryableError("503") },
      deliveryCount: 9,
      random: 1,
      expected: { kind: "abandon", delayMs: 60_000, error: "503" },
    },
    {
      name: "ConflictError is retryable",
      outcome: { ok: false, error: new ConflictError("etag") },
      deliveryCount: 2,
      random: 0,
      expected: { kind: "abandon", delayMs: 1_000, error: "etag" },
    },
    {
      name: "other error → abandon at once",
      outcome: { ok: false, error: new TypeError("undefined is not a function") },
      deliveryCount: 3,
      expected: { kind: "abandon", delayMs: 0, error: "undefined is not a function" },
    },
    {
      name: "a thrown non-error → abandon with its text",
      outcome: { ok: false, error: "plain string" },
      deliveryCount: 1,
      expected: { kind: "abandon", delayMs: 0, error: "plain string" },
    },
    {
      name: "any failure on the last allowed delivery → dead-letter with the error",
      outcome: { ok: false, error: new RetryableError("503", 1_000) },
      deliveryCount: 10,
      expected: { kind: "deadLetter", reason: "MaxDeliveryCountExceeded", description: "503" },
    },
    {
      name: "a poison message → dead-letter at once with its own reason",
      outcome: { ok: false, error: new PoisonMessageError("UnparseableEvent", "not a CloudEvents envelope") },
      deliveryCount: 1,
      expected: { kind: "deadLetter", reason: "UnparseableEvent", description: "not a CloudEvents envelope" },
    },
    {
      name: "a very long error is cut for the description",
      outcome: { ok: false, error: new Error("x".repeat(5_000)) },
      deliveryCount: 10,
      expected: {
        kind: "deadLetter",
        reason: "MaxDeliveryCountExceeded",
        description: `${"x".repeat(1_023)}…`,
      },
    },
  ];
  it.each(cases)("$name", ({ outcome, deliveryCount, random, expected }) => {
    expect(decideSettlement(outcome, deliveryCount, 10, policy, () => random ?? 0.5)).toEqual(expected);
  });
});
