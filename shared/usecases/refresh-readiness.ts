/**
 * Keeps a user's readiness summary (`signingReady`, `encryptionReady`, `reasons` on the user record) in step
 * with their certificates: what `GET users` lists and filters on.
 */
import type { CertificateRecord, UserRecord } from "../contracts/rows.ts";
import { userReadiness } from "../domain/readiness.ts";
import type { Versioned } from "../ports.ts";
import { withConflictRetry } from "./conflict-retry.ts";
import type { Deps } from "./deps.ts";
import { driftedPlatforms } from "./policy-drift-state.ts";

/** `cursors` holds the Outlook policy drift the last app configuration audit found. */
export type RefreshReadinessDeps = Pick<Deps, "users" | "certificates" | "cursors">;

/**
 * What the caller has just read in the same invocation (the user's session keeps others from writing the
 * user's certificates meanwhile): used by the first attempt instead of reading again. A lost race on the
 * user's ETag starts over from fresh reads.
 */
export interface ReadinessInputs {
  readonly user: Versioned<UserRecord> | undefined;
  /** All the user's certificates, as stored now. */
  readonly certificates: readonly CertificateRecord[];
}

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
  known?: ReadinessInputs,
): Promise<UserRecord> {
  let first = known;
  return withConflictRetry(`readiness of ${user.userId}`, async () => {
    const inputs = first;
    first = undefined;
    const [stored, certificates, drifted] = await Promise.all([
      inputs ? inputs.user : deps.users.get(user.userId),
      inputs ? inputs.certificates : deps.certificates.listByUser(user.userId),
      driftedPlatforms(deps.cursors),
    ]);
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
