/** Change-notification subscriptions: v1.0 (generally available, including lifecycle notifications). */
import { GraphSubscription, SubscriptionCreate, SubscriptionRenew } from "../../contracts/graph.ts";
import type { GraphPage, GraphSubscriptions } from "../../ports.ts";
import { parseBody } from "./parse.ts";
import type { GraphTransport } from "./transport.ts";

const VERSION = "v1.0";

export function subscriptions(transport: GraphTransport): GraphSubscriptions {
  const path = (id: string) => `subscriptions/${encodeURIComponent(id)}`;
  return {
    async create(request) {
      const body = parseBody(SubscriptionCreate, "subscription request", request);
      const res = await transport.send({
        method: "POST",
        version: VERSION,
        path: "subscriptions",
        body,
        resource: "subscription",
      });
      return parseBody(GraphSubscription, "subscription", res.body);
    },
    async renew(id, expirationDateTime) {
      const body = parseBody(SubscriptionRenew, "subscription renewal", { expirationDateTime });
      const res = await transport.send({
        method: "PATCH",
        version: VERSION,
        path: path(id),
        body,
        resource: "subscription",
      });
      return parseBody(GraphSubscription, "subscription", res.body);
    },
    async reauthorize(id) {
      await transport.send({
        method: "POST",
        version: VERSION,
        path: `${path(id)}/reauthorize`,
        resource: "subscription reauthorize",
        idempotent: true,
      });
    },
    async remove(id) {
      await transport.send({
        method: "DELETE",
        version: VERSION,
        path: path(id),
        resource: "subscription",
        accept: [404],
      });
    },
    list: () => listSubscriptions(transport),
  };
}

async function* listSubscriptions(transport: GraphTransport): AsyncGenerator<GraphPage<GraphSubscription>> {
  // The one read without $select: list subscriptions supports no OData query parameters (Graph docs).
  const call = { method: "GET", version: VERSION, path: "subscriptions", resource: "subscriptions" } as const;
  for await (const page of transport.pages(call, GraphSubscription))
    yield { items: page.items, rejected: page.rejected };
}
