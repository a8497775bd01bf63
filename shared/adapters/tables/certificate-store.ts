/**
 * The certificate inventory.
 *
 * Keys: PartitionKey = the user's object id, RowKey = the thumbprint. Readiness, the `users/{upn}/readiness`
 * route and every event handler work on one user's certificates together, so that is one partition query
 * (and one user's writes never contend with another's). Scans (expiry, CRLs, re-validation, status) read
 * the whole table page by page; a thumbprint is 40 upper-case hex digits and needs no escaping.
 */

import { odata } from "@azure/data-tables";
import { CertificateRecord } from "../../contracts/rows.ts";
import type { CertificateStore } from "../../ports.ts";
import { encodeKey } from "./entity-codec.ts";
import { collect, recordTable } from "./record-table.ts";
import type { TableOpener } from "./table-client.ts";

export function createCertificateStore(open: TableOpener): CertificateStore {
  const rows = recordTable(open("Certificates"), CertificateRecord);
  const partition = (userId: string) => encodeKey(userId);
  return {
    get: (userId, thumbprint) => rows.get(partition(userId), encodeKey(thumbprint)),
    put: (record, condition) =>
      rows.put(partition(record.userId), encodeKey(record.thumbprint), record, condition),
    listByUser: (userId) => collect(rows.query(odata`PartitionKey eq ${partition(userId)}`)),
    scan: () => rows.query(),
  };
}
