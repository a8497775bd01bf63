/**
 * Parsing Graph responses with the contracts' schemas: a whole body, or a collection page item by item (so one
 * bad item is reported alone and the rest of the page still counts).
 */
import type { z } from "zod";
import { GraphCollectionPage } from "../../contracts/graph.ts";
import { describeIssues, GraphPayloadError } from "./errors.ts";

/** One parsed page of a listing. */
export interface ParsedPage<T> {
  readonly items: T[];
  readonly rejected: GraphPayloadError[];
  readonly nextLink?: string;
  readonly deltaLink?: string;
}

/** Parses a whole response body. @throws GraphPayloadError */
export function parseBody<S extends z.ZodType>(schema: S, resource: string, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new GraphPayloadError(resource, "", describeIssues(parsed.error));
  return parsed.data;
}

/** Parses a collection page: the envelope must fit (else throws); each item is kept or rejected on its own. */
export function parsePage<S extends z.ZodType>(
  schema: S,
  resource: string,
  body: unknown,
): ParsedPage<z.output<S>> {
  const page = parseBody(GraphCollectionPage, resource, body);
  const items: z.output<S>[] = [];
  const rejected: GraphPayloadError[] = [];
  page.value.forEach((raw, index) => {
    const parsed = schema.safeParse(raw);
    if (parsed.success) items.push(parsed.data);
    else rejected.push(new GraphPayloadError(resource, itemLabel(raw, index), describeIssues(parsed.error)));
  });
  return {
    items,
    rejected,
    ...(page["@odata.nextLink"] ? { nextLink: page["@odata.nextLink"] } : {}),
    ...(page["@odata.deltaLink"] ? { deltaLink: page["@odata.deltaLink"] } : {}),
  };
}

function itemLabel(raw: unknown, index: number): string {
  const id = raw && typeof raw === "object" && "id" in raw ? (raw as { id: unknown }).id : undefined;
  return typeof id === "string" ? `value[${index}] (id ${id})` : `value[${index}]`;
}
