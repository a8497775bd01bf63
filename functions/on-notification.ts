/**
 * onNotification: the notifications queue → the user told on Company Portal and/or by e-mail.
 *
 * Settlement as onCertificateEvent: returning completes the message; a RetryableError (Graph 429/5xx) or any
 * other error abandons it for redelivery; a PoisonMessageError ends in the dead-letter queue; a PermanentError
 * (an unknown user) is logged and the message completes.
 */
import type { InvocationContext, ServiceBusQueueTriggerOptions } from "@azure/functions";
import { Queues } from "../shared/contracts/queues.ts";
import { PermanentError, PoisonMessageError } from "../shared/errors.ts";
import { runtime } from "../shared/runtime.ts";
import type { Deps, GraphDeps } from "../shared/usecases/deps.ts";
import { sendNotification } from "../shared/usecases/send-notification.ts";
import { depsFor, receivedMessage } from "./invocation.ts";

export const onNotificationOptions = {
  connection: "ServiceBusConnection",
  queueName: Queues.notifications.name,
} satisfies ServiceBusQueueTriggerOptions;

export async function onNotification(body: unknown, context: InvocationContext): Promise<void> {
  const message = receivedMessage(body, context);
  const deps: Deps & Partial<GraphDeps> = depsFor(context, {
    messageId: message.messageId,
    deliveryCount: message.deliveryCount,
  });
  const { graph } = deps;
  // A configuration fault, not the message's: it fails the delivery, so nothing is lost while it is fixed.
  if (!graph) throw new Error("no Microsoft Graph gateway: set GRAPH_TENANT_ID and GRAPH_CLIENT_ID");
  const { settings, deps: stores } = runtime();
  const notify = {
    channel: settings.notifyChannel,
    dryRun: settings.dryRun,
    ...(settings.mailSender ? { mailSender: settings.mailSender } : {}),
  };
  try {
    const result = await sendNotification(
      { ...deps, graph, notifications: stores.notifications, notify },
      message,
    );
    deps.logger.info("notification handled", { ...result });
  } catch (error) {
    if (error instanceof PoisonMessageError)
      deps.logger.error("poison message", { reason: error.reason, error });
    if (!(error instanceof PermanentError)) throw error;
    deps.logger.warn("notification failed for good; completed", { error });
  }
}
