/**
 * Every pipeline event: one zod schema per type (DESIGN.md "Events and queues"). The schema is the single
 * source of truth: the publisher builds envelopes from it, the consumer parses with it, and every type is
 * inferred from it.
 *
 * An event's id is a hash of its type and its identity fields, never random: the same fact published twice
 * (a retried function, a replayed sync) gets the same id, and Service Bus duplicate detection drops it.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { CloudEventEnvelope } from "./cloud-event.ts";
import { ProblemSchema, PurposeVerdictSchema } from "./validation-report.ts";

export const Thumbprint = z.string().regex(/^[0-9A-F]{40}$/, "a SHA-1 thumbprint: 40 upper-case hex digits");
export const CertificatePurpose = z.enum(["signing", "encryption", "both"]);
export const CertificateSource = z.enum(["intunePfx", "intuneScep", "intunePkcs", "manual", "directory"]);
export const LifecycleState = z.enum([
  "discovered",
  "valid",
  "invalid",
  "expiring",
  "expired",
  "revoked",
  "removed",
]);
export const Platform = z.enum(["iOS", "android"]);
export const NotificationReason = z.enum([
  "expiring",
  "expired",
  "revoked",
  "validationFailed",
  "reprovisioned",
]);
export const NotificationChannel = z.enum(["companyPortal", "email"]);
const Iso = z.iso.datetime();

const UserCertificate = { userId: z.string().min(1), thumbprint: Thumbprint };

const Verdict = {
  ...UserCertificate,
  state: LifecycleState,
  signing: PurposeVerdictSchema,
  encryption: PurposeVerdictSchema,
  notAfter: Iso,
  validatedAt: Iso,
  /** The inventory row's revision this verdict was written at: it makes each transition a distinct event. */
  revision: z.number().int().nonnegative(),
};

/** One event type: its schema, the fields that make it the same event, and its ordering key. */
export interface EventDefinition<T extends string = string, S extends z.ZodType = z.ZodType> {
  readonly type: T;
  readonly data: S;
  /** The identity of the fact: two events with equal identity are one event. */
  readonly identity: (data: z.infer<S>) => readonly unknown[];
  /** The user whose session orders this event (Service Bus sessionId), when it concerns one. */
  readonly user?: (data: z.infer<S>) => string;
  /** CloudEvents `subject`: what the event is about. */
  readonly subject?: (data: z.infer<S>) => string;
}

const define = <T extends string, S extends z.ZodType>(d: EventDefinition<T, S>) => d;
const byUser = (d: { userId: string }) => d.userId;
const byThumbprint = (d: { thumbprint: string }) => d.thumbprint;

export const Events = {
  certificateDiscovered: define({
    type: "certificate.discovered",
    data: z.object({
      ...UserCertificate,
      userPrincipalName: z.string().min(1),
      source: CertificateSource,
      purpose: CertificatePurpose,
      /** Base64 DER, when the source has the certificate itself (manual upload, directory, PFX metadata has none). */
      certificate: z.string().min(1).optional(),
      /** The primary SMTP address the certificate must match, when known. */
      smtp: z.email().optional(),
      /** Device-level facts from Intune, when the source is a device certificate state. */
      platform: Platform.optional(),
      deviceId: z.string().optional(),
      issuanceState: z.string().optional(),
      /** Intune's certificateRevocationStatus (none, pending, issued, failed, revoked), when it reports one. */
      revokeStatus: z.string().optional(),
      /** Platforms on which Intune reports the certificate failed or pending on a device: NOT_DELIVERED there. */
      undeliveredOn: z.array(Platform).optional(),
      /** What Intune reports of the certificate itself, for a record that has no certificate bytes yet. */
      serialNumber: z.string().optional(),
      subject: z.string().optional(),
      issuer: z.string().optional(),
      notBefore: Iso.optional(),
      notAfter: Iso.optional(),
      /**
       * syncIntune's digest of everything Intune said about the certificate. Part of the id when present: a
       * change in Intune is a new event, while a retried sync repeats the same id.
       */
      intuneFingerprint: z.string().optional(),
    }),
    identity: (d) => [
      d.userId,
      d.thumbprint,
      d.source,
      d.purpose,
      d.deviceId ?? "",
      ...(d.intuneFingerprint === undefined ? [] : [d.intuneFingerprint]),
    ],
    user: byUser,
    subject: byThumbprint,
  }),
  certificateValidated: define({
    type: "certificate.validated",
    data: z.object(Verdict),
    identity: (d) => [d.userId, d.thumbprint, d.revision],
    user: byUser,
    subject: byThumbprint,
  }),
  certificateValidationFailed: define({
    type: "certificate.validationFailed",
    data: z.object(Verdict),
    identity: (d) => [d.userId, d.thumbprint, d.revision],
    user: byUser,
    subject: byThumbprint,
  }),
  certificateExpiring: define({
    type: "certificate.expiring",
    data: z.object({
      ...UserCertificate,
      notAfter: Iso,
      thresholdDays: z.number().int().positive(),
      daysLeft: z.number().int(),
    }),
    identity: (d) => [d.thumbprint, d.thresholdDays],
    user: byUser,
    subject: byThumbprint,
  }),
  certificateExpired: define({
    type: "certificate.expired",
    data: z.object({ ...UserCertificate, notAfter: Iso }),
    identity: (d) => [d.thumbprint],
    user: byUser,
    subject: byThumbprint,
  }),
  certificateRevoked: define({
    type: "certificate.revoked",
    data: z.object({
      ...UserCertificate,
      serialNumber: z.string(),
      revokedAt: Iso.optional(),
      /** CRLReason name, e.g. "keyCompromise". */
      reason: z.string().optional(),
      detectedBy: z.enum(["crl", "intune", "validation"]),
    }),
    identity: (d) => [d.thumbprint],
    user: byUser,
    subject: byThumbprint,
  }),
  certificateRemoved: define({
    type: "certificate.removed",
    data: z.object({ ...UserCertificate, reason: z.string() }),
    identity: (d) => [d.userId, d.thumbprint],
    user: byUser,
    subject: byThumbprint,
  }),
  /** Not in DESIGN.md's first list (additive): asks for a fresh verdict after the trust store or a CRL changed. */
  certificateRevalidationRequested: define({
    type: "certificate.revalidationRequested",
    data: z.object({ ...UserCertificate, reason: z.string(), requestedAt: Iso }),
    identity: (d) => [d.thumbprint, d.reason, d.requestedAt],
    user: byUser,
    subject: byThumbprint,
  }),
  userChanged: define({
    type: "user.changed",
    data: z.object({
      userId: z.string().min(1),
      userPrincipalName: z.string().min(1),
      change: z.enum(["primarySmtpChanged", "disabled", "enabled", "deleted"]),
      primarySmtp: z.email().optional(),
      previousPrimarySmtp: z.email().optional(),
      observedAt: Iso,
    }),
    identity: (d) => [d.userId, d.change, d.primarySmtp ?? "", d.observedAt],
    user: byUser,
  }),
  /**
   * Not in DESIGN.md's first list (additive): Graph said a user changed (a change notification); the
   * certificate-events processor reads the user from Graph and announces what changed as `user.changed`.
   * The webhook only enqueues this, to answer Graph within its 3 seconds. The id comes from the
   * notification, so Graph's retries of one notification are one event.
   */
  userRefreshRequested: define({
    type: "user.refreshRequested",
    data: z.object({
      userId: z.string().min(1),
      changeType: z.enum(["created", "updated", "deleted"]),
      subscriptionId: z.string().min(1),
      resource: z.string().min(1),
      /** What tells this notification from another on the same resource (its id, else its etag, …). */
      notificationKey: z.string(),
      receivedAt: Iso,
    }),
    identity: (d) => [d.subscriptionId, d.resource, d.changeType, d.notificationKey],
    user: byUser,
  }),
  crlUnreachable: define({
    type: "crl.unreachable",
    data: z.object({ url: z.url(), reason: z.string(), since: Iso }),
    identity: (d) => [d.url, d.since],
    subject: (d) => d.url,
  }),
  crlRecovered: define({
    type: "crl.recovered",
    data: z.object({ url: z.url(), downSince: Iso, recoveredAt: Iso }),
    identity: (d) => [d.url, d.downSince],
    subject: (d) => d.url,
  }),
  policyDrifted: define({
    type: "policy.drifted",
    data: z.object({
      platform: Platform,
      policyId: z.string(),
      // A missing key travels as null; optional too, so an absent member still parses.
      differences: z.array(
        z.object({ key: z.string(), expected: z.unknown().optional(), actual: z.unknown().optional() }),
      ),
      observedAt: Iso,
    }),
    identity: (d) => [d.platform, d.policyId, d.differences],
    subject: (d) => d.policyId,
  }),
  reprovisionRequested: define({
    type: "reprovision.requested",
    data: z.object({
      operationId: z.string().min(1),
      userPrincipalName: z.string().min(1),
      purpose: CertificatePurpose,
      reason: z.string(),
      requestedBy: z.string(),
      requestedAt: Iso,
    }),
    identity: (d) => [d.operationId],
    subject: (d) => d.operationId,
  }),
  reprovisionCompleted: define({
    type: "reprovision.completed",
    data: z.object({ operationId: z.string().min(1), userPrincipalName: z.string(), completedAt: Iso }),
    identity: (d) => [d.operationId],
    subject: (d) => d.operationId,
  }),
  reprovisionFailed: define({
    type: "reprovision.failed",
    data: z.object({
      operationId: z.string().min(1),
      userPrincipalName: z.string(),
      reason: z.string(),
      failedAt: Iso,
    }),
    identity: (d) => [d.operationId],
    subject: (d) => d.operationId,
  }),
  notificationRequested: define({
    type: "notification.requested",
    data: z.object({
      userId: z.string().min(1),
      thumbprint: Thumbprint.optional(),
      reason: NotificationReason,
      thresholdDays: z.number().int().positive().optional(),
      operationId: z.string().optional(),
      problems: z.array(ProblemSchema).optional(),
      notAfter: Iso.optional(),
      /**
       * Additive: set on a notice onNotification re-schedules for later (Company Portal's per-device hourly
       * limit). Part of the id when present, so the scheduled copy is not dropped by duplicate detection as a
       * repeat of the message it replaces; the ledger key ignores it, so it is still the same notice.
       */
      deferredUntil: Iso.optional(),
    }),
    identity: (d) => [
      d.userId,
      d.thumbprint ?? "",
      d.reason,
      d.thresholdDays ?? 0,
      d.operationId ?? "",
      ...(d.deferredUntil === undefined ? [] : [d.deferredUntil]),
    ],
    user: byUser,
  }),
  notificationSent: define({
    type: "notification.sent",
    data: z.object({
      requestId: z.string(),
      userId: z.string().min(1),
      channel: NotificationChannel,
      sentAt: Iso,
    }),
    identity: (d) => [d.requestId, d.channel],
    user: byUser,
  }),
  notificationFailed: define({
    type: "notification.failed",
    data: z.object({
      requestId: z.string(),
      userId: z.string().min(1),
      channel: NotificationChannel,
      error: z.string(),
    }),
    identity: (d) => [d.requestId, d.channel],
    user: byUser,
  }),
} as const;

type Definitions = typeof Events;
export type EventType = Definitions[keyof Definitions]["type"];
type DefinitionOf<T extends EventType> = Extract<Definitions[keyof Definitions], { type: T }>;
export type EventData<T extends EventType> = z.infer<DefinitionOf<T>["data"]>;

/** A parsed event: the envelope with `type` and `data` tied together. */
export type PipelineEvent = {
  [K in keyof Definitions]: Omit<CloudEventEnvelope, "type" | "data"> & {
    type: Definitions[K]["type"];
    data: z.infer<Definitions[K]["data"]>;
  };
}[keyof Definitions];

const byType = new Map<string, EventDefinition>(
  Object.values(Events).map((d) => [d.type, d as EventDefinition]),
);

/** Deterministic event id: SHA-256 over the type and the identity fields, 32 hex digits. */
export function eventId(type: string, identity: readonly unknown[]): string {
  return createHash("sha256")
    .update(type)
    .update("\n")
    .update(JSON.stringify(identity))
    .digest("hex")
    .slice(0, 32);
}

export interface EnvelopeOptions {
  /** The producer, e.g. "/smime-lifecycle/scanExpiry". */
  readonly source: string;
  readonly time: Date;
  readonly traceparent?: string;
}

/**
 * The publisher's view: validates `data` against the type's schema and wraps it in a CloudEvents envelope
 * with a content-derived id. Throws a ZodError for data that does not fit (a programming error).
 */
export function createEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  options: EnvelopeOptions,
): PipelineEvent {
  const def = byType.get(type)!;
  const parsed = def.data.parse(data);
  const userid = def.user?.(parsed);
  const subject = def.subject?.(parsed);
  return {
    specversion: "1.0",
    id: eventId(type, def.identity(parsed)),
    source: options.source,
    type,
    time: options.time.toISOString(),
    datacontenttype: "application/json",
    ...(subject === undefined ? {} : { subject }),
    ...(userid === undefined ? {} : { userid }),
    ...(options.traceparent === undefined ? {} : { traceparent: options.traceparent }),
    data: parsed,
  } as PipelineEvent;
}

export type ParseResult =
  | { readonly ok: true; readonly event: PipelineEvent }
  | { readonly ok: false; readonly error: string };

/** The consumer's view: parses an untrusted message body into a typed event, or says what is wrong with it. */
export function parseEvent(body: unknown): ParseResult {
  const envelope = CloudEventEnvelope.safeParse(body);
  if (!envelope.success)
    return { ok: false, error: `not a CloudEvents 1.0 envelope: ${z.prettifyError(envelope.error)}` };
  const def = byType.get(envelope.data.type);
  if (!def) return { ok: false, error: `unknown event type "${envelope.data.type}"` };
  const data = def.data.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, error: `${def.type} data: ${z.prettifyError(data.error)}` };
  return { ok: true, event: { ...envelope.data, data: data.data } as PipelineEvent };
}
