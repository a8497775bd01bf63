import type { MessageHandlers, ServiceBusReceivedMessage } from "@azure/service-bus";
import { describe, expect, it, vi } from "vitest";
import {
  createServiceBusConsumer,
  type ServiceBusConsumerClient,
} from "../../../shared/adapters/service-bus-consumer.ts";
import { PermanentError, RetryableError } from "../../../shared/errors.ts";
import type { ReceivedMessage } from "../../../shared/ports.ts";
import { notificationEvent } from "../../support/bus-events.ts";

type Settlement = [kind: string, messageId: unknown, detail?: unknown];

/** A peek-lock receiver: `subscribe` hands messages to processMessage; settlements are recorded. */
class FakeReceiver {
  readonly settled: Settlement[] = [];
  handlers: MessageHandlers | undefined;
  subscribeOptions: unknown;
  closed = false;
  subscribe(handlers: MessageHandlers, options?: unknown) {
    this.handlers = handlers;
    this.subscribeOptions = options;
    return { close: async () => {} };
  }
  async receiveMessages(): Promise<ServiceBusReceivedMessage[]> {
    return [];
  }
  async completeMessage(m: ServiceBusReceivedMessage) {
    this.settled.push(["complete", m.messageId]);
  }
  async abandonMessage(m: ServiceBusReceivedMessage) {
    this.settled.push(["abandon", m.messageId]);
  }
  async deadLetterMessage(m: ServiceBusReceivedMessage, options?: unknown) {
    this.settled.push(["deadLetter", m.messageId, options]);
  }
  async close() {
    this.closed = true;
  }
}

function received(deliveryCountFromSdk: number): ServiceBusReceivedMessage {
  const event = notificationEvent("consumer", 1);
  return {
    body: event,
    messageId: event.id,
    sessionId: "consumer-user-1",
    deliveryCount: deliveryCountFromSdk,
    enqueuedTimeUtc: new Date("2026-03-02T09:00:00.000Z"),
    applicationProperties: { "cloudEvents:type": event.type, at: new Date("2026-03-02T09:00:00.000Z") },
    state: "active",
    _rawAmqpMessage: { body: event },
  };
}

function consumerWith(receiver: FakeReceiver) {
  const client = {
    createReceiver: () => receiver,
    acceptNextSession: async () => {
      throw new Error("not used");
    },
  } as unknown as ServiceBusConsumerClient;
  return createServiceBusConsumer({ client, random: () => 0, backoff: { baseMs: 1, maxMs: 1 } });
}

describe("Service Bus consumer: settlement by outcome", () => {
  const cases: ReadonlyArray<{ name: string; sdkCount: number; fail?: () => Error; expected: Settlement }> = [
    { name: "resolved → complete", sdkCount: 0, expected: ["complete", notificationEvent("consumer", 1).id] },
    {
      name: "PermanentError → complete",
      sdkCount: 0,
      fail: () => new PermanentError("unknown user"),
      expected: ["complete", notificationEvent("consumer", 1).id],
    },
    {
      name: "RetryableError → abandon after the back-off",
      sdkCount: 3,
      fail: () => new RetryableError("busy", 1),
      expected: ["abandon", notificationEvent("consumer", 1).id],
    },
    {
      name: "failure on the 10th delivery (SDK count 9) → dead-letter with reason and description",
      sdkCount: 9,
      fail: () => new Error("Graph answered 400"),
      expected: [
        "deadLetter",
        notificationEvent("consumer", 1).id,
        { deadLetterReason: "MaxDeliveryCountExceeded", deadLetterErrorDescription: "Graph answered 400" },
      ],
    },
  ];
  it.each(cases)("$name", async ({ sdkCount, fail, expected }) => {
    const receiver = new FakeReceiver();
    const seen: ReceivedMessage[] = [];
    const subscription = consumerWith(receiver).subscribe(
      "notifications",
      async (m) => {
        seen.push(m);
        if (fail) throw fail();
      },
      { concurrency: 3 },
    );
    expect(receiver.subscribeOptions).toEqual({ autoCompleteMessages: false, maxConcurrentCalls: 3 });
    await receiver.handlers!.processMessage(received(sdkCount));
    expect(receiver.settled).toEqual([expected]);
    expect(seen[0]).toMatchObject({
      messageId: notificationEvent("consumer", 1).id,
      sessionId: "consumer-user-1",
      deliveryCount: sdkCount + 1,
      applicationProperties: { "cloudEvents:type": "notification.requested", at: "2026-03-02T09:00:00.000Z" },
    });
    await subscription.close();
    expect(receiver.closed).toBe(true);
  });
});

describe("Service Bus consumer: sessions", () => {
  it("drains an accepted session in order, lets it go when idle, and stops on close", async () => {
    const session = new FakeReceiver();
    const queue = [received(0), { ...received(0), messageId: "second" }];
    session.receiveMessages = async () => {
      const next = queue.shift();
      return next ? [next] : [];
    };
    let accepted = 0;
    const client = {
      createReceiver: () => {
        throw new Error("not used");
      },
      acceptNextSession: async (_name: string, options?: { abortSignal?: AbortSignal }) => {
        accepted++;
        if (accepted === 1) return session;
        // No other session: wait like the service does, until the consumer is closed.
        return new Promise((_resolve, reject) =>
          options?.abortSignal?.addEventListener("abort", () => reject(new Error("aborted"))),
        );
      },
    } as unknown as ServiceBusConsumerClient;
    const order: string[] = [];
    const subscription = createServiceBusConsumer({ client }).subscribe("certificateEvents", async (m) => {
      order.push(m.messageId);
    });
    await vi.waitFor(() => expect(session.closed).toBe(true));
    expect(order).toEqual([notificationEvent("consumer", 1).id, "second"]);
    expect(session.settled.map(([kind]) => kind)).toEqual(["complete", "complete"]);
    await subscription.close();
    expect(accepted).toBe(2);
  });
});
