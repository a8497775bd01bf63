/**
 * `POST /api/graph/notifications` (anonymous at the bearer level: Graph sends no token; each notification
 * is authenticated by its `clientState` instead).
 *
 * - `?validationToken=…`: Graph's validation handshake when a subscription is created — answered 200,
 *   `text/plain`, with the token decoded, and nothing else done.
 * - otherwise a batch of change notifications: checked and enqueued (handleGraphNotifications), then 202.
 *
 * A notification with a wrong clientState still gets 202, never 401: Graph treats any non-2xx as a failed
 * delivery and retries it for hours, counting it against the endpoint (a misconfigured secret would then
 * throttle, and finally drop, the genuine notifications too); and a forger gets the same answer whatever it
 * sent, so the status is no oracle for guessing the secret. Such a notification is never processed: the
 * use case counts and logs it and publishes nothing for it.
 */
import { z } from "zod";
import type {
  HandleGraphNotificationsInput,
  HandleGraphNotificationsResult,
} from "../../usecases/handle-graph-notifications.ts";
import type { ApiResponse, Handler, RoutedRequest } from "../api.ts";
import { readJson } from "../body.ts";
import { invalidRequest } from "../errors.ts";
import type { Route } from "../router.ts";

/** Graph batches notifications; a thousand user notifications are well under a megabyte. */
export const GRAPH_NOTIFICATIONS_BODY_LIMIT = 1024 * 1024;
/** Graph's tokens are a few hundred characters; anything much longer is not Graph. */
export const VALIDATION_TOKEN_MAX_LENGTH = 2048;
/** More items than a body within the limit could carry as real notifications. */
const MAX_BATCH = 10_000;

/** The batch envelope only: each notification is parsed by the use case, one at a time. */
export const NotificationBatch = z.object({ value: z.array(z.unknown()).max(MAX_BATCH) });

/**
 * The validation handshake's answer when the request carries `validationToken`, else undefined. The query
 * is already URL-decoded. Echoed as plain text that browsers must not sniff as HTML: the token comes from
 * whoever calls.
 */
export function validationHandshake(request: RoutedRequest): ApiResponse | undefined {
  const tokens = request.query.getAll("validationToken");
  if (tokens.length === 0) return undefined;
  const token = tokens[0]!;
  if (tokens.length > 1) throw invalidRequest("query.validationToken: given more than once");
  if (token === "") throw invalidRequest("query.validationToken: must not be empty");
  if (token.length > VALIDATION_TOKEN_MAX_LENGTH)
    throw invalidRequest(`query.validationToken: longer than ${VALIDATION_TOKEN_MAX_LENGTH} characters`);
  return {
    status: 200,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
    body: token,
  };
}

/** 202 with no body: Graph reads only the status, and a forger learns nothing from a body. */
export const accepted = (): ApiResponse => ({
  status: 202,
  headers: { "cache-control": "no-store" },
  body: "",
});

export interface GraphNotificationsDeps {
  /** The use case `handleGraphNotifications`, its deps bound. */
  readonly handleGraphNotifications: (
    input: HandleGraphNotificationsInput,
  ) => Promise<HandleGraphNotificationsResult>;
}

export function graphNotifications(deps: GraphNotificationsDeps): Handler {
  return async (request) => {
    const handshake = validationHandshake(request);
    if (handshake) return handshake;
    const batch = await readJson(request, NotificationBatch, GRAPH_NOTIFICATIONS_BODY_LIMIT);
    const traceparent = request.header("traceparent");
    await deps.handleGraphNotifications({
      notifications: batch.value,
      ...(traceparent !== undefined && { traceparent }),
    });
    return accepted();
  };
}

export const graphNotificationsRoute = (deps: GraphNotificationsDeps): Route => ({
  name: "graphNotifications",
  method: "POST",
  path: "graph/notifications",
  access: "anonymous",
  bodyLimit: GRAPH_NOTIFICATIONS_BODY_LIMIT,
  handle: graphNotifications(deps),
});
