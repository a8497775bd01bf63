/**
 * onReprovision: the reprovision queue → one step further for a re-provisioning operation (the use case
 * `processReprovision`): device syncs, the user's notice, then a look at the inventory now and then until the
 * new certificate is there or the deadline passes.
 *
 * Settlement as onCertificateEvent: returning completes; a RetryableError or another error abandons (the bus
 * redelivers, the record keeps the steps done); a PoisonMessageError ends in the dead-letter queue.
 */
import type { InvocationContext, ServiceBusQueueTriggerOptions } from "@azure/functions";
import { Queues } from "../shared/contracts/queues.ts";
import { PoisonMessageError } from "../shared/errors.ts";
import type { OperationStore } from "../shared/ports.ts";
import { runtime } from "../shared/runtime.ts";
import {
  AZURE_REPROVISION_TIMING,
  LOCAL_REPROVISION_TIMING,
  processReprovision,
} from "../shared/usecases/reprovision-process.ts";
import { receivedMessage } from "./invocation.ts";
import { graphDepsFor } from "./sync-users.ts";

export const onReprovisionOptions = {
  connection: "ServiceBusConnection",
  queueName: Queues.reprovision.name,
  isSessionsEnabled: false,
} satisfies ServiceBusQueueTriggerOptions;

export async function onReprovision(body: unknown, context: InvocationContext): Promise<void> {
  const message = receivedMessage(body, context);
  const deps = graphDepsFor(context, { messageId: message.messageId, deliveryCount: message.deliveryCount });
  const { mode, deps: stores } = runtime();
  const operations: OperationStore = stores.operations;
  const timing = mode === "local" ? LOCAL_REPROVISION_TIMING : AZURE_REPROVISION_TIMING;
  try {
    const outcome = await processReprovision({ ...deps, operations, timing }, message);
    deps.logger.info("reprovision message handled", { ...outcome });
  } catch (error) {
    if (error instanceof PoisonMessageError)
      deps.logger.error("poison message", { reason: error.reason, error });
    throw error;
  }
}
