/**
 * `GET /api/users?state=&limit=` (Reader): users with their readiness summary, as the processors last
 * wrote it on each user's record (the use case `queryUsers`). `state`: ready, notReady or unknown.
 */
import { z } from "zod";
import { type QueryUsersDeps, queryUsers, UserReadinessState } from "../../usecases/query-users.ts";
import type { Handler } from "../api.ts";
import { limitParameter, readQuery } from "../body.ts";
import { json } from "../responses.ts";
import type { Route } from "../router.ts";

export const USERS_MAX_LIMIT = 1000;
export const USERS_DEFAULT_LIMIT = 100;

const Query = z.strictObject({
  state: UserReadinessState.optional(),
  limit: limitParameter(USERS_DEFAULT_LIMIT, USERS_MAX_LIMIT),
});

export type GetUsersDeps = QueryUsersDeps;

export function getUsers(deps: GetUsersDeps): Handler {
  return async (request) => json(200, await queryUsers(deps, readQuery(request.query, Query)));
}

export const getUsersRoute = (deps: GetUsersDeps): Route => ({
  name: "getUsers",
  method: "GET",
  path: "users",
  access: "reader",
  handle: getUsers(deps),
});
