/**
 * A table of one record type: the codec and the record's zod schema around a Table, so every store reads
 * and writes the same way. Records are parsed on write too (a bad record never reaches storage) and on
 * every read (a row written by hand or by an older version is caught here, named by table and keys).
 */
import type { z } from "zod";
import { PermanentError } from "../../errors.ts";
import type { Versioned, WriteCondition } from "../../ports.ts";
import { decodeRecord, encodeRecord, type Properties, type RowAddress } from "./entity-codec.ts";
import type { Table } from "./table-client.ts";

export interface RecordTable<T> {
  readonly table: Table;
  get(partitionKey: string, rowKey: string): Promise<Versioned<T> | undefined>;
  put(partitionKey: string, rowKey: string, record: T, condition: WriteCondition): Promise<string>;
  /** Creates the records in one transaction (see Table.createAll): all or none, ConflictError if one exists. */
  createAll(partitionKey: string, rows: readonly { rowKey: string; record: T }[]): Promise<void>;
  /** Records matching the OData filter (all when none), in key order. */
  query(filter?: string, pageSize?: number): AsyncIterable<T>;
}

export function recordTable<S extends z.ZodType<Record<string, unknown>>>(
  table: Table,
  schema: S,
): RecordTable<z.infer<S>> {
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
  };
}

/** Collects an async iterable (small, bounded results only). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
