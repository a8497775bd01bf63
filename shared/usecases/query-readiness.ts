/**
 * `GET users/{upn}/readiness`: why a user can or cannot sign and encrypt in Outlook on iOS and Android, with
 * every reason — the domain's verdict (shared/domain/readiness.ts) over the user's current certificates, the
 * Outlook policy drift the last audit found, and the time now. Computed on each request, never read from the
 * stored summary, so the answer is as fresh as the inventory.
 */
import { type UserReadiness, userReadiness } from "../domain/readiness.ts";
import type { Deps } from "./deps.ts";
import { driftedPlatforms } from "./policy-drift-state.ts";

export type QueryReadinessDeps = Pick<Deps, "users" | "certificates" | "cursors" | "clock">;

/** The user's readiness, or undefined when no user has that principal name. */
export async function queryReadiness(
  deps: QueryReadinessDeps,
  userPrincipalName: string,
): Promise<UserReadiness | undefined> {
  const user = await deps.users.findByUpn(userPrincipalName);
  if (!user) return undefined;
  const [certificates, drifted] = await Promise.all([
    deps.certificates.listByUser(user.userId),
    driftedPlatforms(deps.cursors),
  ]);
  return userReadiness({ user, certificates, now: deps.clock.now(), driftedPlatforms: drifted });
}
