/**
 * Records ↔ table entities, and row keys, for every store in this folder.
 *
 * Properties: strings, booleans and numbers are stored as native properties (so the portal shows them and
 * queries can filter on them); arrays and objects as JSON text under `<name>__json`. Azure Tables caps a
 * property at 64 KiB (32,768 UTF-16 characters) and an entity at 1 MiB: a longer text is split across
 * `<name>__0`, `<name>__1`, … (`<name>__json__0`, … for JSON) and joined on read, so a certificate with
 * a huge extension or a long operation log still fits; an entity that would pass 1 MiB is refused before it
 * is sent, with a PermanentError naming the table, keys and size (retrying cannot make it smaller; the
 * biggest thing stored, a Service Bus message body in the audit ledger, is far below it).
 *
 * Keys: PartitionKey and RowKey may not hold / \ # ? or control characters and are capped at 1 KiB, and
 * user principal names (`alice_contoso.com#EXT#@…`) and URLs hold exactly those. `encodeKey` keeps
 * letters, digits and `-._@` and writes every other UTF-8 byte as `~XX`; a key that would still be too long
 * becomes `~~` and its SHA-256 (the record carries the original value, so keys are never decoded).
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import { PermanentError } from "../../errors.ts";

/** A property value as the SDK sends it: plain, or with an explicit EDM type. */
export type PropertyValue = string | boolean | { value: number; type: "Int32" | "Double" };
export type Properties = Record<string, PropertyValue>;

/** Longest string property we write, in UTF-16 code units: under the service's 64 KiB (32,768). */
export const MAX_PROPERTY_CHARS = 32_000;
/** Largest entity Azure Tables accepts, in bytes as it counts them. */
export const MAX_ENTITY_BYTES = 1024 * 1024;
/** Longest key kept readable; beyond it the key is hashed (the service's cap is 1 KiB). */
const MAX_READABLE_KEY = 400;
const JSON_MARK = "json";
const SEPARATOR = "__";
/** Properties the service or the SDK adds to every entity read. */
const SYSTEM_PROPERTIES = new Set(["partitionKey", "rowKey", "etag", "timestamp"]);

/** A row that does not parse as its record: a clear, permanent error naming where it is. */
export class CorruptRowError extends PermanentError {
  readonly table: string;
  readonly partitionKey: string;
  readonly rowKey: string;

  constructor(table: string, partitionKey: string, rowKey: string, detail: string, options?: ErrorOptions) {
    super(`table ${table}, PartitionKey '${partitionKey}', RowKey '${rowKey}': ${detail}`, options);
    this.name = "CorruptRowError";
    this.table = table;
    this.partitionKey = partitionKey;
    this.rowKey = rowKey;
  }
}

/** Where a row lives, for error messages. */
export interface RowAddress {
  readonly table: string;
  readonly partitionKey: string;
  readonly rowKey: string;
}

/** Makes any string a valid, injective PartitionKey or RowKey. */
export function encodeKey(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._@]/.test(c) ? c : `~${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  if (out.length <= MAX_READABLE_KEY) return out;
  // `~~` never starts an escaped key (an escape is `~` and two hex digits), so the two forms cannot collide.
  return `~~${createHash("sha256").update(value, "utf8").digest("hex")}`;
}

/** A record's fields as entity properties (see the file comment); `undefined` fields are left out. */
export function encodeRecord(record: Readonly<Record<string, unknown>>, address: RowAddress): Properties {
  const properties: Properties = {};
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    if (name.includes(SEPARATOR) || SYSTEM_PROPERTIES.has(name)) {
      throw new PermanentError(`${describe(address)}: field name '${name}' cannot be stored`);
    }
    if (typeof value === "string") putText(properties, name, value, false);
    else if (typeof value === "boolean") properties[name] = value;
    else if (typeof value === "number") properties[name] = encodeNumber(value);
    else putText(properties, name, JSON.stringify(value), true);
  }
  const size = entityBytes(address, properties);
  if (size > MAX_ENTITY_BYTES) {
    throw new PermanentError(
      `${describe(address)}: entity of ${size} bytes exceeds the 1 MiB limit of Azure Tables`,
    );
  }
  return properties;
}

/**
 * The columns to read for some of a record's fields (a projected query's `select`): each field's plain column
 * and its JSON column, since encodeRecord picks one by the value. A text split into chunks (over
 * MAX_PROPERTY_CHARS) is not among them: project short fields only.
 */
export function columnsOf(fields: readonly string[]): string[] {
  return fields.flatMap((name) => [name, `${name}${SEPARATOR}${JSON_MARK}`]);
}

/** The record's fields back from an entity read: system properties dropped, JSON parsed, chunks joined. */
export function decodeProperties(
  entity: Readonly<Record<string, unknown>>,
  address: RowAddress,
): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  const texts = new Map<string, { json: boolean; parts: Map<number, string> }>();
  for (const [key, value] of Object.entries(entity)) {
    if (SYSTEM_PROPERTIES.has(key) || key.startsWith("odata.")) continue;
    const [name = "", ...marks] = key.split(SEPARATOR);
    if (marks.length === 0) {
      plain[name] = value;
      continue;
    }
    const json = marks[0] === JSON_MARK;
    const index = marks.length === (json ? 1 : 0) ? 0 : Number(marks.at(-1));
    if (typeof value !== "string" || !Number.isInteger(index)) {
      throw new CorruptRowError(
        address.table,
        address.partitionKey,
        address.rowKey,
        `property '${key}' is not readable`,
      );
    }
    const text = texts.get(name) ?? { json, parts: new Map() };
    text.parts.set(index, value);
    texts.set(name, text);
  }
  for (const [name, { json, parts }] of texts) {
    const joined = [...parts.keys()]
      .sort((a, b) => a - b)
      .map((i) => parts.get(i))
      .join("");
    plain[name] = json ? parseJson(joined, name, address) : joined;
  }
  return plain;
}

/** Decodes an entity and parses it with the record's schema, or throws CorruptRowError naming the row. */
export function decodeRecord<S extends z.ZodType>(
  schema: S,
  entity: Readonly<Record<string, unknown>>,
  address: RowAddress,
): z.infer<S> {
  const parsed = schema.safeParse(decodeProperties(entity, address));
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "(row)"}: ${i.message}`).join("; ");
    throw new CorruptRowError(
      address.table,
      address.partitionKey,
      address.rowKey,
      `does not parse: ${detail}`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}

function putText(properties: Properties, name: string, text: string, json: boolean): void {
  const base = json ? `${name}${SEPARATOR}${JSON_MARK}` : name;
  if (text.length <= MAX_PROPERTY_CHARS) {
    properties[base] = text;
    return;
  }
  chunks(text).forEach((chunk, i) => {
    properties[`${base}${SEPARATOR}${i}`] = chunk;
  });
}

/** Pieces of at most MAX_PROPERTY_CHARS, never cutting a surrogate pair in two (a lone half is not text). */
function chunks(text: string): string[] {
  const out: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + MAX_PROPERTY_CHARS, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    out.push(text.slice(start, end));
    start = end;
  }
  return out;
}

function encodeNumber(value: number): PropertyValue {
  if (Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) return { value, type: "Int32" };
  return { value, type: "Double" };
}

function parseJson(text: string, name: string, address: RowAddress): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CorruptRowError(
      address.table,
      address.partitionKey,
      address.rowKey,
      `field '${name}' is not JSON`,
      {
        cause: error,
      },
    );
  }
}

/** The entity's size as Azure Tables counts it (4 + keys + per property 8 + name + value, UTF-16). */
function entityBytes(address: RowAddress, properties: Properties): number {
  let size = 4 + 2 * address.partitionKey.length + 2 * address.rowKey.length;
  for (const [name, value] of Object.entries(properties)) {
    size += 8 + 2 * name.length;
    if (typeof value === "string") size += 4 + 2 * value.length;
    else if (typeof value === "boolean") size += 1;
    else size += 8;
  }
  return size;
}

function describe(address: RowAddress): string {
  return `table ${address.table}, PartitionKey '${address.partitionKey}', RowKey '${address.rowKey}'`;
}
