/**
 * A table of one record type: the codec and the record's zod schema around a Table, so every store reads
 * and writes the same way. Records are parsed on write too (a bad record never reaches storage) and on
 * every read (a row written by hand or by an older version is caught here, named by table and keys).
 */
import { z } from "zod";
import { PermanentError } from "../../errors.ts";
import type { Versioned, WriteCondition } from "../../ports.ts";
import { columnsOf, decodeRecord, encodeRecord, type Properties, type RowAddress } from "./entity-codec.ts";
import type { Table } from "./table-client.ts";

export interface RecordTable<T> {
  readonly table: Table;
  get(partitionKey: string, rowKey: string): Promise<Versioned<T> | undefined>;
  put(partitionKey: string, rowKey: string, record: T, condition: WriteCondition): Promise<string>;
  /** Creates the records in one transaction (see Table.createAll): all or none, ConflictError if one exists. */
  createAll(partitionKey: string, rows: readonly { rowKey: string; record: T }[]): Promise<void>;
  /** Records matching the OData filter (all when none), in key order. */
  query(filter?: string, pageSize?: number): AsyncIterable<T>;
  /**
   * Some fields of each record matching the filter: the service sends only their columns and only those are
   * parsed, so a scan that needs a few short fields of every record does not read, decode and validate the
   * rest (certificates, verdicts). Short fields only: a text stored in chunks is not read (see columnsOf).
   */
  project<K extends keyof T & string>(
    fields: readonly K[],
    filter?: string,
    pageSize?: number,
  ): AsyncIterable<Pick<T, K>>;
}

export function recordTable<S extends z.ZodObject>(table: Table, schema: S): RecordTable<z.infer<S>> {
  const address = (partitionKey: string, rowKey: string): RowAddress => ({
    table: table.name,
    partitionKey,
    rowKey,
  });
  /** The record as stored properties; a record that does not parse never reaches storage. */
  const encode = (partitionKey: string, rowKey: string, record: z.infer<S>): Properties => {
    const checked = schema.safeParse(record);
    if (!checked.success) {
      const detail = checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new PermanentError(
        `table ${table.name}, '${partitionKey}'/'${rowKey}': refusing to store: ${detail}`,
      );
    }
    return encodeRecord(checked.data, address(partitionKey, rowKey));
  };
  return {
    table,
    async get(partitionKey, rowKey) {
      const row = await table.get(partitionKey, rowKey);
      if (!row) return undefined;
      return { value: decodeRecord(schema, row.entity, address(partitionKey, rowKey)), etag: row.etag };
    },
    async put(partitionKey, rowKey, record, condition) {
      const properties = encode(partitionKey, rowKey, record);
      return table.write(partitionKey, rowKey, properties, condition);
    },
    async createAll(partitionKey, rows) {
      const encoded = rows.map((r) => ({
        rowKey: r.rowKey,
        properties: encode(partitionKey, r.rowKey, r.record),
      }));
      await table.createAll(partitionKey, encoded);
    },
    async *query(filter, pageSize) {
      for await (const entity of table.query(filter, pageSize)) {
        const partitionKey = String(entity["partitionKey"]);
        const rowKey = String(entity["rowKey"]);
        yield decodeRecord(schema, entity, address(partitionKey, rowKey));
      }
    },
    async *project(fields, filter, pageSize) {
      const picked = z.object(Object.fromEntries(fields.map((field) => [field, schema.shape[field]])));
      const columns = ["PartitionKey", "RowKey", ...columnsOf(fields)];
      for await (const entity of table.query(filter, pageSize, columns)) {
        const at = address(String(entity["partitionKey"]), String(entity["rowKey"]));
        // Azure names a selected property the entity lacks with null; no stored property is ever null.
        const present = Object.fromEntries(Object.entries(entity).filter(([, value]) => value !== null));
        yield decodeRecord(picked, present, at) as Pick<z.infer<S>, (typeof fields)[number]>;
      }
    },
  };
}

/** Collects an async iterable (small, bounded results only). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
