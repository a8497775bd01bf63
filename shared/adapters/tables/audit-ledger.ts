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
 * AuditIds (PartitionKey = one of 16 buckets from a hash of the event id, RowKey = the event id) is created
 * first and records where the line goes; whoever creates it owns the line, and whoever finds it writes the
 * line at the recorded key if it is missing (create-if-absent). A crash between guard and line is repaired
 * by the redelivery; a second line never appears, even for concurrent appends of the same event.
 *
 * Cheap in bulk: an append creates its guards one entity-group transaction per bucket (up to 100 rows),
 * then its lines one transaction per day partition, so a sync's batch of 500 events costs about 20 requests
 * instead of 1,000. A transaction is all or none: when one of its rows exists already (a retried append, a
 * concurrent one), that chunk is done again row by row with the rules above. The buckets keep a bulk
 * append's guards in few transactions without putting every guard in one hot partition.
 */
import { createHash } from "node:crypto";
import { odata } from "@azure/data-tables";
import { z } from "zod";
import type { CloudEventEnvelope } from "../../contracts/cloud-event.ts";
import { AuditRecord } from "../../contracts/rows.ts";
import { ConflictError } from "../../errors.ts";
import type { AuditLedger } from "../../ports.ts";
import { encodeKey } from "./entity-codec.ts";
import { type RecordTable, recordTable } from "./record-table.ts";
import { MAX_TRANSACTION_ROWS, type TableOpener } from "./table-client.ts";

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
const GUARD_BUCKETS = 16;
/** Requests in flight at once per append call. */
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

/** Where the guard of an event id is: "g0" … "gf" from a hash of the id, and the id. */
export function auditGuardKeys(eventId: string): { partition: string; row: string } {
  const first = createHash("sha256").update(eventId, "utf8").digest()[0] ?? 0;
  return { partition: `g${(first % GUARD_BUCKETS).toString(16)}`, row: encodeKey(eventId) };
}

interface Planned {
  readonly event: CloudEventEnvelope;
  readonly proposed: Guard;
}

export function createAuditLedger(open: TableOpener): AuditLedger {
  const lines = recordTable(open("Audit"), AuditLine);
  const guards = recordTable(open("AuditIds"), Guard);

  /** Every event's guard: created in bulk, or, for a chunk where some existed, claimed one by one. */
  async function claimGuards(planned: readonly Planned[]): Promise<Guard[]> {
    const chunks = chunked(planned, (p) => auditGuardKeys(p.event.id).partition);
    const claimed = new Map<string, Guard>();
    await mapLimited(chunks, async ({ partition, items }) => {
      const rows = items.map((p) => ({ rowKey: auditGuardKeys(p.event.id).row, record: p.proposed }));
      const created = await createdAll(guards, partition, rows);
      const settled = created
        ? items.map((p) => p.proposed)
        : await mapLimited(items, (p) => claimGuard(p.event, p.proposed));
      for (const [i, p] of items.entries()) claimed.set(p.event.id, settled[i]!);
    });
    return planned.map((p) => claimed.get(p.event.id)!);
  }

  /** The guard for this event: ours if we create it, else the one already there. */
  async function claimGuard(event: CloudEventEnvelope, proposed: Guard): Promise<Guard> {
    const keys = auditGuardKeys(event.id);
    try {
      await guards.put(keys.partition, keys.row, proposed, { ifAbsent: true });
      return proposed;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const existing = await guards.get(keys.partition, keys.row);
      if (!existing) throw error; // deleted in between: a retry starts over
      return existing.value;
    }
  }

  /** Every line at its guarded key: in bulk, or, for a chunk where some were written, one by one. */
  async function writeLines(planned: readonly Planned[], settled: readonly Guard[]): Promise<void> {
    const entries = planned.map((p, i) => ({ event: p.event, guard: settled[i]! }));
    const chunks = chunked(entries, (e) => e.guard.linePartition);
    await mapLimited(chunks, async ({ partition, items }) => {
      const rows = items.map((e) => ({ rowKey: e.guard.lineRow, record: lineOf(e.event, e.guard) }));
      if (await createdAll(lines, partition, rows)) return;
      await mapLimited(rows, async (row) => {
        try {
          await lines.put(partition, row.rowKey, row.record, { ifAbsent: true });
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error; // already written: this line is done
        }
      });
    });
  }

  return {
    async append(events, recordedAt) {
      const planned = distinct(events).map((event, index) => {
        const keys = auditLineKeys(event.id, recordedAt, index);
        const proposed = {
          linePartition: keys.partition,
          lineRow: keys.row,
          recordedAt: recordedAt.toISOString(),
        };
        return { event, proposed };
      });
      if (planned.length === 0) return;
      await writeLines(planned, await claimGuards(planned));
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

function lineOf(event: CloudEventEnvelope, guard: Guard): AuditLine {
  return {
    event,
    recordedAt: guard.recordedAt,
    eventId: event.id,
    type: event.type,
    userId: event.userid,
    subject: event.subject,
  };
}

/** Creates the rows in one transaction; false when one of them existed (nothing was written then). */
async function createdAll<T>(
  table: RecordTable<T>,
  partition: string,
  rows: readonly { rowKey: string; record: T }[],
): Promise<boolean> {
  try {
    await table.createAll(partition, rows);
    return true;
  } catch (error) {
    if (error instanceof ConflictError) return false;
    throw error;
  }
}

/** One event per id, first occurrence kept: a transaction may not name a row twice. */
function distinct(events: readonly CloudEventEnvelope[]): CloudEventEnvelope[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.id) && seen.add(e.id));
}

/** Items grouped by partition, in chunks a transaction can hold, in their original order. */
function chunked<T>(items: readonly T[], partitionOf: (item: T) => string) {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const partition = partitionOf(item);
    const group = groups.get(partition) ?? [];
    group.push(item);
    groups.set(partition, group);
  }
  const out: { partition: string; items: T[] }[] = [];
  for (const [partition, group] of groups)
    for (let i = 0; i < group.length; i += MAX_TRANSACTION_ROWS)
      out.push({ partition, items: group.slice(i, i + MAX_TRANSACTION_ROWS) });
  return out;
}

/** `task` on every item, PARALLEL at a time, results in order. */
async function mapLimited<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let start = 0; start < items.length; start += PARALLEL)
    out.push(...(await Promise.all(items.slice(start, start + PARALLEL).map(task))));
  return out;
}

function lineFilter(type: string | undefined, userId: string | undefined): string | undefined {
  const clauses = [
    type === undefined ? "" : odata`type eq ${type}`,
    userId === undefined ? "" : odata`userId eq ${userId}`,
  ];
  const present = clauses.filter((c) => c !== "");
  return present.length === 0 ? undefined : present.join(" and ");
}
