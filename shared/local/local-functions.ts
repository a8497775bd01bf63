/**
 * What the local host runs, as three lists: the HTTP routes, the queue consumers and the timers, each
 * bound to the installed runtime's deps.
 */
import type { InvocationContext, Timer } from "@azure/functions";
import type { InProcessBus } from "../adapters/in-process-bus/bus.ts";
import type { Route } from "../http/router.ts";
import { apiRoutes } from "../http/routes/index.ts";
import type { Clock, ReceivedMessage } from "../ports.ts";
import type { Runtime } from "../runtime.ts";
import { checkCrls } from "../usecases/check-crls.ts";
import { processCertificateEvent } from "../usecases/process-certificate-event.ts";
import { queryEvents } from "../usecases/query-events.ts";
import { queryStatus } from "../usecases/query-status.ts";
import { registerCertificate } from "../usecases/register-certificate.ts";
import { revalidateOnTrustChange } from "../usecases/revalidate-all.ts";
import { scanExpiry } from "../usecases/scan-expiry.ts";
import type { QueueJob } from "./consumers.ts";
import type { TimerJob } from "./timers.ts";

export interface LocalFunctions {
  readonly routes: readonly Route[];
  readonly queues: readonly QueueJob[];
  readonly timers: readonly TimerJob[];
}

/** The Service Bus message a queue handler was given, rebuilt from its body and trigger metadata. */
function receivedOf(body: unknown, context: InvocationContext): ReceivedMessage {
  const m = context.triggerMetadata ?? {};
  const props = (m.applicationProperties ?? {}) as Record<string, string | number | boolean>;
  return {
    messageId: String(m.messageId ?? ""),
    ...(typeof m.sessionId === "string" ? { sessionId: m.sessionId } : {}),
    deliveryCount: Number(m.deliveryCount ?? 1),
    enqueuedAt: new Date(String(m.enqueuedTimeUtc ?? new Date(0).toISOString())),
    body,
    applicationProperties: props,
  };
}

export function localFunctions(runtime: Runtime, parts: { bus: InProcessBus; clock: Clock }): LocalFunctions {
  const { deps } = runtime;
  const routes = apiRoutes({
    registerCertificate: (input) => registerCertificate(deps, input),
    readStatus: () => queryStatus(deps),
    audit: deps.audit,
    users: deps.users,
    checks: {
      tables: async () => void (await deps.cursors.get("health")),
      bus: async () => void (await parts.bus.depth("certificateEvents")),
    },
    logger: deps.logger,
  });
  void queryEvents;
  const timer = (name: string, schedule: string, run: (now: Date) => Promise<unknown>): TimerJob => ({
    name,
    schedule,
    run: async (_t: Timer) => void (await run(parts.clock.now())),
  });
  return {
    routes,
    queues: [
      {
        name: "onCertificateEvent",
        queue: "certificateEvents",
        concurrency: 16,
        handler: (body, context) => processCertificateEvent(deps, receivedOf(body, context)),
      },
    ],
    timers: [
      timer("scanExpiry", "0 0 6 * * *", (now) => scanExpiry(deps, { now })),
      timer("checkCrls", "0 0 * * * *", (now) => checkCrls(deps, { now })),
      timer("revalidateOnTrustChange", "0 */5 * * * *", (now) => revalidateOnTrustChange(deps, { now })),
    ],
  };
}
