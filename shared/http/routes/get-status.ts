/**
 * `GET /api/status` (Reader): the ops summary (certificates by state, expiring buckets, CRL health, queue
 * and dead-letter depth, last sync times) as the status use case reports it.
 */
import { z } from "zod";
import type { Handler } from "../api.ts";
import { readQuery } from "../body.ts";
import { json } from "../responses.ts";
import type { Route } from "../router.ts";

export interface GetStatusDeps {
  /** The status use case, its deps bound; its report is sent as it is. */
  readonly readStatus: () => Promise<object>;
}

/** No parameters; any given is a mistake worth saying. */
const Query = z.strictObject({});

export function getStatus(deps: GetStatusDeps): Handler {
  return async (request) => {
    readQuery(request.query, Query);
    return json(200, await deps.readStatus());
  };
}

export const getStatusRoute = (deps: GetStatusDeps): Route => ({
  name: "getStatus",
  method: "GET",
  path: "status",
  access: "reader",
  handle: getStatus(deps),
});
