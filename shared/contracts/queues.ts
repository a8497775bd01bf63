/**
 * The three queues (DESIGN.md "Events and queues"), defined once: the Service Bus adapter, the in-process
 * bus, host.json and the Bicep templates all read these names and settings.
 */
import type { EventType } from "./events.ts";

export interface QueueDefinition {
  readonly name: string;
  /** Sessions keep one user's events in order (sessionId = the user's object id). */
  readonly sessions: boolean;
  /** Messages with a messageId already seen within the window are dropped. */
  readonly duplicateDetectionWindowMs?: number;
  /** After this many failed deliveries a message goes to the dead-letter queue with the last reason. */
  readonly maxDeliveryCount: number;
  /** How long a receiver holds a message before it is delivered again. */
  readonly lockDurationMs: number;
}

const TEN_MINUTES = 10 * 60_000;

export const Queues = {
  certificateEvents: {
    name: "certificate-events",
    sessions: true,
    duplicateDetectionWindowMs: TEN_MINUTES,
    maxDeliveryCount: 10,
    lockDurationMs: 60_000,
  },
  notifications: {
    name: "notifications",
    sessions: false,
    duplicateDetectionWindowMs: TEN_MINUTES,
    maxDeliveryCount: 10,
    lockDurationMs: 60_000,
  },
  reprovision: { name: "reprovision", sessions: false, maxDeliveryCount: 10, lockDurationMs: 5 * 60_000 },
} as const satisfies Record<string, QueueDefinition>;

export type QueueKey = keyof typeof Queues;
export type QueueName = (typeof Queues)[QueueKey]["name"];

/** The session of a message on a sessions queue that concerns no user (CRL and policy events). */
export const SYSTEM_SESSION = "system";

/**
 * Which queue carries each event type; `null` marks an outcome that is only recorded in the audit ledger
 * (nothing in the pipeline acts on it).
 */
export const ROUTES: Readonly<Record<EventType, QueueKey | null>> = {
  "certificate.discovered": "certificateEvents",
  "certificate.expiring": "certificateEvents",
  "certificate.expired": "certificateEvents",
  "certificate.revoked": "certificateEvents",
  "certificate.removed": "certificateEvents",
  "certificate.revalidationRequested": "certificateEvents",
  "user.changed": "certificateEvents",
  "user.refreshRequested": "certificateEvents",
  "notification.requested": "notifications",
  "reprovision.requested": "reprovision",
  "certificate.validated": null,
  "certificate.validationFailed": null,
  "crl.unreachable": null,
  "crl.recovered": null,
  "policy.drifted": null,
  "reprovision.completed": null,
  "reprovision.failed": null,
  "notification.sent": null,
  "notification.failed": null,
};
