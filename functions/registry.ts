/**
 * Every function of the pipeline, as data: what functions/index.ts registers with the Functions host and
 * what the local host (`smimectl serve`) runs in one process. One list, so the two can never disagree on
 * a name, a schedule or a queue.
 */
import type {
  HttpHandler,
  HttpTriggerOptions,
  ServiceBusQueueHandler,
  ServiceBusQueueTriggerOptions,
  TimerHandler,
  TimerTriggerOptions,
} from "@azure/functions";
import type { QueueKey } from "../shared/contracts/queues.ts";
import { adminOperations, adminOperationsOptions } from "./admin-operations.ts";
import { adminReprovision, adminReprovisionOptions } from "./admin-reprovision.ts";
import { auditAppConfig, auditAppConfigOptions } from "./audit-app-config.ts";
import { checkCrls, checkCrlsOptions } from "./check-crls.ts";
import { checkDirectory, checkDirectoryOptions } from "./check-directory.ts";
import { getDashboard, getDashboardOptions } from "./get-dashboard.ts";
import { getEvents, getEventsOptions } from "./get-events.ts";
import { getHealth, getHealthOptions } from "./get-health.ts";
import { getStatus, getStatusOptions } from "./get-status.ts";
import { getUserReadiness, getUserReadinessOptions } from "./get-user-readiness.ts";
import { getUsers, getUsersOptions } from "./get-users.ts";
import { graphLifecycle, graphLifecycleOptions } from "./graph-lifecycle.ts";
import { graphNotifications, graphNotificationsOptions } from "./graph-notifications.ts";
import { onCertificateEvent, onCertificateEventOptions } from "./on-certificate-event.ts";
import { onNotification, onNotificationOptions } from "./on-notification.ts";
import { onReprovision, onReprovisionOptions } from "./on-reprovision.ts";
import { postCertificates, postCertificatesOptions } from "./post-certificates.ts";
import { postCertificatesValidate, postCertificatesValidateOptions } from "./post-certificates-validate.ts";
import { renewSubscription, renewSubscriptionOptions } from "./renew-subscription.ts";
import { revalidateOnTrustChange, revalidateOnTrustChangeOptions } from "./revalidate-on-trust-change.ts";
import { scanExpiry, scanExpiryOptions } from "./scan-expiry.ts";
import { syncIntune, syncIntuneOptions } from "./sync-intune.ts";
import { syncUsers, syncUsersOptions } from "./sync-users.ts";
import { tracedQueueHandler, tracedTimerHandler } from "./traced.ts";

export interface HttpFunction {
  readonly name: string;
  readonly trigger: "http";
  readonly options: HttpTriggerOptions & { readonly route: string };
  readonly handler: HttpHandler;
}

/** What a timer function cannot do anything without: a Graph tenant, an LDAP directory. */
export type Requirement = "graph" | "ldap";

export interface TimerFunction {
  readonly name: string;
  readonly trigger: "timer";
  /**
   * The Functions host runs it regardless (Azure always has Graph; a run without LDAP_URL says so and
   * ends); the local host leaves it out when it has no tenant or directory to talk to.
   */
  readonly requires?: readonly Requirement[];
  /** Six-field NCRONTAB, UTC. */
  readonly options: TimerTriggerOptions;
  readonly handler: TimerHandler;
}

export interface QueueFunction {
  readonly name: string;
  readonly trigger: "queue";
  readonly queue: QueueKey;
  /**
   * Invocations in flight at once; host.json's `maxConcurrentSessions` (sessions queues) or
   * `maxConcurrentCalls` says the same to the Functions host.
   */
  readonly concurrency: number;
  readonly options: ServiceBusQueueTriggerOptions;
  readonly handler: ServiceBusQueueHandler;
}

export type FunctionEntry = HttpFunction | TimerFunction | QueueFunction;

const entries: readonly FunctionEntry[] = [
  {
    name: "onCertificateEvent",
    trigger: "queue",
    queue: "certificateEvents",
    concurrency: 16,
    options: onCertificateEventOptions,
    handler: onCertificateEvent,
  },
  {
    name: "onNotification",
    trigger: "queue",
    queue: "notifications",
    concurrency: 8,
    options: onNotificationOptions,
    handler: onNotification,
  },
  {
    name: "onReprovision",
    trigger: "queue",
    queue: "reprovision",
    concurrency: 4,
    options: onReprovisionOptions,
    handler: onReprovision,
  },
  { name: "scanExpiry", trigger: "timer", options: scanExpiryOptions, handler: scanExpiry },
  { name: "checkCrls", trigger: "timer", options: checkCrlsOptions, handler: checkCrls },
  {
    name: "revalidateOnTrustChange",
    trigger: "timer",
    options: revalidateOnTrustChangeOptions,
    handler: revalidateOnTrustChange,
  },
  // Graph: the users first, so that the Intune sync finds the users its certificates belong to.
  {
    name: "syncUsers",
    trigger: "timer",
    requires: ["graph"],
    options: syncUsersOptions,
    handler: syncUsers,
  },
  {
    name: "renewSubscription",
    trigger: "timer",
    requires: ["graph"],
    options: renewSubscriptionOptions,
    handler: renewSubscription,
  },
  {
    name: "syncIntune",
    trigger: "timer",
    requires: ["graph"],
    options: syncIntuneOptions,
    handler: syncIntune,
  },
  {
    name: "auditAppConfig",
    trigger: "timer",
    requires: ["graph"],
    options: auditAppConfigOptions,
    handler: auditAppConfig,
  },
  {
    name: "checkDirectory",
    trigger: "timer",
    requires: ["ldap"],
    options: checkDirectoryOptions,
    handler: checkDirectory,
  },
  { name: "postCertificates", trigger: "http", options: postCertificatesOptions, handler: postCertificates },
  { name: "getHealth", trigger: "http", options: getHealthOptions, handler: getHealth },
  { name: "getStatus", trigger: "http", options: getStatusOptions, handler: getStatus },
  { name: "getEvents", trigger: "http", options: getEventsOptions, handler: getEvents },
  { name: "getUsers", trigger: "http", options: getUsersOptions, handler: getUsers },
  { name: "getUserReadiness", trigger: "http", options: getUserReadinessOptions, handler: getUserReadiness },
  {
    name: "postCertificatesValidate",
    trigger: "http",
    options: postCertificatesValidateOptions,
    handler: postCertificatesValidate,
  },
  { name: "adminReprovision", trigger: "http", options: adminReprovisionOptions, handler: adminReprovision },
  { name: "adminOperations", trigger: "http", options: adminOperationsOptions, handler: adminOperations },
  { name: "getDashboard", trigger: "http", options: getDashboardOptions, handler: getDashboard },
  {
    name: "graphNotifications",
    trigger: "http",
    options: graphNotificationsOptions,
    handler: graphNotifications,
  },
  { name: "graphLifecycle", trigger: "http", options: graphLifecycleOptions, handler: graphLifecycle },
];

/** An entry whose handler runs in its span: a queue message's trace continued, a timer run's own. */
function traced(entry: FunctionEntry): FunctionEntry {
  if (entry.trigger === "queue")
    return { ...entry, handler: tracedQueueHandler(entry.name, entry.queue, entry.handler) };
  if (entry.trigger === "timer") return { ...entry, handler: tracedTimerHandler(entry.name, entry.handler) };
  return entry;
}

/** Every function; queue and timer handlers wrapped in their spans here, so both hosts run them traced. */
export const functionRegistry: readonly FunctionEntry[] = entries.map(traced);

/** The part of `@azure/functions`' `app` registration uses (the real `app` satisfies it). */
export interface FunctionApp {
  http(name: string, options: HttpTriggerOptions & { handler: HttpHandler }): void;
  timer(name: string, options: TimerTriggerOptions & { handler: TimerHandler }): void;
  serviceBusQueue(
    name: string,
    options: ServiceBusQueueTriggerOptions & { handler: ServiceBusQueueHandler },
  ): void;
}

/** Registers every entry with the Functions host's `app`. */
export function registerFunctions(
  app: FunctionApp,
  entries: readonly FunctionEntry[] = functionRegistry,
): void {
  for (const entry of entries) {
    if (entry.trigger === "http") app.http(entry.name, { ...entry.options, handler: entry.handler });
    else if (entry.trigger === "timer") app.timer(entry.name, { ...entry.options, handler: entry.handler });
    else app.serviceBusQueue(entry.name, { ...entry.options, handler: entry.handler });
  }
}
