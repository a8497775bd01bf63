/**
 * Queue-triggered functions in the local host: each subscribes to its queue on the in-process bus with the
 * concurrency the Functions host would give it, and is called like the Functions host calls it: the
 * message body, and an InvocationContext carrying the Service Bus trigger metadata. A throw abandons the
 * message (the bus redelivers it with back-off, then dead-letters it), as in Azure.
 *
 * SMIME_FAULT_RATE (tests only) fails a fraction of invocations here, before or after the handler.
 */
import type { InvocationContext } from "@azure/functions";
import type { BusConsumer, Subscription } from "../adapters/in-process-bus/bus.ts";
import type { JsonLogger } from "../adapters/logger.ts";
import type { QueueKey } from "../contracts/queues.ts";
import type { ReceivedMessage } from "../ports.ts";
import { InjectedFault, withFaults } from "./faults.ts";
import { createInvocationContext, serviceBusMetadata } from "./invocation.ts";

export interface QueueJob {
  readonly name: string;
  readonly queue: QueueKey;
  /** Invocations in flight at once. */
  readonly concurrency: number;
  handler(message: unknown, context: InvocationContext): Promise<unknown>;
}

export interface ConsumerOptions {
  readonly bus: BusConsumer;
  readonly logger: JsonLogger;
  /** The fraction of invocations to fail on purpose (0 outside tests). */
  readonly faultRate: number;
  readonly random?: () => number;
}

export interface RunningConsumers {
  /** Stops taking messages and waits until every invocation in flight has been settled. */
  stop(): Promise<void>;
}

const traceParentOf = (m: ReceivedMessage): string | undefined => {
  const value = m.applicationProperties["traceparent"] ?? m.applicationProperties["Diagnostic-Id"];
  return typeof value === "string" ? value : undefined;
};

function invoke(job: QueueJob, logger: JsonLogger) {
  return async (message: ReceivedMessage): Promise<void> => {
    const traceParent = traceParentOf(message);
    const context = createInvocationContext({
      functionName: job.name,
      logger,
      triggerMetadata: serviceBusMetadata(message),
      correlationId: message.messageId,
      ...(traceParent ? { traceParent } : {}),
    });
    await job.handler(message.body, context);
  };
}

/** Subscribes every job; a failure is logged with the message's ids, then rethrown for the bus to settle. */
export function startConsumers(jobs: readonly QueueJob[], options: ConsumerOptions): RunningConsumers {
  const subscriptions: Subscription[] = jobs.map((job) => {
    const log = options.logger.child({ functionName: job.name, queue: job.queue });
    const handler = withFaults(invoke(job, options.logger), {
      rate: options.faultRate,
      ...(options.random ? { random: options.random } : {}),
    });
    return options.bus.subscribe(
      job.queue,
      async (message) => {
        try {
          await handler(message);
        } catch (error) {
          const fields = { messageId: message.messageId, deliveryCount: message.deliveryCount, error };
          if (error instanceof InjectedFault) log.info("injected fault", fields);
          else log.warn("invocation failed; the message will be retried or dead-lettered", fields);
          throw error;
        }
      },
      { concurrency: job.concurrency },
    );
  });
  return {
    async stop() {
      await Promise.all(subscriptions.map((s) => s.close()));
    },
  };
}
