/**
 * The shape of a readiness verdict: what `GET users/{upn}/readiness` answers (and the user summary is cut from).
 * A public contract: add fields, never rename. Types are inferred from the schema, so the route can validate
 * what it sends and a client can parse what it gets with the same definition.
 */
import { z } from "zod";
import { Platform, Thumbprint } from "../contracts/events.ts";
import { ProblemCode } from "../pki/problems.ts";

/** Reasons beyond the engine's problem codes: facts about the user and the set of certificates, not one certificate. */
export const ReadinessCode = {
  /** No certificate for the purpose reaches the platform. */
  NO_CERTIFICATE: "NO_CERTIFICATE",
  /** The certificate is known from metadata only and has no verdict for the purpose yet. */
  NOT_VALIDATED: "NOT_VALIDATED",
  USER_DISABLED: "USER_DISABLED",
  USER_DELETED: "USER_DELETED",
} as const;

type Code = ProblemCode | (typeof ReadinessCode)[keyof typeof ReadinessCode];
const CODES = [...Object.values(ProblemCode), ...Object.values(ReadinessCode)] as [Code, ...Code[]];

/** An engine or pipeline problem code, or one of the readiness codes above. */
export const ReadinessCodeSchema = z.enum(CODES);
export type ReadinessCode = z.infer<typeof ReadinessCodeSchema>;

export const ReadinessReasonSchema = z.object({
  code: ReadinessCodeSchema,
  message: z.string(),
  /** The certificate the reason is about; absent for user- or platform-wide reasons. */
  thumbprint: Thumbprint.optional(),
});
export type ReadinessReason = z.infer<typeof ReadinessReasonSchema>;

export const PlatformReadinessSchema = z.object({
  ready: z.boolean(),
  /** When ready: the certificate that makes it so (of several usable ones, the one that lasts longest). */
  certificate: Thumbprint.optional(),
  /** Empty when ready; otherwise every reason, of the user and of each candidate certificate. */
  reasons: z.array(ReadinessReasonSchema),
});
export type PlatformReadiness = z.infer<typeof PlatformReadinessSchema>;

export const PurposeReadinessSchema = z.object({
  iOS: PlatformReadinessSchema,
  android: PlatformReadinessSchema,
});
export type PurposeReadiness = z.infer<typeof PurposeReadinessSchema>;

export const UserReadinessSchema = z.object({
  userId: z.string().min(1),
  userPrincipalName: z.string().min(1),
  signing: PurposeReadinessSchema,
  encryption: PurposeReadinessSchema,
  /**
   * The platforms the summary judges: those the user's certificates are delivered to, or both when none is
   * platform-specific (a manual upload or a directory entry reaches every device).
   */
  platforms: z.array(Platform),
  /** Ready on every platform in `platforms`. */
  signingReady: z.boolean(),
  encryptionReady: z.boolean(),
  /** Unique reason codes keeping the user from being ready, in the order found (the user summary's `reasons`). */
  reasons: z.array(ReadinessCodeSchema),
  /**
   * Present while the user is deleted or disabled: each certificate that still works for them, which should
   * be revoked (shared/domain/revocation-advice.ts). Gone once the account is enabled again.
   */
  revocationRecommended: z
    .array(
      z.object({
        thumbprint: Thumbprint,
        reason: z.enum([ReadinessCode.USER_DELETED, ReadinessCode.USER_DISABLED]),
        message: z.string(),
      }),
    )
    .optional(),
});
export type UserReadiness = z.infer<typeof UserReadinessSchema>;
