/**
 * The certificate inventory.
 *
 * Keys: PartitionKey = the user's object id, RowKey = the thumbprint. Readiness, the `users/{upn}/readiness`
 * route and every event handler work on one user's certificates together, so that is one partition query
 * (and one user's writes never contend with another's). Scans (expiry, CRLs, re-validation, status) read
 * the whole inventory page by page; a thumbprint is 40 upper-case hex digits and needs no escaping.
 *
 * The inventory is 64 tables, Certificates00 … Certificates3f, a user's chosen by a hash of their id. Azurite,
 * which local mode and the tests run on, answers a partition query by evaluating the filter on every row of
 * the table (about a microsecond each): with 100,000 certificates in one table each event's query cost it
 * about 17 ms, and the event handler makes one per event. Azure answers it from the partition alone, so there
 * the split costs nothing but a page request per table when a scan starts.
 */

import { createHash } from "node:crypto";
import { odata } from "@azure/data-tables";
import { CertificateRecord } from "../../contracts/rows.ts";
import type { CertificateStore } from "../../ports.ts";
import { encodeKey } from "./entity-codec.ts";
import { collect, recordTable } from "./record-table.ts";
import type { TableOpener } from "./table-client.ts";

const TABLES = 64;

/** The inventory table of a user: "Certificates00" … "Certificates3f". */
export function certificateTableOf(userId: string): string {
  return tableName((createHash("sha256").update(userId, "utf8").digest()[0] ?? 0) % TABLES);
}

const tableName = (index: number) => `Certificates${index.toString(16).padStart(2, "0")}`;

export function createCertificateStore(open: TableOpener): CertificateStore {
  const tables = new Map(
    Array.from({ length: TABLES }, (_, i) => {
      const name = tableName(i);
      return [name, recordTable(open(name), CertificateRecord)] as const;
    }),
  );
  const rows = (userId: string) => tables.get(certificateTableOf(userId))!;
  const partition = (userId: string) => encodeKey(userId);
  return {
    get: (userId, thumbprint) => rows(userId).get(partition(userId), encodeKey(thumbprint)),
    put: (record, condition) =>
      rows(record.userId).put(partition(record.userId), encodeKey(record.thumbprint), record, condition),
    listByUser: (userId) => collect(rows(userId).query(odata`PartitionKey eq ${partition(userId)}`)),
    async *scan(select) {
      for (const table of tables.values()) yield* select ? table.project(select) : table.query();
    },
  };
}
