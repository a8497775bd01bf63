/**
 * `GET /api/users?state=&limit=` (Reader): users with their readiness summary, as the processors last
 * wrote it on the user's record. Deleted users are left out.
 *
 * `state`: `ready` (signing and encryption both ready), `notReady` (either is known not to be), `unknown`
 * (no verdict yet: no certificate validated for the user).
 */
import { z } from "zod";
import type { UserRecord } from "../../contracts/rows.ts";
import type { UserStore } from "../../ports.ts";
import type { Handler } from "../api.ts";
import { limitParameter, readQuery } from "../body.ts";
import { json } from "../responses.ts";
import type { Route } from "../router.ts";

export const USERS_MAX_LIMIT = 1000;
export const USERS_DEFAULT_LIMIT = 100;

export const UserReadinessState = z.enum(["ready", "notReady", "unknown"]);
export type UserReadinessState = z.infer<typeof UserReadinessState>;

const Query = z.strictObject({
  state: UserReadinessState.optional(),
  limit: limitParameter(USERS_DEFAULT_LIMIT, USERS_MAX_LIMIT),
});

export interface GetUsersDeps {
  readonly users: Pick<UserStore, "scan">;
}

/** The summary state of a user record. */
export function userReadinessState(
  user: Pick<UserRecord, "signingReady" | "encryptionReady">,
): UserReadinessState {
  if (user.signingReady === false || user.encryptionReady === false) return "notReady";
  if (user.signingReady === true && user.encryptionReady === true) return "ready";
  return "unknown";
}

export function getUsers(deps: GetUsersDeps): Handler {
  return async (request) => {
    const query = readQuery(request.query, Query);
    const users: ReturnType<typeof summary>[] = [];
    for await (const user of deps.users.scan()) {
      if (user.deleted) continue;
      const row = summary(user);
      if (query.state !== undefined && row.state !== query.state) continue;
      users.push(row);
      if (users.length >= query.limit) break;
    }
    return json(200, { users });
  };
}

function summary(user: UserRecord) {
  return {
    userId: user.userId,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    primarySmtp: user.primarySmtp,
    accountEnabled: user.accountEnabled,
    state: userReadinessState(user),
    signingReady: user.signingReady,
    encryptionReady: user.encryptionReady,
    reasons: user.reasons,
    updatedAt: user.updatedAt,
  };
}

export const getUsersRoute = (deps: GetUsersDeps): Route => ({
  name: "getUsers",
  method: "GET",
  path: "users",
  access: "reader",
  handle: getUsers(deps),
});
