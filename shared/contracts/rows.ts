/**
 * What the pipeline keeps (Azure Tables in production, Azurite locally): one zod schema per record.
 * Stores parse every row they read with these, so a row written by an older version, or by hand,
 * is caught at the boundary instead of deep in a use case.
 */
import { z } from "zod";
import { CloudEventEnvelope } from "./cloud-event.ts";
import {
  CertificatePurpose,
  CertificateSource,
  LifecycleState,
  NotificationChannel,
  NotificationReason,
  Platform,
  Thumbprint,
} from "./events.ts";
import { PurposeVerdictSchema } from "./validation-report.ts";

const Iso = z.iso.datetime();

/** One certificate of one user, with everything known about it and its last verdict. */
export const CertificateRecord = z.object({
  userId: z.string().min(1),
  thumbprint: Thumbprint,
  userPrincipalName: z.string().min(1),
  /** Where the certificate was seen; the same certificate may come from several (Intune and the directory). */
  sources: z.array(CertificateSource).min(1),
  purpose: CertificatePurpose,
  state: LifecycleState,
  /** Base64 DER, when known (Intune metadata alone has none until the directory or an upload supplies it). */
  certificate: z.string().optional(),
  subject: z.string().optional(),
  issuer: z.string().optional(),
  serialNumber: z.string().optional(),
  notBefore: Iso.optional(),
  notAfter: Iso.optional(),
  emailAddresses: z.array(z.string()).default([]),
  /** The http(s) CRL distribution points of the certificate's chain, for checkCrls. */
  crlUrls: z.array(z.string()).default([]),
  smtp: z.string().optional(),
  platform: Platform.optional(),
  deviceId: z.string().optional(),
  /** syncIntune's digest of what Intune last said about the certificate (certificate.discovered's). */
  intuneFingerprint: z.string().optional(),
  /** Intune's issuance state on the device (the least delivered one, when on several). */
  issuanceState: z.string().optional(),
  /** Platforms on which Intune reports the certificate failed or pending on a device: NOT_DELIVERED there. */
  undeliveredOn: z.array(Platform).optional(),
  signing: PurposeVerdictSchema.optional(),
  encryption: PurposeVerdictSchema.optional(),
  lastValidatedAt: Iso.optional(),
  /** Expiry thresholds (days) already announced for this certificate. */
  thresholdsAnnounced: z.array(z.number().int()).default([]),
  /** Bumped on every change of verdict or state; part of the ids of the events the change emits. */
  revision: z.number().int().nonnegative(),
  updatedAt: Iso,
});
export type CertificateRecord = z.infer<typeof CertificateRecord>;

export const UserRecord = z.object({
  userId: z.string().min(1),
  userPrincipalName: z.string().min(1),
  displayName: z.string().optional(),
  /** The SMTP: proxy address, else mail. */
  primarySmtp: z.string().optional(),
  accountEnabled: z.boolean().default(true),
  deleted: z.boolean().default(false),
  preferredLanguage: z.string().optional(),
  /** Summary of the user's readiness, refreshed whenever one of their certificates changes. */
  signingReady: z.boolean().optional(),
  encryptionReady: z.boolean().optional(),
  /** The problem codes that keep the user from being ready. */
  reasons: z.array(z.string()).default([]),
  /**
   * What the org's LDAP directory publishes for the user, as checkDirectory last read it: senders find
   * encryption certificates there (DESIGN.md rule 7). Absent when no directory is configured, the user was
   * never checked, or the directory held several entries for the user: then publication is not judged.
   */
  directory: z
    .object({
      /** When checkDirectory first found the entry in this state (it rewrites the record only on a change). */
      since: Iso,
      /** The user's entry, or none at all (then nothing is published). */
      entry: z.string().optional(),
      /** Thumbprints of the certificates on the entry (userCertificate and userSMIMECertificate). */
      published: z.array(Thumbprint),
    })
    .optional(),
  updatedAt: Iso,
});
export type UserRecord = z.infer<typeof UserRecord>;

export const CrlHealthRecord = z.object({
  url: z.string().min(1),
  status: z.enum(["healthy", "unreachable", "stale", "invalid"]),
  lastCheckedAt: Iso,
  lastSuccessAt: Iso.optional(),
  /** When the current outage began; absent while healthy. */
  downSince: Iso.optional(),
  lastError: z.string().optional(),
  issuer: z.string().optional(),
  thisUpdate: Iso.optional(),
  nextUpdate: Iso.optional(),
  entries: z.number().int().nonnegative().optional(),
});
export type CrlHealthRecord = z.infer<typeof CrlHealthRecord>;

/** "Send at most once per certificate, reason, threshold and channel" as a record that exists or not. */
export const NotificationKey = z.object({
  userId: z.string().min(1),
  /** The certificate, or the operation for re-provisioning notices. */
  subjectId: z.string().min(1),
  reason: NotificationReason,
  thresholdDays: z.number().int().nonnegative(),
  channel: NotificationChannel,
});
export type NotificationKey = z.infer<typeof NotificationKey>;

export const NotificationRecord = NotificationKey.extend({
  status: z.enum(["claimed", "sent", "failed", "dryRun"]),
  claimedAt: Iso,
  sentAt: Iso.optional(),
  error: z.string().optional(),
});
export type NotificationRecord = z.infer<typeof NotificationRecord>;

export const OperationRecord = z.object({
  operationId: z.string().min(1),
  kind: z.literal("reprovision"),
  userPrincipalName: z.string().min(1),
  userId: z.string().optional(),
  purpose: CertificatePurpose,
  reason: z.string(),
  requestedBy: z.string(),
  status: z.enum(["requested", "running", "completed", "failed"]),
  steps: z.array(z.object({ at: Iso, message: z.string() })).default([]),
  deadline: Iso.optional(),
  error: z.string().optional(),
  /** The thumbprints of the user's certificates when the work began: a thumbprint not among them is a new one. */
  knownThumbprints: z.array(z.string()).optional(),
  /** The user's iOS and Android devices found, and when each was asked to sync (so a redelivery does not ask twice). */
  devices: z
    .array(
      z.object({
        id: z.string(),
        name: z.string().optional(),
        platform: Platform,
        syncRequestedAt: Iso.optional(),
      }),
    )
    .optional(),
  /** When the next look at the inventory is due; an earlier delivery (a duplicate re-check) does nothing. */
  nextCheckAt: Iso.optional(),
  createdAt: Iso,
  updatedAt: Iso,
});
export type OperationRecord = z.infer<typeof OperationRecord>;

/** One line of the audit ledger: the event as it was published, and when it was recorded. */
export const AuditRecord = z.object({ event: CloudEventEnvelope, recordedAt: Iso });
export type AuditRecord = z.infer<typeof AuditRecord>;
