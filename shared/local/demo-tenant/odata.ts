/**
 * The OData conventions Microsoft Graph follows, as far as the demo tenant needs them: error bodies,
 * `$select`, `$top` and server-driven paging with an opaque `$skiptoken` in `@odata.nextLink`.
 *
 * Paging is by offset into a collection whose order never changes while a client pages through it (the
 * demo data is fixed; changes only replace items in place), so a nextLink is good until the tenant stops.
 */
import { randomUUID } from "node:crypto";

/** A response the router writes: JSON for objects, text for strings, bytes as they are. */
export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** Graph's error body: `{ error: { code, message, innerError } }`, with the status it travels with. */
export function graphError(status: number, code: string, message: string, now: Date): Reply {
  return {
    status,
    body: {
      error: {
        code,
        message,
        innerError: { date: now.toISOString().slice(0, 19), "request-id": randomUUID() },
      },
    },
  };
}

/** `$select=a,b` → ["a","b"]; undefined when absent or empty. */
export function parseSelect(query: URLSearchParams): string[] | undefined {
  const raw = query.get("$select");
  if (!raw) return undefined;
  const names = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return names.length > 0 ? names : undefined;
}

/** Annotations Graph keeps on an item whatever `$select` says. */
const ALWAYS_KEPT = ["@odata.type", "@removed"];

/** Only the selected properties of `item` (and its annotations); `id` too when `keepId` (delta does). */
export function project(
  item: Readonly<Record<string, unknown>>,
  select: readonly string[] | undefined,
  keepId = false,
): Record<string, unknown> {
  if (!select) return { ...item };
  const out: Record<string, unknown> = {};
  for (const key of ALWAYS_KEPT) if (key in item) out[key] = item[key];
  if (keepId && "id" in item) out.id = item.id;
  for (const key of select) if (key in item) out[key] = item[key];
  return out;
}

/** The names in `select` that no item of the type has: Graph answers 400 for those. */
export function unknownProperties(select: readonly string[], known: ReadonlySet<string>): string[] {
  return select.filter((name) => !known.has(name));
}

export interface PageRequest {
  readonly offset: number;
  readonly size: number;
}

/**
 * Which slice a request asks for: `$skiptoken` (ours, opaque) carries the offset, `$top` the page size,
 * capped at `max`; without `$top` the tenant's default page size applies.
 */
export function pageOf(
  query: URLSearchParams,
  defaults: { pageSize: number; maxPageSize: number },
): PageRequest | { error: string } {
  const top = query.get("$top");
  let size = defaults.pageSize;
  if (top !== null) {
    const n = Number(top);
    if (!Number.isInteger(n) || n < 1) return { error: `Invalid value '${top}' for $top query option.` };
    size = Math.min(n, defaults.maxPageSize);
  }
  const token = query.get("$skiptoken");
  if (token === null) return { offset: 0, size };
  const offset = decodeToken(token)?.o;
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0)
    return { error: "The $skiptoken is not valid." };
  return { offset, size };
}

export function encodeToken(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeToken(token: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    return parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The request's URL with `$skiptoken` (and `$deltatoken`) replaced: what a nextLink or deltaLink names. */
export function linkWith(url: URL, params: Readonly<Record<string, string>>): string {
  const next = new URL(url.toString());
  next.searchParams.delete("$skiptoken");
  next.searchParams.delete("$deltatoken");
  for (const [key, value] of Object.entries(params)) next.searchParams.set(key, value);
  // Graph writes `$` unescaped in its links; clients compare them as opaque strings anyway.
  return next.toString().replaceAll("%24", "$").replaceAll("%2C", ",");
}

/** A collection page: `@odata.context`, `value`, and `@odata.nextLink` while more remain. */
export function collectionPage(options: {
  readonly context: string;
  readonly items: readonly Record<string, unknown>[];
  readonly nextLink?: string;
  readonly deltaLink?: string;
}): Reply {
  const body: Record<string, unknown> = { "@odata.context": options.context };
  if (options.nextLink) body["@odata.nextLink"] = options.nextLink;
  if (options.deltaLink) body["@odata.deltaLink"] = options.deltaLink;
  body.value = options.items;
  return { status: 200, body };
}
