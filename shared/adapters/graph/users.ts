/**
 * Entra ID users: v1.0 (users and their delta query are generally available; beta adds nothing this needs).
 */
import { GraphUser, GraphUserDelta, USER_SELECT } from "../../contracts/graph.ts";
import type { GraphDirectory, UserDeltaPage } from "../../ports.ts";
import { DeltaExpiredError, GraphRequestError } from "./errors.ts";
import { parseBody } from "./parse.ts";
import type { GraphCall, GraphTransport } from "./transport.ts";

const VERSION = "v1.0";

/** Error codes Graph answers a delta link it no longer honours with (besides HTTP 410). */
const EXPIRED_DELTA = /syncStateNotFound|resyncRequired|syncStateInvalid|ExpiredPageToken|InvalidDeltaToken/i;

export function usersDelta(transport: GraphTransport, deltaLink?: string): AsyncIterable<UserDeltaPage> {
  const call: GraphCall = deltaLink
    ? { ...transport.fromLink(deltaLink, "users/delta"), method: "GET", resource: "users/delta" }
    : { method: "GET", version: VERSION, path: "users/delta", select: USER_SELECT, resource: "users/delta" };
  return deltaPages(transport, call);
}

async function* deltaPages(transport: GraphTransport, call: GraphCall): AsyncGenerator<UserDeltaPage> {
  try {
    for await (const page of transport.pages(call, GraphUserDelta)) {
      yield {
        items: page.items,
        rejected: page.rejected,
        ...(page.deltaLink ? { deltaLink: page.deltaLink } : {}),
      };
    }
  } catch (error) {
    if (error instanceof GraphRequestError && (error.status === 410 || EXPIRED_DELTA.test(error.code))) {
      throw new DeltaExpiredError(
        error.code,
        `${error.message} (the delta link has expired: sync all users again)`,
      );
    }
    throw error;
  }
}

export async function getUser(transport: GraphTransport, idOrUpn: string) {
  const { status, body } = await transport.send({
    method: "GET",
    version: VERSION,
    path: `users/${encodeURIComponent(idOrUpn)}`,
    select: USER_SELECT,
    resource: "user",
    accept: [404],
  });
  return status === 404 ? undefined : parseBody(GraphUser, "user", body);
}

export function directory(transport: GraphTransport, sendMail: GraphDirectory["sendMail"]): GraphDirectory {
  return {
    usersDelta: (deltaLink) => usersDelta(transport, deltaLink),
    getUser: (idOrUpn) => getUser(transport, idOrUpn),
    sendMail,
  };
}
