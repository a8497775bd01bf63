import { ServiceBusError, type ServiceBusMessage } from "@azure/service-bus";
import Long from "long";
import { beforeEach, describe, expect, it } from "vitest";
import {
  createServiceBusBus,
  type ServiceBusBus,
  toServiceBusMessage,
} from "../../../shared/adapters/service-bus.ts";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import type { QueueKey } from "../../../shared/contracts/queues.ts";
import { PermanentError, RetryableError } from "../../../shared/errors.ts";
import {
  BUS_TEST_TIME,
  certificateEvent,
  notificationEvent,
  reprovisionEvent,
  systemEvent,
} from "../../support/bus-events.ts";
import {
  deadLetterMessage,
  encodedSize,
  FakeAdministration,
  FakeServiceBusClient,
} from "../../support/fake-service-bus.ts";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";
const run = "unit";

let client: FakeServiceBusClient;
let administration: FakeAdministration;
let bus: ServiceBusBus;

beforeEach(() => {
  client = new FakeServiceBusClient();
  administration = new FakeAdministration();
  bus = createServiceBusBus({ client, administration });
});

/** Every property the adapter must set, spelled out (toStrictEqual also refuses any extra or undefined key). */
function expectedMessage(
  event: CloudEventEnvelope,
  sessionId: string | undefined,
  extra: Record<string, string>,
) {
  return {
    body: event,
    messageId: event.id,
    ...(sessionId === undefined ? {} : { sessionId }),
    subject: event.type,
    contentType: CONTENT_TYPE,
    applicationProperties: {
      "cloudEvents:specversion": "1.0",
      "cloudEvents:type": event.type,
      "cloudEvents:source": "/smime-lifecycle/test",
      "cloudEvents:id": event.id,
      "cloudEvents:time": BUS_TEST_TIME.toISOString(),
      ...extra,
    },
  };
}

describe("Service Bus adapter: the message for each event", () => {
  const withTrace = certificateEvent(run, "alice", 1, TRACEPARENT);
  const cases: ReadonlyArray<{
    name: string;
    queue: QueueKey;
    queueName: string;
    event: CloudEventEnvelope;
    expected: ServiceBusMessage;
  }> = [
    {
      name: "a user's certificate event with trace context",
      queue: "certificateEvents",
      queueName: "certificate-events",
      event: withTrace,
      expected: expectedMessage(withTrace, `${run}-alice`, {
        "cloudEvents:subject": withTrace.subject!,
        "cloudEvents:userid": `${run}-alice`,
        traceparent: TRACEPARENT,
        "Diagnostic-Id": TRACEPARENT,
      }),
    },
    {
      name: "an event about no user on the sessions queue: the system session",
      queue: "certificateEvents",
      queueName: "certificate-events",
      event: systemEvent(run, 1),
      expected: expectedMessage(systemEvent(run, 1), "system", {
        "cloudEvents:subject": `http://crl.example.test/${run}/1.crl`,
      }),
    },
    {
      name: "a notification request: session is the user, no trace context",
      queue: "notifications",
      queueName: "notifications",
      event: notificationEvent(run, 1),
      expected: expectedMessage(notificationEvent(run, 1), `${run}-user-1`, {
        "cloudEvents:userid": `${run}-user-1`,
      }),
    },
    {
      name: "an event about no user on a queue without sessions: no sessionId",
      queue: "reprovision",
      queueName: "reprovision",
      event: reprovisionEvent(run, 1),
      expected: expectedMessage(reprovisionEvent(run, 1), undefined, {
        "cloudEvents:subject": `${run}-op-1`,
      }),
    },
  ];

  it.each(cases)("publish: $name", async ({ queue, queueName, event, expected }) => {
    await bus.publish(queue, event);
    expect(client.senders.map((s) => s.queueName)).toEqual([queueName]);
    expect(client.sender(queueName).sent).toStrictEqual([{ messages: [expected] }]);
  });

  it.each(cases)("publishMany: $name", async ({ queue, queueName, event, expected }) => {
    await bus.publishMany(queue, [event]);
    const [call] = client.sender(queueName).sent;
    expect(call?.messages).toStrictEqual([expected]);
  });

  it.each(cases)(
    "schedule: $name, with the scheduled enqueue time",
    async ({ queue, queueName, event, expected }) => {
      const at = new Date("2026-03-03T00:00:00.000Z");
      const token = await bus.schedule(queue, event, at);
      expect(client.sender(queueName).scheduled.get(token)).toStrictEqual({
        message: { ...expected, scheduledEnqueueTimeUtc: at },
        at,
      });
    },
  );
});

describe("Service Bus adapter: senders", () => {
  it("creates one sender per queue and reuses it", async () => {
    await bus.publish("notifications", notificationEvent(run, 1));
    await bus.publishMany("notifications", [notificationEvent(run, 2)]);
    await bus.schedule("notifications", notificationEvent(run, 3), BUS_TEST_TIME);
    await bus.publish("reprovision", reprovisionEvent(run, 1));
    expect(client.senders.map((s) => s.queueName)).toEqual(["notifications", "reprovision"]);
  });

  it("closes its senders, and the client only when it owns it", async () => {
    await bus.publish("notifications", notificationEvent(run, 1));
    await bus.close();
    expect(client.senders.map((s) => s.closed)).toEqual([true]);
    expect(client.closed).toBe(false);
    const owning = createServiceBusBus({ client, ownsClient: true });
    await owning.close();
    expect(client.closed).toBe(true);
  });
});

describe("Service Bus adapter: publishMany batches under the size limit", () => {
  const oneSize = encodedSize(toServiceBusMessage("reprovision", reprovisionEvent(run, 100)));

  const cases: ReadonlyArray<{
    name: string;
    queue: QueueKey;
    events: CloudEventEnvelope[];
    maxSizeInBytes: number;
    batches: number;
  }> = [
    {
      name: "nothing to send: no call",
      queue: "reprovision",
      events: [],
      maxSizeInBytes: 262_144,
      batches: 0,
    },
    {
      name: "all fit: one batch",
      queue: "reprovision",
      events: Array.from({ length: 50 }, (_, n) => reprovisionEvent(run, n)),
      maxSizeInBytes: 262_144,
      batches: 1,
    },
    {
      name: "three per batch: split in order",
      queue: "reprovision",
      events: Array.from({ length: 10 }, (_, n) => reprovisionEvent(run, 100 + n)),
      maxSizeInBytes: 0, // set from the measured size below
      batches: 4,
    },
    {
      name: "sessions queue: one session per batch",
      queue: "certificateEvents",
      events: Array.from({ length: 12 }, (_, n) => certificateEvent(run, `user${n % 3}`, n)),
      maxSizeInBytes: 262_144,
      batches: 3,
    },
  ];

  it.each(cases)("$name", async ({ queue, events, maxSizeInBytes, batches }) => {
    client = new FakeServiceBusClient(maxSizeInBytes || oneSize * 3 + 10);
    bus = createServiceBusBus({ client });
    await bus.publishMany(queue, events);
    const sent = client.senders[0]?.sent ?? [];
    expect(sent).toHaveLength(batches);
    for (const call of sent) {
      expect(call.batch).toBeDefined();
      expect(call.batch!.sizeInBytes).toBeLessThanOrEqual(call.batch!.maxSizeInBytes);
      if (queue === "certificateEvents") expect(new Set(call.messages.map((m) => m.sessionId)).size).toBe(1);
    }
    const sentIds = sent.flatMap((c) => c.messages.map((m) => m.messageId));
    expect(new Set(sentIds)).toEqual(new Set(events.map((e) => e.id)));
    expect(sentIds).toHaveLength(events.length);
    // Within a session (or the whole queue, without sessions) the publish order is kept.
    const bySession = (ids: readonly unknown[]) => {
      const groups = new Map<string, unknown[]>();
      for (const id of ids) {
        const session = events.find((e) => e.id === id)?.userid ?? "";
        groups.set(session, [...(groups.get(session) ?? []), id]);
      }
      return groups;
    };
    expect(bySession(sentIds)).toEqual(bySession(events.map((e) => e.id)));
  });

  it("refuses a single event larger than a batch can carry, naming it", async () => {
    client = new FakeServiceBusClient(1_000);
    bus = createServiceBusBus({ client });
    const small = reprovisionEvent(run, 1);
    const huge = { ...reprovisionEvent(run, 2), data: { padding: "x".repeat(5_000) } };
    const error = await bus.publishMany("reprovision", [small, huge]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe(
      `message ${huge.id} (reprovision.requested) is larger than a Service Bus batch can carry (1000 bytes): the event's data must shrink`,
    );
    expect(client.sender("reprovision").sent.flatMap((c) => c.messages.map((m) => m.messageId))).toEqual([
      small.id,
    ]);
  });

  it("maps a single publish too large for the link to a PermanentError", async () => {
    client = new FakeServiceBusClient(1_000);
    bus = createServiceBusBus({ client });
    const huge = { ...reprovisionEvent(run, 2), data: { padding: "x".repeat(5_000) } };
    await expect(bus.publish("reprovision", huge)).rejects.toBeInstanceOf(PermanentError);
  });
});

describe("Service Bus adapter: schedule and cancel", () => {
  it("answers the 64-bit sequence number as the token, and cancels by it", async () => {
    const token = await bus.schedule("notifications", notificationEvent(run, 1), BUS_TEST_TIME);
    expect(token).toBe("72057594037927937");
    await bus.cancel("notifications", token);
    expect(client.sender("notifications").cancelled).toEqual(["72057594037927937"]);
    expect(client.sender("notifications").scheduled.size).toBe(0);
  });

  it("treats cancelling what is no longer scheduled as done (MessageNotFound)", async () => {
    const token = await bus.schedule("notifications", notificationEvent(run, 1), BUS_TEST_TIME);
    await bus.cancel("notifications", token);
    await expect(bus.cancel("notifications", token)).resolves.toBeUndefined();
    await expect(bus.cancel("notifications", "5")).resolves.toBeUndefined();
  });

  it("refuses a token that is not a sequence number", async () => {
    await expect(bus.cancel("notifications", "-1")).rejects.toThrow('not a schedule token: "-1"');
  });

  it("passes the sequence number to the SDK as a Long, exactly", async () => {
    const token = await bus.schedule("reprovision", reprovisionEvent(run, 1), BUS_TEST_TIME);
    const sender = client.sender("reprovision");
    let received: unknown;
    const original = sender.cancelScheduledMessages.bind(sender);
    sender.cancelScheduledMessages = async (n) => {
      received = n;
      await original(n);
    };
    await bus.cancel("reprovision", token);
    expect(Long.isLong(received)).toBe(true);
    expect(String(received)).toBe(token);
  });
});

describe("Service Bus adapter: errors decide retry", () => {
  const systemError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
  const cases: ReadonlyArray<{
    name: string;
    error: unknown;
    expected: "retryable" | "permanent" | "same";
    retryAfterMs?: number;
  }> = [
    {
      name: "ServiceBusy",
      error: new ServiceBusError("busy", "ServiceBusy"),
      expected: "retryable",
      retryAfterMs: 10_000,
    },
    {
      name: "ServiceTimeout",
      error: new ServiceBusError("slow", "ServiceTimeout"),
      expected: "retryable",
      retryAfterMs: 5_000,
    },
    {
      name: "ServiceCommunicationProblem",
      error: new ServiceBusError("net", "ServiceCommunicationProblem"),
      expected: "retryable",
      retryAfterMs: 5_000,
    },
    {
      name: "QuotaExceeded",
      error: new ServiceBusError("full", "QuotaExceeded"),
      expected: "retryable",
      retryAfterMs: 60_000,
    },
    {
      name: "MessageSizeExceeded",
      error: new ServiceBusError("big", "MessageSizeExceeded"),
      expected: "permanent",
    },
    {
      name: "MessagingEntityNotFound",
      error: new ServiceBusError("no queue", "MessagingEntityNotFound"),
      expected: "same",
    },
    {
      name: "UnauthorizedAccess",
      error: new ServiceBusError("no role", "UnauthorizedAccess"),
      expected: "same",
    },
    { name: "ECONNRESET below the SDK", error: systemError("ECONNRESET"), expected: "retryable" },
    { name: "ENOTFOUND (DNS)", error: systemError("ENOTFOUND"), expected: "retryable" },
    {
      name: "a retryable MessagingError",
      error: Object.assign(new Error("amqp:connection:forced"), { name: "MessagingError", retryable: true }),
      expected: "retryable",
    },
    { name: "a programming error", error: new TypeError("bad"), expected: "same" },
  ];

  const operations: ReadonlyArray<{ name: string; run: (b: ServiceBusBus) => Promise<unknown> }> = [
    { name: "publish", run: (b) => b.publish("notifications", notificationEvent(run, 1)) },
    { name: "publishMany", run: (b) => b.publishMany("notifications", [notificationEvent(run, 1)]) },
    { name: "schedule", run: (b) => b.schedule("notifications", notificationEvent(run, 1), BUS_TEST_TIME) },
    { name: "cancel", run: (b) => b.cancel("notifications", "1") },
  ];

  it.each(cases.flatMap((c) => operations.map((o) => ({ ...c, operation: o }))))(
    "$operation.name, $name → $expected",
    async ({ error, expected, retryAfterMs, operation }) => {
      await bus.publish("notifications", notificationEvent(run, 0)); // creates the sender
      client.sender("notifications").failNext = error;
      const thrown = await operation.run(bus).catch((e: unknown) => e);
      if (expected === "same") expect(thrown).toBe(error);
      else {
        expect(thrown).toBeInstanceOf(expected === "retryable" ? RetryableError : PermanentError);
        expect((thrown as Error).cause).toBe(error);
        expect((thrown as Error).message).toMatch(/^Service Bus (send|schedule|cancel)/);
      }
      if (retryAfterMs !== undefined) expect((thrown as RetryableError).retryAfterMs).toBe(retryAfterMs);
    },
  );
});

describe("Service Bus adapter: queue stats", () => {
  it("reads depth from the queue's runtime properties", async () => {
    administration.counts.set("certificate-events", {
      activeMessageCount: 7,
      scheduledMessageCount: 2,
      deadLetterMessageCount: 1,
    });
    expect(await bus.depth("certificateEvents")).toEqual({ active: 7, scheduled: 2, deadLetter: 1 });
  });

  it("says what is missing when no administration client was given", async () => {
    await expect(createServiceBusBus({ client }).depth("notifications")).rejects.toThrow(
      "queue depth needs a ServiceBusAdministrationClient",
    );
  });

  it("keeps a missing queue's error as it is (a configuration problem, not a retry)", async () => {
    await expect(bus.depth("reprovision")).rejects.toBeInstanceOf(ServiceBusError);
  });

  it("peeks dead letters through a dead-letter receiver, with reason and description, and closes it", async () => {
    const event = notificationEvent(run, 9);
    client.deadLetters.set("notifications", [
      deadLetterMessage({
        messageId: event.id,
        body: event,
        deadLetterReason: "MaxDeliveryCountExceeded",
        deadLetterErrorDescription: "Graph answered 400",
      }),
      deadLetterMessage({ messageId: "second", body: {} }),
    ]);
    expect(await bus.peekDeadLetters("notifications", 1)).toEqual([
      {
        messageId: event.id,
        reason: "MaxDeliveryCountExceeded",
        description: "Graph answered 400",
        body: event,
      },
    ]);
    expect(await bus.peekDeadLetters("notifications", 5)).toEqual([
      {
        messageId: event.id,
        reason: "MaxDeliveryCountExceeded",
        description: "Graph answered 400",
        body: event,
      },
      { messageId: "second", reason: "", description: "", body: {} },
    ]);
    expect(client.receivers.map((r) => [r.queueName, r.options?.subQueueType, r.closed])).toEqual([
      ["notifications", "deadLetter", true],
      ["notifications", "deadLetter", true],
    ]);
  });
});
