/**
 * CRL health, one row per distribution point URL.
 *
 * Keys: PartitionKey = "crl", RowKey = the encoded URL (a URL holds `/` and `?`, which keys may not). The
 * status page and checkCrls always want every distribution point at once, and there are tens, not
 * thousands: one partition makes `list` a single query.
 */
import { odata } from "@azure/data-tables";
import { CrlHealthRecord } from "../../contracts/rows.ts";
import type { CrlHealthStore } from "../../ports.ts";
import { encodeKey } from "./entity-codec.ts";
import { collect, recordTable } from "./record-table.ts";
import type { TableOpener } from "./table-client.ts";

const PARTITION = "crl";

export function createCrlHealthStore(open: TableOpener): CrlHealthStore {
  const rows = recordTable(open("CrlHealth"), CrlHealthRecord);
  return {
    get: (url) => rows.get(PARTITION, encodeKey(url)),
    put: (record, condition) => rows.put(PARTITION, encodeKey(record.url), record, condition),
    list: () => collect(rows.query(odata`PartitionKey eq ${PARTITION}`)),
  };
}
