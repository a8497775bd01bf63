/**
 * Building blocks of the Graph contracts: Graph's nulls, dates, thumbprints, evolvable and flags enums, pages
 * and errors.
 */
import { z } from "zod";
import { Thumbprint } from "../events.ts";

/** null or absent → absent (the key stays optional in the inferred type). */
export const opt = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());

/** A DateTimeOffset, normalised to UTC ISO-8601 with milliseconds. */
export const GraphDateTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

/** Graph's thumbprints come in either case, sometimes with spaces; the pipeline keys on upper-case hex. */
export const GraphThumbprint = z
  .string()
  .transform((s) => s.replace(/[\s:]/g, "").toUpperCase())
  .pipe(Thumbprint);

/** An evolvable enum: a member Graph added after this code was written parses as `unknownFutureValue`. */
export const evolvable = <const T extends readonly [string, ...string[]]>(members: T) =>
  z
    .string()
    .transform((v): T[number] | "unknownFutureValue" =>
      (members as readonly string[]).includes(v) ? (v as T[number]) : "unknownFutureValue",
    );

/** A flags enum (Graph serialises it as "a,b"): the members set, as an array. */
export const flags = <const T extends readonly [string, ...string[]]>(members: T) =>
  z.string().transform((v) =>
    v
      .split(",")
      .map((m) => m.trim())
      .filter((m) => m.length > 0)
      .map((m): T[number] | "unknownFutureValue" =>
        (members as readonly string[]).includes(m) ? (m as T[number]) : "unknownFutureValue",
      ),
  );

/** A Graph collection page: `value` items are parsed one by one by the gateway, so one bad item is named alone. */
export const GraphCollectionPage = z.object({
  value: z.array(z.unknown()),
  "@odata.nextLink": opt(z.string()),
  "@odata.deltaLink": opt(z.string()),
});
export type GraphCollectionPage = z.infer<typeof GraphCollectionPage>;

/** Graph's error body: `{ error: { code, message } }`. */
export const GraphErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().default(""),
    innerError: opt(z.object({ "request-id": opt(z.string()), date: opt(z.string()) })),
  }),
});
export type GraphErrorBody = z.infer<typeof GraphErrorBody>;
