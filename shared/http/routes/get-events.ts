/**
 * `GET /api/events?type=&user=&limit=` (Reader): the audit ledger, newest first.
 * `user` is a user principal name (anything with an @) or an object id.
 */
import { z } from "zod";
import { Events, type EventType } from "../../contracts/events.ts";
import type { AuditLedger, UserStore } from "../../ports.ts";
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

export interface GetEventsDeps {
  readonly audit: Pick<AuditLedger, "list">;
  readonly users: Pick<UserStore, "findByUpn">;
}

export function getEvents(deps: GetEventsDeps): Handler {
  return async (request) => {
    const query = readQuery(request.query, Query);
    let userId: string | undefined;
    if (query.user !== undefined) {
      userId = query.user.includes("@") ? (await deps.users.findByUpn(query.user))?.userId : query.user;
      // A UPN nobody knows has no events; asking the ledger without the filter would answer with everyone's.
      if (userId === undefined) return json(200, { events: [] });
    }
    const events = await deps.audit.list({
      limit: query.limit,
      ...(query.type === undefined ? {} : { type: query.type }),
      ...(userId === undefined ? {} : { userId }),
    });
    return json(200, { events });
  };
}

export const getEventsRoute = (deps: GetEventsDeps): Route => ({
  name: "getEvents",
  method: "GET",
  path: "events",
  access: "reader",
  handle: getEvents(deps),
});
