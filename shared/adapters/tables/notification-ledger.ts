/**
 * The notification ledger: "at most once per certificate, reason, threshold and channel" as a row that
 * exists or not.
 *
 * Keys: PartitionKey = the subject (certificate thumbprint or operation id), RowKey =
 * `reason|thresholdDays|channel|userId`. `claim` is an insert that fails when the row exists, so of any
 * number of concurrent claims exactly one wins, without a read first. The user is part of the key because
 * it is part of NotificationKey: the same certificate registered for two users notifies each of them.
 * Partitioning by subject keeps one certificate's notices together for the status page.
 */
import { type NotificationKey, NotificationRecord } from "../../contracts/rows.ts";
import { ConflictError } from "../../errors.ts";
import type { NotificationLedger } from "../../ports.ts";
import { encodeKey } from "./entity-codec.ts";
import { recordTable } from "./record-table.ts";
import type { TableOpener } from "./table-client.ts";

function keysOf(key: NotificationKey): [string, string] {
  const row = [key.reason, String(key.thresholdDays), key.channel, encodeKey(key.userId)].join("|");
  return [encodeKey(key.subjectId), row];
}

export function createNotificationLedger(open: TableOpener): NotificationLedger {
  const rows = recordTable(open("Notifications"), NotificationRecord);
  return {
    async claim(record) {
      try {
        await rows.put(...keysOf(record), record, { ifAbsent: true });
        return true;
      } catch (error) {
        if (error instanceof ConflictError) return false;
        throw error;
      }
    },
    get: (key) => rows.get(...keysOf(key)),
    put: (record, condition) => rows.put(...keysOf(record), record, condition),
  };
}
