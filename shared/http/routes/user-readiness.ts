/**
 * `GET /api/users/{upn}/readiness` (Reader): the user's verdict for signing and encryption on iOS and Android,
 * with every reason (the use case `queryReadiness`). 404 for a principal name no user has.
 */
import type { UserReadiness } from "../../domain/readiness.ts";
import type { Handler } from "../api.ts";
import { invalidRequest, notFound } from "../errors.ts";
import { json } from "../responses.ts";
import type { Route } from "../router.ts";

export interface UserReadinessDeps {
  /** The use case `queryReadiness`, its own deps bound. */
  readonly queryReadiness: (userPrincipalName: string) => Promise<UserReadiness | undefined>;
}

const UPN = /^[^@\s]{1,128}@[^@\s]{1,255}$/;

export function getUserReadiness(deps: UserReadinessDeps): Handler {
  return async (request) => {
    const upn = (request.params.upn ?? "").trim();
    if (!UPN.test(upn)) throw invalidRequest("path.upn: a user principal name: user@domain");
    const readiness = await deps.queryReadiness(upn);
    if (!readiness) throw notFound("no such user");
    return json(200, readiness);
  };
}

export const userReadinessRoute = (deps: UserReadinessDeps): Route => ({
  name: "getUserReadiness",
  method: "GET",
  path: "users/{upn}/readiness",
  access: "reader",
  handle: getUserReadiness(deps),
});
