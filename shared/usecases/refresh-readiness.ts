/**
 * Keeps a user's readiness summary (`signingReady`, `encryptionReady`, `reasons` on the user record) in step
 * with their certificates: what `GET users` lists and filters on.
 */
import type { UserRecord } from "../contracts/rows.ts";
import { userReadiness } from "../domain/readiness.ts";
import { withConflictRetry } from "./conflict-retry.ts";
import type { Deps } from "./deps.ts";
import { driftedPlatforms } from "./policy-drift-state.ts";

/** `cursors` holds the Outlook policy drift the last app configuration audit found. */
export type RefreshReadinessDeps = Pick<Deps, "users" | "certificates" | "cursors">;

/**
 * Recomputes the summary from all the user's certificates at `now` and writes it when it changed. A user the
 * directory sync has not brought yet gets a record (the UPN comes from the certificate), so the summary has
 * somewhere to live. Platforms whose Outlook app configuration drifted at the last audit (auditAppConfig)
 * fail with POLICY_DRIFT. Idempotent: an unchanged summary is not rewritten.
 */
export function refreshReadiness(
  deps: RefreshReadinessDeps,
  user: { userId: string; userPrincipalName: string },
  now: Date,
): Promise<UserRecord> {
  return withConflictRetry(`readiness of ${user.userId}`, async () => {
    const stored = await deps.users.get(user.userId);
    const certificates = await deps.certificates.listByUser(user.userId);
    const drifted = await driftedPlatforms(deps.cursors);
    const base: UserRecord = stored?.value ?? {
      userId: user.userId,
      userPrincipalName: user.userPrincipalName,
      accountEnabled: true,
      deleted: false,
      reasons: [],
      updatedAt: now.toISOString(),
    };
    const readiness = userReadiness({ user: base, certificates, now, driftedPlatforms: drifted });
    const summary = {
      signingReady: readiness.signingReady,
      encryptionReady: readiness.encryptionReady,
      reasons: [...readiness.reasons],
    };
    const same =
      stored !== undefined &&
      base.signingReady === summary.signingReady &&
      base.encryptionReady === summary.encryptionReady &&
      base.reasons.join() === summary.reasons.join();
    if (same) return base;
    const next: UserRecord = { ...base, ...summary, updatedAt: now.toISOString() };
    await deps.users.put(next, stored ? { ifMatch: stored.etag } : { ifAbsent: true });
    return next;
  });
}
