/**
 * `POST /api/graph/lifecycle` (anonymous at the bearer level; authenticated by `clientState`): Graph's
 * lifecycle notifications for the users subscription. The same validation handshake as the notification
 * URL (Graph validates both when it creates the subscription), then each notification recorded for
 * renewSubscription to act on, and 202 — for a wrong clientState too, for the reasons given in
 * graph-notifications.ts.
 */
import type { HandleGraphLifecycleResult } from "../../usecases/handle-graph-lifecycle.ts";
import type { Handler } from "../api.ts";
import { readJson } from "../body.ts";
import type { Route } from "../router.ts";
import { accepted, NotificationBatch, validationHandshake } from "./graph-notifications.ts";

/** Lifecycle notifications come a few at a time. */
export const GRAPH_LIFECYCLE_BODY_LIMIT = 256 * 1024;

export interface GraphLifecycleDeps {
  /** The use case `handleGraphLifecycle`, its deps bound. */
  readonly handleGraphLifecycle: (input: {
    readonly notifications: readonly unknown[];
  }) => Promise<HandleGraphLifecycleResult>;
}

export function graphLifecycle(deps: GraphLifecycleDeps): Handler {
  return async (request) => {
    const handshake = validationHandshake(request);
    if (handshake) return handshake;
    const batch = await readJson(request, NotificationBatch, GRAPH_LIFECYCLE_BODY_LIMIT);
    await deps.handleGraphLifecycle({ notifications: batch.value });
    return accepted();
  };
}

export const graphLifecycleRoute = (deps: GraphLifecycleDeps): Route => ({
  name: "graphLifecycle",
  method: "POST",
  path: "graph/lifecycle",
  access: "anonymous",
  bodyLimit: GRAPH_LIFECYCLE_BODY_LIMIT,
  handle: graphLifecycle(deps),
});
