/**
 * A fake Service Bus client with the real API's shape and semantics where the adapter depends on them:
 * `createMessageBatch` honours `maxSizeInBytes` (tryAddMessage answers false once a message would not fit),
 * `sendMessages` refuses a single message or array above the link's limit with MessageSizeExceeded,
 * `scheduleMessages` answers 64-bit sequence numbers as `Long`, `cancelScheduledMessages` fails with
 * MessageNotFound for a number it does not hold, and failures are the SDK's own `ServiceBusError`s.
 * Sizes are the JSON length of the message plus a fixed AMQP overhead: not the SDK's exact encoding, but
 * the same rule (a batch never exceeds its limit).
 */
import {
  type QueueRuntimeProperties,
  ServiceBusError,
  type ServiceBusMessage,
  type ServiceBusMessageBatch,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiverOptions,
} from "@azure/service-bus";
import Long from "long";
import type {
  ServiceBusAdministrationLike,
  ServiceBusClientLike,
  ServiceBusSenderLike,
} from "../../shared/adapters/service-bus.ts";

type BatchItem = Parameters<ServiceBusMessageBatch["tryAddMessage"]>[0];
type Sendable = Parameters<ServiceBusSenderLike["sendMessages"]>[0];

/** The standard tier's message (and batch) size limit. */
export const STANDARD_MAX_BYTES = 256 * 1024;
const AMQP_OVERHEAD = 64;

export function encodedSize(message: BatchItem): number {
  return Buffer.byteLength(JSON.stringify(message)) + AMQP_OVERHEAD;
}

class FakeBatch implements ServiceBusMessageBatch {
  readonly messages: ServiceBusMessage[] = [];
  sizeInBytes = 0;
  constructor(readonly maxSizeInBytes: number) {}
  get count(): number {
    return this.messages.length;
  }
  tryAddMessage(message: BatchItem): boolean {
    const size = encodedSize(message);
    if (this.sizeInBytes + size > this.maxSizeInBytes) return false;
    this.messages.push(message as ServiceBusMessage);
    this.sizeInBytes += size;
    return true;
  }
}

/** One `sendMessages` call as the service saw it. */
export interface SentCall {
  readonly messages: ServiceBusMessage[];
  /** Present when a batch was sent. */
  readonly batch?: { readonly sizeInBytes: number; readonly maxSizeInBytes: number };
}

export class FakeSender implements ServiceBusSenderLike {
  readonly sent: SentCall[] = [];
  readonly scheduled = new Map<string, { message: ServiceBusMessage; at: Date }>();
  readonly cancelled: string[] = [];
  /** The next call (of any kind) throws this. */
  failNext: unknown;
  closed = false;
  private nextSequence = Long.fromString("72057594037927936"); // 2^56: beyond a JS number's exact range

  constructor(
    readonly queueName: string,
    private readonly maxSizeInBytes: number,
  ) {}

  private throwIfFailing(): void {
    if (this.failNext === undefined) return;
    const error = this.failNext;
    this.failNext = undefined;
    throw error;
  }

  async createMessageBatch(options?: { maxSizeInBytes?: number }): Promise<ServiceBusMessageBatch> {
    this.throwIfFailing();
    return new FakeBatch(Math.min(options?.maxSizeInBytes ?? this.maxSizeInBytes, this.maxSizeInBytes));
  }

  async sendMessages(messages: Sendable): Promise<void> {
    this.throwIfFailing();
    if (messages instanceof FakeBatch) {
      this.sent.push({
        messages: [...messages.messages],
        batch: { sizeInBytes: messages.sizeInBytes, maxSizeInBytes: messages.maxSizeInBytes },
      });
      return;
    }
    const list = (Array.isArray(messages) ? messages : [messages]) as ServiceBusMessage[];
    const size = list.reduce((sum, m) => sum + encodedSize(m), 0);
    if (size > this.maxSizeInBytes)
      throw new ServiceBusError(
        `message of ${size} bytes exceeds ${this.maxSizeInBytes}`,
        "MessageSizeExceeded",
      );
    this.sent.push({ messages: list });
  }

  async scheduleMessages(messages: ServiceBusMessage | ServiceBusMessage[], at: Date): Promise<Long[]> {
    this.throwIfFailing();
    return (Array.isArray(messages) ? messages : [messages]).map((message) => {
      this.nextSequence = this.nextSequence.add(1);
      this.scheduled.set(this.nextSequence.toString(), { message, at });
      return this.nextSequence;
    });
  }

  async cancelScheduledMessages(sequenceNumbers: Long | Long[]): Promise<void> {
    this.throwIfFailing();
    for (const n of Array.isArray(sequenceNumbers) ? sequenceNumbers : [sequenceNumbers]) {
      const key = n.toString();
      if (!this.scheduled.delete(key))
        throw new ServiceBusError(`Messages not found. Missing sequence numbers: ${key}`, "MessageNotFound");
      this.cancelled.push(key);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export class FakeReceiver {
  closed = false;
  constructor(
    readonly queueName: string,
    readonly options: ServiceBusReceiverOptions | undefined,
    private readonly messages: readonly ServiceBusReceivedMessage[],
  ) {}
  async peekMessages(max: number): Promise<ServiceBusReceivedMessage[]> {
    return this.messages.slice(0, max);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A dead letter as `peekMessages` returns it. */
export function deadLetterMessage(fields: {
  messageId: string;
  body: unknown;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
}): ServiceBusReceivedMessage {
  return {
    ...fields,
    state: "active",
    deliveryCount: 10,
    _rawAmqpMessage: { body: fields.body, bodyType: "data" },
  };
}

export class FakeServiceBusClient implements ServiceBusClientLike {
  readonly senders: FakeSender[] = [];
  readonly receivers: FakeReceiver[] = [];
  /** Dead letters per queue name, for `peekMessages` on the deadLetter sub-queue. */
  readonly deadLetters = new Map<string, ServiceBusReceivedMessage[]>();
  closed = false;

  constructor(readonly maxSizeInBytes = STANDARD_MAX_BYTES) {}

  createSender(queueName: string): FakeSender {
    const sender = new FakeSender(queueName, this.maxSizeInBytes);
    this.senders.push(sender);
    return sender;
  }

  createReceiver(queueName: string, options?: ServiceBusReceiverOptions): FakeReceiver {
    const messages = options?.subQueueType === "deadLetter" ? (this.deadLetters.get(queueName) ?? []) : [];
    const receiver = new FakeReceiver(queueName, options, messages);
    this.receivers.push(receiver);
    return receiver;
  }

  sender(queueName: string): FakeSender {
    const found = this.senders.find((s) => s.queueName === queueName);
    if (!found) throw new Error(`no sender for ${queueName}`);
    return found;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

type RuntimeCounts = Pick<
  QueueRuntimeProperties,
  "activeMessageCount" | "scheduledMessageCount" | "deadLetterMessageCount"
>;

export class FakeAdministration implements ServiceBusAdministrationLike {
  readonly counts = new Map<string, RuntimeCounts>();
  async getQueueRuntimeProperties(queueName: string): Promise<RuntimeCounts> {
    const counts = this.counts.get(queueName);
    if (!counts) throw new ServiceBusError(`queue ${queueName} not found`, "MessagingEntityNotFound");
    return counts;
  }
}
