/**
 * `POST graph/notifications`: Graph's change notifications on users, turned into `user.refreshRequested`
 * events and nothing more. Graph waits 3 seconds for an answer and throttles, then drops, an endpoint that
 * is often slower; so this does no Graph call and no per-user work — it checks each notification's
 * clientState, builds one event per genuine notification, and publishes them all in one batch: one write,
 * to the queue (the processor writes their ledger lines when it takes them: RECORDED_ON_RECEIPT in
 * publish-events.ts). The certificate-events processor does the rest (graph-refresh-user.ts), at its own pace.
 */
import { z } from "zod";
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import { createEvent } from "../contracts/events.ts";
import {
  type ChangeNotification,
  ChangeNotification as ChangeNotificationSchema,
} from "../contracts/graph.ts";
import type { Deps } from "./deps.ts";
import { eventSource } from "./deps.ts";
import { clientStateMatches } from "./graph-client-state.ts";
import { publishEvents } from "./publish-events.ts";

export type HandleGraphNotificationsDeps = Pick<Deps, "audit" | "bus" | "clock" | "logger"> & {
  /** GRAPH_CLIENT_STATE: the secret every genuine notification carries; none configured refuses all. */
  readonly clientState: string | undefined;
};

export interface HandleGraphNotificationsInput {
  /** The batch's `value`: each item is parsed on its own, so one odd item does not sink the others. */
  readonly notifications: readonly unknown[];
  readonly traceparent?: string;
}

export interface HandleGraphNotificationsResult {
  /** Notifications turned into events (before duplicate removal). */
  readonly accepted: number;
  /** Notifications whose clientState did not match: never processed. */
  readonly forged: number;
  /** Notifications that were not a user change, or not a change notification at all. */
  readonly ignored: number;
  /** Distinct events published. */
  readonly published: number;
}

const SOURCE = eventSource("graphNotifications");

/** `Users/{id}` (Graph's resource path for a user, in either case). */
const USER_RESOURCE = /^\/?users\/([^/?#]{1,128})$/i;
const UserId = z.string().regex(/^[A-Za-z0-9-]{1,128}$/);

/**
 * Checks and enqueues one delivery. A notification with a wrong clientState is counted and logged (its
 * subscription id only, never the value it carried) and dropped; the caller still answers 2xx (see the
 * route for why).
 * @throws RetryableError when the bus is unavailable: the route answers 503 and Graph retries
 */
export async function handleGraphNotifications(
  deps: HandleGraphNotificationsDeps,
  input: HandleGraphNotificationsInput,
): Promise<HandleGraphNotificationsResult> {
  const now = deps.clock.now();
  const events: CloudEventEnvelope[] = [];
  const forgedSubscriptions = new Set<string>();
  let forged = 0;
  let ignored = 0;
  for (const item of input.notifications) {
    const parsed = ChangeNotificationSchema.safeParse(item);
    if (!parsed.success) {
      ignored++;
      continue;
    }
    const n = parsed.data;
    if (!clientStateMatches(deps.clientState, n.clientState)) {
      forged++;
      forgedSubscriptions.add(n.subscriptionId.slice(0, 64));
      continue;
    }
    const userId = userIdOf(n);
    if (userId === undefined) {
      ignored++;
      continue;
    }
    events.push(
      createEvent(
        "user.refreshRequested",
        {
          userId,
          changeType: n.changeType,
          subscriptionId: n.subscriptionId,
          resource: n.resource,
          notificationKey: notificationKey(n),
          receivedAt: now.toISOString(),
        },
        { source: SOURCE, time: now, ...(input.traceparent && { traceparent: input.traceparent }) },
      ),
    );
  }
  if (forged > 0)
    deps.logger.warn("graph notifications with a wrong clientState dropped", {
      count: forged,
      subscriptionIds: [...forgedSubscriptions].slice(0, 10),
    });
  if (ignored > 0) deps.logger.warn("graph notifications ignored", { count: ignored });
  await publishEvents(deps, events);
  const published = new Set(events.map((e) => e.id)).size;
  return { accepted: events.length, forged, ignored, published };
}

/** The user's object id: resourceData.id, else the resource path `Users/{id}`. */
function userIdOf(n: ChangeNotification): string | undefined {
  const path = USER_RESOURCE.exec(n.resource);
  if (!path) return undefined;
  const parsed = UserId.safeParse(n.resourceData?.id ?? path[1]);
  return parsed.success ? parsed.data : undefined;
}

/**
 * What tells this notification from another change of the same user, taken from the notification's own
 * content so that Graph's retries (the same payload again) get the same event id and are dropped as
 * duplicates: its id when Graph gives one, else the entity's etag or sequence number, else the
 * subscription's expiry. Two genuine changes that Graph describes identically within the queue's
 * duplicate-detection window collapse into one refresh; that refresh reads the user as it is when it runs,
 * and the periodic delta sync covers the rare change that lands after it.
 */
function notificationKey(n: ChangeNotification): string {
  if (n.id) return `id:${n.id}`;
  const etag = n.resourceData?.["@odata.etag"];
  if (typeof etag === "string" && etag !== "") return `etag:${etag}`;
  const sequence = n.resourceData?.["sequenceNumber"];
  if (typeof sequence === "number" || typeof sequence === "string") return `seq:${sequence}`;
  return `expiry:${n.subscriptionExpirationDateTime ?? ""}`;
}
