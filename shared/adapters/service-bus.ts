/**
 * The EventBus and QueueStats ports on Azure Service Bus (`@azure/service-bus`). Each event becomes one
 * message (service-bus-message.ts): messageId = event id (duplicate detection drops a replay), sessionId =
 * the user, subject = event type, the CloudEvents envelope as body. Consumers in Azure are the Functions
 * Service Bus triggers (host.json); this side only sends, schedules, cancels and reports depth.
 */
import type { TokenCredential } from "@azure/identity";
import {
  type QueueRuntimeProperties,
  ServiceBusAdministrationClient,
  ServiceBusClient,
  type ServiceBusMessage,
  type ServiceBusReceiver,
  type ServiceBusReceiverOptions,
  type ServiceBusSender,
} from "@azure/service-bus";
import Long from "long";
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import { type QueueKey, Queues } from "../contracts/queues.ts";
import type { EventBus, QueueStats } from "../ports.ts";
import { publishing } from "../telemetry/messaging.ts";
import { sendInBatches } from "./service-bus-batches.ts";
import { isMessageNotFound, toBusError } from "./service-bus-errors.ts";
import { toOutgoingMessage } from "./service-bus-message.ts";

/** The part of a ServiceBusSender the adapter uses (a real sender is one). */
export type ServiceBusSenderLike = Pick<
  ServiceBusSender,
  "createMessageBatch" | "sendMessages" | "scheduleMessages" | "cancelScheduledMessages" | "close"
>;

/** The part of a ServiceBusClient the adapter uses (a real client is one). */
export interface ServiceBusClientLike {
  createSender(queueName: string): ServiceBusSenderLike;
  createReceiver(
    queueName: string,
    options?: ServiceBusReceiverOptions,
  ): Pick<ServiceBusReceiver, "peekMessages" | "close">;
  close(): Promise<void>;
}

/** The part of a ServiceBusAdministrationClient the adapter uses. */
export interface ServiceBusAdministrationLike {
  getQueueRuntimeProperties(
    queueName: string,
  ): Promise<
    Pick<QueueRuntimeProperties, "activeMessageCount" | "scheduledMessageCount" | "deadLetterMessageCount">
  >;
}

export interface ServiceBusBusOptions {
  readonly client: ServiceBusClientLike;
  /** Needed for `depth` only (runtime counts come from the management plane). */
  readonly administration?: ServiceBusAdministrationLike;
  /** Close the client with the bus (true when the bus created it). */
  readonly ownsClient?: boolean;
}

/** Where the namespace is: a connection string (local tools), or the namespace with an Entra credential. */
export type ServiceBusSettings =
  | { readonly connectionString: string }
  | {
      /** e.g. "contoso-smime.servicebus.windows.net" */
      readonly fullyQualifiedNamespace: string;
      /** Default: DefaultAzureCredential (managed identity in Azure, the developer's login locally). */
      readonly credential?: TokenCredential;
    };

export interface ServiceBusBus extends EventBus, QueueStats {
  /** Closes the cached senders (and the client, when the bus created it). */
  close(): Promise<void>;
}

/** The Service Bus message for `event` on `queue`; `at` sets the scheduled enqueue time. */
export function toServiceBusMessage(
  queue: QueueKey,
  event: CloudEventEnvelope,
  at?: Date,
  traceparent: string | undefined = event.traceparent,
): ServiceBusMessage {
  const m = toOutgoingMessage(queue, event, traceparent);
  return {
    body: m.body,
    messageId: m.messageId,
    ...(m.sessionId === undefined ? {} : { sessionId: m.sessionId }),
    subject: m.subject,
    contentType: m.contentType,
    applicationProperties: { ...m.applicationProperties },
    ...(at === undefined ? {} : { scheduledEnqueueTimeUtc: at }),
  };
}

function parseSequenceNumber(token: string): Long {
  if (!/^\d+$/.test(token)) throw new TypeError(`not a schedule token: "${token}"`);
  return Long.fromString(token);
}

/** A bus on an existing client (tests pass a fake with the same shape). */
export function createServiceBusBus(options: ServiceBusBusOptions): ServiceBusBus {
  const { client, administration } = options;
  const senders = new Map<QueueKey, ServiceBusSenderLike>();
  const senderFor = (queue: QueueKey): ServiceBusSenderLike => {
    let sender = senders.get(queue);
    if (!sender) {
      sender = client.createSender(Queues[queue].name);
      senders.set(queue, sender);
    }
    return sender;
  };
  const attempt = async <T>(action: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toBusError(error, action);
    }
  };

  return {
    publish: (queue, event) =>
      publishing(Queues[queue].name, [event], (stamped, trace) =>
        attempt(`send to "${Queues[queue].name}"`, () =>
          senderFor(queue).sendMessages(stamped.map((e) => toServiceBusMessage(queue, e, undefined, trace))),
        ),
      ),
    publishMany: (queue, events) =>
      publishing(Queues[queue].name, events, (stamped, trace) =>
        attempt(`send a batch to "${Queues[queue].name}"`, () =>
          sendInBatches(
            senderFor(queue),
            stamped.map((e) => toServiceBusMessage(queue, e, undefined, trace)),
            Queues[queue].sessions,
          ),
        ),
      ),
    schedule: (queue, event, at) =>
      publishing(Queues[queue].name, [event], (stamped, trace) =>
        attempt(`schedule on "${Queues[queue].name}"`, async () => {
          const [sequenceNumber] = await senderFor(queue).scheduleMessages(
            stamped.map((e) => toServiceBusMessage(queue, e, at, trace)),
            at,
          );
          if (sequenceNumber === undefined) throw new Error("Service Bus returned no sequence number");
          return sequenceNumber.toString();
        }),
      ),
    async cancel(queue, token) {
      const sequenceNumber = parseSequenceNumber(token);
      await attempt(`cancel on "${Queues[queue].name}"`, async () => {
        try {
          await senderFor(queue).cancelScheduledMessages(sequenceNumber);
        } catch (error) {
          // Already enqueued or already cancelled: nothing left to cancel, as on the in-process bus.
          if (!isMessageNotFound(error)) throw error;
        }
      });
    },
    async depth(queue) {
      if (!administration) throw new Error("queue depth needs a ServiceBusAdministrationClient");
      const name = Queues[queue].name;
      const p = await attempt(`read the runtime properties of "${name}"`, () =>
        administration.getQueueRuntimeProperties(name),
      );
      return {
        active: p.activeMessageCount,
        scheduled: p.scheduledMessageCount,
        deadLetter: p.deadLetterMessageCount,
      };
    },
    async peekDeadLetters(queue, max) {
      const name = Queues[queue].name;
      const receiver = client.createReceiver(name, { subQueueType: "deadLetter", receiveMode: "peekLock" });
      try {
        const messages = await attempt(`peek the dead letters of "${name}"`, () =>
          receiver.peekMessages(max),
        );
        return messages.map((m) => ({
          messageId: String(m.messageId),
          reason: m.deadLetterReason ?? "",
          description: m.deadLetterErrorDescription ?? "",
          body: m.body as unknown,
        }));
      } finally {
        await receiver.close();
      }
    },
    async close() {
      await Promise.all([...senders.values()].map((s) => s.close()));
      senders.clear();
      if (options.ownsClient) await client.close();
    },
  };
}

/** A bus from settings: connection string, or namespace + managed identity / DefaultAzureCredential. */
export async function createServiceBusBusFromSettings(settings: ServiceBusSettings): Promise<ServiceBusBus> {
  if ("connectionString" in settings)
    return createServiceBusBus({
      client: new ServiceBusClient(settings.connectionString),
      administration: new ServiceBusAdministrationClient(settings.connectionString),
      ownsClient: true,
    });
  const credential = settings.credential ?? new (await import("@azure/identity")).DefaultAzureCredential();
  return createServiceBusBus({
    client: new ServiceBusClient(settings.fullyQualifiedNamespace, credential),
    administration: new ServiceBusAdministrationClient(settings.fullyQualifiedNamespace, credential),
    ownsClient: true,
  });
}
