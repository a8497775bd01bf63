/** `subscriptions`: create (with the validation handshake), list, get, renew (PATCH) and delete. */
import { graphError } from "./odata.ts";
import { contextOf, type Route } from "./world.ts";

export const subscriptionRoutes: readonly Route[] = [
  {
    method: "POST",
    path: /^subscriptions$/,
    async handle(world, request) {
      const reply = await world.subscriptions.create(request.body);
      if (reply.status !== 201) return reply;
      return {
        status: 201,
        body: {
          "@odata.context": `${contextOf(request, "subscriptions")}/$entity`,
          ...(reply.body as object),
        },
      };
    },
  },
  {
    method: "GET",
    path: /^subscriptions$/,
    handle: (world, request) => ({
      status: 200,
      body: {
        "@odata.context": contextOf(request, "subscriptions"),
        value: world.subscriptions.list().map((s) => ({ ...s, clientState: null })),
      },
    }),
  },
  {
    method: "GET",
    path: /^subscriptions\/([^/]+)$/,
    handle(world, request, [id]) {
      const s = world.subscriptions.get(id ?? "");
      return s
        ? {
            status: 200,
            body: {
              "@odata.context": `${contextOf(request, "subscriptions")}/$entity`,
              ...s,
              clientState: null,
            },
          }
        : graphError(404, "ResourceNotFound", `The object was not found: subscription '${id}'.`, request.now);
    },
  },
  {
    // Graph answers 204 and keeps the subscription; the demo has no authorization to lapse.
    method: "POST",
    path: /^subscriptions\/([^/]+)\/reauthorize$/,
    handle: (world, request, [id]) =>
      world.subscriptions.get(id ?? "")
        ? { status: 204 }
        : graphError(404, "ResourceNotFound", `The object was not found: subscription '${id}'.`, request.now),
  },
  {
    method: "PATCH",
    path: /^subscriptions\/([^/]+)$/,
    handle: (world, request, [id]) => world.subscriptions.renew(id ?? "", request.body),
  },
  {
    method: "DELETE",
    path: /^subscriptions\/([^/]+)$/,
    handle: (world, _request, [id]) => world.subscriptions.remove(id ?? ""),
  },
];
