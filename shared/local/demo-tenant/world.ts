/**
 * Everything a route handler may touch, and the request as the router hands it over.
 */
import type { Clock } from "../../ports.ts";
import type { UserChange } from "./dataset.ts";
import type { DeviceInstalls } from "./device-installs.ts";
import type { Directory } from "./directory.ts";
import type { ExportJobs } from "./export-jobs.ts";
import type { Collection, GraphItem, TenantData } from "./model.ts";
import { collectionPage, encodeToken, graphError, linkWith, pageOf, project, type Reply } from "./odata.ts";
import type { Outbox } from "./outbox.ts";
import type { Subscriptions } from "./subscriptions.ts";

export interface World {
  readonly data: TenantData;
  readonly directory: Directory;
  readonly subscriptions: Subscriptions;
  readonly exports: ExportJobs;
  readonly outbox: Outbox;
  /** What a device sync installs (the demo dataset only; a generated tenant installs nothing). */
  readonly installs: DeviceInstalls | undefined;
  readonly clock: Clock;
  readonly paging: { readonly pageSize: number; readonly maxPageSize: number };
  /** Called when a delta round hands out its deltaLink (the demo's scripted changes happen then). */
  deltaRoundCompleted(): void;
  /** Applies a user change and notifies subscribers. */
  changeUser(idOrUpn: string, change: UserChange): Promise<unknown>;
}

export interface Request {
  readonly method: string;
  /** The full request URL (the tenant's own origin). */
  readonly url: URL;
  readonly version: "v1.0" | "beta";
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly now: Date;
  readonly baseUrl: string;
}

export interface Route {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Matched against the path after `/v1.0/` or `/beta/`; groups become `params`. */
  readonly path: RegExp;
  /** Graph has it under /beta only: /v1.0 answers 400 like Graph does for an unknown segment. */
  readonly betaOnly?: boolean;
  handle(world: World, request: Request, params: readonly string[]): Reply | Promise<Reply>;
}

/** `@odata.context` of a collection or entity set. */
export function contextOf(request: Request, entitySet: string): string {
  return `${request.baseUrl}/${request.version}/$metadata#${entitySet}`;
}

/** A page of `collection` per `$top`/`$skiptoken`, projected per `$select`, with a nextLink while more remain. */
export function listReply(
  world: World,
  request: Request,
  entitySet: string,
  collection: Collection,
  transform: (item: GraphItem) => GraphItem = (i) => i,
): Reply {
  if (request.query.has("$filter"))
    return graphError(
      400,
      "BadRequest",
      `The demo tenant does not support $filter on ${entitySet}.`,
      request.now,
    );
  const page = pageOf(request.query, world.paging);
  if ("error" in page) return graphError(400, "BadRequest", page.error, request.now);
  const select = request.query
    .get("$select")
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const items = collection.slice(page.offset, page.size).map((i) => project(transform(i), select));
  const more = page.offset + page.size < collection.count;
  return collectionPage({
    context: contextOf(request, entitySet),
    items,
    ...(more
      ? { nextLink: linkWith(request.url, { $skiptoken: encodeToken({ o: page.offset + page.size }) }) }
      : {}),
  });
}

/** One entity, projected per `$select`. */
export function entityReply(request: Request, entitySet: string, item: GraphItem): Reply {
  const select = request.query
    .get("$select")
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    status: 200,
    body: { "@odata.context": `${contextOf(request, entitySet)}/$entity`, ...project(item, select) },
  };
}
