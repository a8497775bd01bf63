/**
 * Named cursors: Graph delta links, last sync times.
 *
 * Keys: PartitionKey = "cursor", RowKey = the encoded name. A handful of rows, always read one at a time;
 * a delta link is a URL, hence the encoding. `set` is last-writer-wins: each cursor has a single writer
 * (its timer function, which the Functions host runs once at a time).
 */
import { z } from "zod";
import type { CursorStore } from "../../ports.ts";
import { encodeKey } from "./entity-codec.ts";
import { recordTable } from "./record-table.ts";
import type { TableOpener } from "./table-client.ts";

const CursorRow = z.object({ name: z.string().min(1), value: z.string(), updatedAt: z.iso.datetime() });
const PARTITION = "cursor";

export function createCursorStore(open: TableOpener): CursorStore {
  const rows = recordTable(open("Cursors"), CursorRow);
  return {
    async get(name) {
      const row = await rows.get(PARTITION, encodeKey(name));
      return row ? { value: row.value.value, updatedAt: row.value.updatedAt } : undefined;
    },
    async set(name, value, at) {
      await rows.put(
        PARTITION,
        encodeKey(name),
        { name, value, updatedAt: at.toISOString() },
        { force: true },
      );
    },
  };
}
