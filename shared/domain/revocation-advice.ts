/**
 * A departed user's certificates should be revoked: someone who left (deleted from the directory) or was shut
 * out (account disabled) still holds keys that sign as them, and recipients keep trusting those signatures
 * until the CA says otherwise. The pipeline cannot revoke (that is the CA's and Intune's), so it recommends it,
 * per certificate, for as long as the user stays departed: derived from the user and the inventory on every
 * read, never stored, so re-enabling the account withdraws the advice with nothing to clear. Pure.
 */
import type { CertificateRecord, UserRecord } from "../contracts/rows.ts";
import { hasExpired, notAfterOf } from "./certificate-facts.ts";
import { ReadinessCode } from "./readiness-schema.ts";

export interface RevocationRecommendation {
  readonly thumbprint: string;
  readonly reason: typeof ReadinessCode.USER_DELETED | typeof ReadinessCode.USER_DISABLED;
  readonly message: string;
}

/** Still able to sign or decrypt for someone: not revoked, not removed, not expired. */
function stillLive(record: Pick<CertificateRecord, "state" | "notAfter">, now: Date): boolean {
  if (record.state === "revoked" || record.state === "removed" || record.state === "expired") return false;
  const notAfter = notAfterOf(record);
  return notAfter === undefined || !hasExpired(notAfter, now);
}

/** Why the user's certificates should be revoked; undefined while the user is active. */
export function departure(
  user: Pick<UserRecord, "accountEnabled" | "deleted">,
): RevocationRecommendation["reason"] | undefined {
  if (user.deleted) return ReadinessCode.USER_DELETED;
  return user.accountEnabled ? undefined : ReadinessCode.USER_DISABLED;
}

/** One recommendation per live certificate of a departed user, in the order given; none for an active user. */
export function revocationRecommendations(
  user: Pick<UserRecord, "userPrincipalName" | "accountEnabled" | "deleted">,
  certificates: readonly Pick<CertificateRecord, "thumbprint" | "state" | "notAfter">[],
  now: Date,
): RevocationRecommendation[] {
  const reason = departure(user);
  if (!reason) return [];
  const why = reason === ReadinessCode.USER_DELETED ? "is deleted" : "is disabled";
  return certificates
    .filter((c) => stillLive(c, now))
    .map((c) => ({
      thumbprint: c.thumbprint,
      reason,
      message: `${user.userPrincipalName} ${why}: revoke this certificate at its CA (and its Intune profile)`,
    }));
}
