/**
 * Directory routes: `users`, `users/{id | userPrincipalName}`, `users/delta`, `users/{id}/managedDevices`
 * (sendMail is in routes-mail.ts).
 * Like Graph, a user comes with its default properties unless `$select` names others (proxyAddresses and
 * accountEnabled must be selected), and a `$select` of an unknown property is a 400.
 */
import { type GraphItem, USER_DEFAULT_PROPERTIES, USER_PROPERTIES } from "./model.ts";
import {
  collectionPage,
  decodeToken,
  encodeToken,
  graphError,
  linkWith,
  pageOf,
  parseSelect,
  project,
  type Reply,
  unknownProperties,
} from "./odata.ts";
import { contextOf, entityReply, listReply, type Request, type Route, type World } from "./world.ts";

function badSelect(request: Request): Reply | undefined {
  const select = parseSelect(request.query);
  const unknown = select ? unknownProperties(select, USER_PROPERTIES) : [];
  return unknown.length > 0
    ? graphError(
        400,
        "Request_BadRequest",
        `Could not find a property named '${unknown[0]}' on type 'microsoft.graph.user'.`,
        request.now,
      )
    : undefined;
}

/** Without `$select`, the default property set. */
function defaults(request: Request): (u: GraphItem) => GraphItem {
  return parseSelect(request.query) ? (u) => u : (u) => project(u, USER_DEFAULT_PROPERTIES);
}

function userNotFound(id: string, now: Date): Reply {
  return graphError(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    now,
  );
}

const listUsers: Route = {
  method: "GET",
  path: /^users$/,
  handle: (world, request) =>
    badSelect(request) ?? listReply(world, request, "users", directoryCollection(world), defaults(request)),
};

function directoryCollection(world: World) {
  return { count: world.directory.count, slice: (o: number, l: number) => world.directory.slice(o, l) };
}

const delta: Route = {
  method: "GET",
  path: /^users\/delta(?:\(\))?$/,
  handle(world, request) {
    const bad = badSelect(request);
    if (bad) return bad;
    const page = pageOf(
      new URLSearchParams({
        ...(request.query.has("$top") ? { $top: request.query.get("$top") ?? "" } : {}),
      }),
      world.paging,
    );
    if ("error" in page) return graphError(400, "BadRequest", page.error, request.now);
    const skip = request.query.get("$skiptoken");
    const token = request.query.get("$deltatoken");
    const state = {
      ...(skip ? { skip: decodeToken(skip) ?? { e: "" } } : {}),
      ...(token ? { delta: decodeToken(token) ?? { e: "" } } : {}),
    };
    const result = world.directory.deltaPage(state, page.size);
    if (result === "resync")
      return graphError(
        410,
        "resyncRequired",
        "The delta token is not valid for this tenant any more; start a new delta round without it.",
        request.now,
      );
    const select = parseSelect(request.query);
    const shown = defaults(request);
    const items = result.items.map((u) => ("@removed" in u ? u : project(shown(u), select, true)));
    const reply = collectionPage({
      context: contextOf(request, "users"),
      items,
      ...(result.next
        ? { nextLink: linkWith(request.url, { $skiptoken: encodeToken(result.next.skip) }) }
        : {}),
      ...(result.delta
        ? { deltaLink: linkWith(request.url, { $deltatoken: encodeToken(result.delta.token) }) }
        : {}),
    });
    if (result.delta) world.deltaRoundCompleted();
    return reply;
  },
};

const getUser: Route = {
  method: "GET",
  path: /^users\/([^/]+)$/,
  handle(world, request, [id]) {
    const bad = badSelect(request);
    if (bad) return bad;
    const user = world.directory.find(decodeURIComponent(id ?? ""));
    if (!user) return userNotFound(id ?? "", request.now);
    return entityReply(request, "users", defaults(request)(user));
  },
};

const userDevices: Route = {
  method: "GET",
  path: /^users\/([^/]+)\/managedDevices$/,
  handle(world, request, [id]) {
    const user = world.directory.find(decodeURIComponent(id ?? ""));
    if (!user) return userNotFound(id ?? "", request.now);
    const devices = world.data.devicesOf(String(user.id));
    return listReply(world, request, `users('${user.id}')/managedDevices`, {
      count: devices.length,
      slice: (o, l) => devices.slice(o, o + l),
    });
  },
};

export const userRoutes: readonly Route[] = [listUsers, delta, userDevices, getUser];
