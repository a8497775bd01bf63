/**
 * Sends many messages in as few `ServiceBusMessageBatch`es as the size limit allows. On a sessions queue
 * each batch holds one session's messages (the SDK asks that one send carry one sessionId), in their order.
 */
import type { ServiceBusMessage, ServiceBusSender } from "@azure/service-bus";
import { PermanentError } from "../errors.ts";

type BatchSender = Pick<ServiceBusSender, "createMessageBatch" | "sendMessages">;

function groupBySession(messages: readonly ServiceBusMessage[]): ServiceBusMessage[][] {
  const groups = new Map<string, ServiceBusMessage[]>();
  for (const m of messages) {
    const key = m.sessionId ?? "";
    const group = groups.get(key);
    if (group) group.push(m);
    else groups.set(key, [m]);
  }
  return [...groups.values()];
}

function tooLarge(message: ServiceBusMessage, maxSizeInBytes: number): PermanentError {
  return new PermanentError(
    `message ${String(message.messageId)} (${message.subject ?? "no subject"}) is larger than a Service Bus ` +
      `batch can carry (${maxSizeInBytes} bytes): the event's data must shrink`,
  );
}

async function sendGroup(sender: BatchSender, messages: readonly ServiceBusMessage[]): Promise<void> {
  let batch = await sender.createMessageBatch();
  for (const message of messages) {
    if (batch.tryAddMessage(message)) continue;
    if (batch.count === 0) throw tooLarge(message, batch.maxSizeInBytes);
    await sender.sendMessages(batch);
    batch = await sender.createMessageBatch();
    if (!batch.tryAddMessage(message)) throw tooLarge(message, batch.maxSizeInBytes);
  }
  if (batch.count > 0) await sender.sendMessages(batch);
}

/** Sends `messages` batch by batch; on a failure the caller retries the whole call (duplicates are dropped). */
export async function sendInBatches(
  sender: BatchSender,
  messages: readonly ServiceBusMessage[],
  oneSessionPerBatch: boolean,
): Promise<void> {
  for (const group of oneSessionPerBatch ? groupBySession(messages) : [messages])
    await sendGroup(sender, group);
}
