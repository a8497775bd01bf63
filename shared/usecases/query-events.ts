/**
 * `GET events?type=&user=&limit=`: the audit ledger, newest first.
 */
import { z } from "zod";
import { Events } from "../contracts/events.ts";
import type { AuditRecord } from "../contracts/rows.ts";
import type { Deps } from "./deps.ts";
import { parseInput } from "./input-error.ts";

const EVENT_TYPES = Object.values(Events).map((d) => d.type) as [string, ...string[]];

/** The query string; `user` is a UPN (contains "@") or a user's object id. */
export const QueryEventsInput = z.object({
  type: z.enum(EVENT_TYPES, { error: "an event type, e.g. certificate.revoked" }).optional(),
  user: z.string().trim().min(1).max(256).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type QueryEventsInput = z.input<typeof QueryEventsInput>;

export type QueryEventsDeps = Pick<Deps, "audit" | "users">;

/**
 * The newest events matching the query. An unknown UPN has no events (an empty list, not an error: the
 * ledger may well hold events of users the directory no longer knows, by id).
 * @throws InputError naming the bad query field
 */
export async function queryEvents(
  deps: QueryEventsDeps,
  input: QueryEventsInput,
): Promise<{ events: AuditRecord[] }> {
  const query = parseInput(QueryEventsInput, input);
  let userId: string | undefined;
  if (query.user !== undefined) {
    userId = query.user.includes("@") ? (await deps.users.findByUpn(query.user))?.userId : query.user;
    if (userId === undefined) return { events: [] };
  }
  const events = await deps.audit.list({
    ...(query.type !== undefined && { type: query.type }),
    ...(userId !== undefined && { userId }),
    limit: query.limit,
  });
  return { events };
}
