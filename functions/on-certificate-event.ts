/**
 * onCertificateEvent: the certificate-events queue (sessions: one user's events in order) → the inventory.
 *
 * Settlement: returning completes the message; a RetryableError or any other error abandons it (redelivered
 * until the queue's max delivery count, then dead-lettered); a PoisonMessageError is thrown on to end in the
 * dead-letter queue; a PermanentError is logged and the message completes, since no retry can help.
 */
import type { InvocationContext, ServiceBusQueueTriggerOptions } from "@azure/functions";
import { Queues } from "../shared/contracts/queues.ts";
import { PermanentError, PoisonMessageError } from "../shared/errors.ts";
import type { Deps, GraphDeps } from "../shared/usecases/deps.ts";
import { processCertificateEvent } from "../shared/usecases/process-certificate-event.ts";
import { depsFor, receivedMessage } from "./invocation.ts";

export const onCertificateEventOptions = {
  connection: "ServiceBusConnection",
  queueName: Queues.certificateEvents.name,
  isSessionsEnabled: true,
} satisfies ServiceBusQueueTriggerOptions;

export async function onCertificateEvent(body: unknown, context: InvocationContext): Promise<void> {
  const message = receivedMessage(body, context);
  // The runtime's deps carry the Graph gateway: a change notification's refresh reads the user from Graph.
  const deps: Deps & Partial<GraphDeps> = depsFor(context, {
    messageId: message.messageId,
    deliveryCount: message.deliveryCount,
  });
  try {
    const outcome = await processCertificateEvent(deps, message);
    deps.logger.info("certificate event handled", { ...outcome });
  } catch (error) {
    if (error instanceof PoisonMessageError)
      deps.logger.error("poison message", { reason: error.reason, error });
    if (!(error instanceof PermanentError)) throw error;
    deps.logger.warn("certificate event failed for good; completed", { error });
  }
}
