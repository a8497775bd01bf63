/**
 * The audit ledger: every event, newest first.
 *
 * Keys of a line: PartitionKey = the inverted UTC day it was recorded (99999999 − yyyyMMdd), RowKey =
 * inverted milliseconds, inverted position in its batch, and the event id. Table queries return rows in
 * PartitionKey then RowKey order, so inverting both makes a plain query over the whole table come back
 * newest first across days: `list` reads until it has `limit` lines and stops, without knowing which days
 * exist. A day per partition keeps each partition's write rate bounded and lets old days be dropped whole.
 * `type` and `userId` are properties, filtered by the service; a filter on a rare type scans more rows,
 * which the dashboard's page sizes keep cheap (a per-type index would double every write).
 *
 * Idempotent on the event id: the same event may arrive again with a different `time` or later `recordedAt`
 * (a retried function republishes it), so no key derived from the line can recognise it. A guard row in
 * AuditEventIds (PartitionKey = the event id) is created first and records where the line goes; whoever
 * creates it owns the line, and whoever finds it writes the line at the recorded key if it is missing
 * (create-if-absent). A crash between guard and line is repaired by the redelivery; a second line never
 * appears, even for concurrent appends of the same event.
 */
import { odata } from "@azure/data-tables";
import { z } from "zod";
import type { CloudEventEnvelope } from "../../contracts/cloud-event.ts";
import { AuditRecord } from "../../contracts/rows.ts";
import { ConflictError } from "../../errors.ts";
import type { AuditLedger } from "../../ports.ts";
import { encodeKey } from "./entity-codec.ts";
import { recordTable } from "./record-table.ts";
import type { TableOpener } from "./table-client.ts";

/** A stored line: the record plus the properties the service filters on. */
const AuditLine = AuditRecord.extend({
  eventId: z.string(),
  type: z.string(),
  userId: z.string().optional(),
  subject: z.string().optional(),
});
type AuditLine = z.infer<typeof AuditLine>;
const Guard = z.object({ linePartition: z.string(), lineRow: z.string(), recordedAt: z.iso.datetime() });
type Guard = z.infer<typeof Guard>;

const MAX_DAY = 99_999_999;
const MAX_MS = 9_999_999_999_999;
const MAX_SEQ = 999_999;
/** Concurrent writes per append call. */
const PARALLEL = 16;

/** Where the line of the `index`-th event of a batch recorded at `recordedAt` goes. */
export function auditLineKeys(
  eventId: string,
  recordedAt: Date,
  index: number,
): { partition: string; row: string } {
  const day = Number(recordedAt.toISOString().slice(0, 10).replaceAll("-", ""));
  const partition = String(MAX_DAY - day).padStart(8, "0");
  const ms = String(MAX_MS - recordedAt.getTime()).padStart(13, "0");
  const seq = String(MAX_SEQ - Math.min(index, MAX_SEQ)).padStart(6, "0");
  return { partition, row: `${ms}-${seq}-${encodeKey(eventId)}` };
}

export function createAuditLedger(open: TableOpener): AuditLedger {
  const lines = recordTable(open("Audit"), AuditLine);
  const guards = recordTable(open("AuditEventIds"), Guard);

  /** The guard for this event: ours if we create it, else the one already there. */
  async function claimGuard(event: CloudEventEnvelope, proposed: Guard): Promise<Guard> {
    try {
      await guards.put(encodeKey(event.id), "", proposed, { ifAbsent: true });
      return proposed;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const existing = await guards.get(encodeKey(event.id), "");
      if (!existing) throw error; // deleted in between: a retry starts over
      return existing.value;
    }
  }

  async function appendOne(event: CloudEventEnvelope, recordedAt: Date, index: number): Promise<void> {
    const keys = auditLineKeys(event.id, recordedAt, index);
    const proposed = {
      linePartition: keys.partition,
      lineRow: keys.row,
      recordedAt: recordedAt.toISOString(),
    };
    const guard = await claimGuard(event, proposed);
    const line: AuditLine = {
      event,
      recordedAt: guard.recordedAt,
      eventId: event.id,
      type: event.type,
      userId: event.userid,
      subject: event.subject,
    };
    try {
      await lines.put(guard.linePartition, guard.lineRow, line, { ifAbsent: true });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error; // already written: the append is done
    }
  }

  return {
    async append(events, recordedAt) {
      for (let start = 0; start < events.length; start += PARALLEL) {
        const slice = events.slice(start, start + PARALLEL);
        await Promise.all(slice.map((event, i) => appendOne(event, recordedAt, start + i)));
      }
    },
    async list({ type, userId, limit }) {
      const out: AuditRecord[] = [];
      if (limit <= 0) return out;
      for await (const line of lines.query(lineFilter(type, userId), Math.min(limit, 1000))) {
        out.push({ event: line.event, recordedAt: line.recordedAt });
        if (out.length >= limit) break;
      }
      return out;
    },
  };
}

function lineFilter(type: string | undefined, userId: string | undefined): string | undefined {
  const clauses = [
    type === undefined ? "" : odata`type eq ${type}`,
    userId === undefined ? "" : odata`userId eq ${userId}`,
  ];
  const present = clauses.filter((c) => c !== "");
  return present.length === 0 ? undefined : present.join(" and ");
}
