/**
 * Re-provisioning operations.
 *
 * Keys: PartitionKey = the operation id, RowKey = "operation". Every read is by id (`admin/operations/{id}`,
 * the reprovision handler), so each operation is its own partition and writes never contend. `listOpen`
 * filters on the status property across the table: operations are few (an admin asks for each one), so a
 * filtered scan is cheaper than keeping an index of open operations in step.
 */
import { odata } from "@azure/data-tables";
import { OperationRecord } from "../../contracts/rows.ts";
import type { OperationStore } from "../../ports.ts";
import { encodeKey } from "./entity-codec.ts";
import { collect, recordTable } from "./record-table.ts";
import type { TableOpener } from "./table-client.ts";

const ROW = "operation";

export function createOperationStore(open: TableOpener): OperationStore {
  const rows = recordTable(open("Operations"), OperationRecord);
  return {
    get: (operationId) => rows.get(encodeKey(operationId), ROW),
    put: (record, condition) => rows.put(encodeKey(record.operationId), ROW, record, condition),
    listOpen: () => collect(rows.query(odata`status eq ${"requested"} or status eq ${"running"}`)),
  };
}
