/**
 * `GET /api/events?type=&user=&limit=` (Reader): the audit ledger, newest first (the use case
 * `queryEvents`). `user` is a user principal name (anything with an @) or an object id.
 */
import { z } from "zod";
import { Events, type EventType } from "../../contracts/events.ts";
import { type QueryEventsDeps, queryEvents } from "../../usecases/query-events.ts";
import type { Handler } from "../api.ts";
import { limitParameter, readQuery } from "../body.ts";
import { json } from "../responses.ts";
import type { Route } from "../router.ts";

export const EVENTS_MAX_LIMIT = 1000;
export const EVENTS_DEFAULT_LIMIT = 100;

const EVENT_TYPES = Object.values(Events).map((d) => d.type) as [EventType, ...EventType[]];

const Query = z.strictObject({
  type: z.enum(EVENT_TYPES).optional(),
  user: z.string().trim().min(1, "must not be empty").max(256, "too long").optional(),
  limit: limitParameter(EVENTS_DEFAULT_LIMIT, EVENTS_MAX_LIMIT),
});

export type GetEventsDeps = QueryEventsDeps;

export function getEvents(deps: GetEventsDeps): Handler {
  return async (request) => json(200, await queryEvents(deps, readQuery(request.query, Query)));
}

export const getEventsRoute = (deps: GetEventsDeps): Route => ({
  name: "getEvents",
  method: "GET",
  path: "events",
  access: "reader",
  handle: getEvents(deps),
});
