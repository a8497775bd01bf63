/**
 * The certificate inventory.
 *
 * Keys: PartitionKey = the user's object id, RowKey = the thumbprint. Readiness, the `users/{upn}/readiness`
 * route and every event handler work on one user's certificates together, so that is one partition query
 * (and one user's writes never contend with another's). Scans (expiry, CRLs, re-validation, status) read
 * the whole inventory page by page; a thumbprint is 40 upper-case hex digits and needs no escaping.
 *
 * The inventory is 16 tables, Certificates0 … Certificatesf, a user's in the one of their user bucket
 * (user-store.ts). Azurite, which local mode and the tests run on, answers a partition query by reading every
 * row of the table: with 100,000 certificates in one table each event's query cost it about 17 ms, and the
 * event handler makes one per event. Azure answers it from the partition alone, so there the split costs
 * nothing but a page request per table when a scan starts.
 */

import { odata } from "@azure/data-tables";
import { CertificateRecord } from "../../contracts/rows.ts";
import type { CertificateStore } from "../../ports.ts";
import { encodeKey } from "./entity-codec.ts";
import { collect, recordTable } from "./record-table.ts";
import type { TableOpener } from "./table-client.ts";
import { userBucketIndex } from "./user-store.ts";

const TABLES = 16;

/** The inventory table of a user: "Certificates0" … "Certificatesf". */
export function certificateTableOf(userId: string): string {
  return `Certificates${userBucketIndex(userId).toString(16)}`;
}

export function createCertificateStore(open: TableOpener): CertificateStore {
  const tables = new Map(
    Array.from({ length: TABLES }, (_, i) => {
      const name = `Certificates${i.toString(16)}`;
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
    async *scan() {
      for (const table of tables.values()) yield* table.query();
    },
  };
}
