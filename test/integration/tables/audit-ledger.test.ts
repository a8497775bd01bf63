import { beforeAll, describe, expect, it } from "vitest";
import { auditGuardKeys, auditLineKeys, CorruptRowError } from "../../../shared/adapters/tables/index.ts";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import { createEvent } from "../../../shared/contracts/events.ts";
import { rawTable, storesFor, thumbprint } from "./fixtures.ts";

const SOURCE = { source: "/smime-lifecycle/test", time: new Date("2026-03-01T00:00:00Z") };

/** A certificate.expiring event of one user; distinct `seed`s make distinct event ids. */
function expiring(userId: string, seed: string, thresholdDays = 30): CloudEventEnvelope {
  const data = {
    userId,
    thumbprint: thumbprint(seed),
    notAfter: "2026-04-01T00:00:00.000Z",
    thresholdDays,
    daysLeft: 29,
  };
  return createEvent("certificate.expiring", data, SOURCE);
}

function unreachable(url: string): CloudEventEnvelope {
  return createEvent(
    "crl.unreachable",
    { url, reason: "timed out", since: "2026-03-01T00:00:00.000Z" },
    SOURCE,
  );
}

const at = (iso: string) => new Date(iso);

describe("AuditLedger on Azure Tables: order and filters", () => {
  const prefix = "auditorder";
  const { audit } = storesFor(prefix);
  const day1 = expiring("ann", "d1");
  const day2a = expiring("ann", "d2a");
  const day2b = unreachable("http://crl.contoso.com/a.crl");
  const day3 = expiring("bob", "d3");
  const batch = [expiring("bob", "b0"), expiring("ann", "b1"), unreachable("http://crl.contoso.com/b.crl")];

  beforeAll(async () => {
    await audit.append([day3], at("2026-03-03T10:00:00Z"));
    await audit.append([day1], at("2026-03-01T23:59:59.999Z"));
    await audit.append([day2b], at("2026-03-02T12:00:00Z"));
    await audit.append([day2a], at("2026-03-02T00:00:00Z"));
    await audit.append(batch, at("2026-03-04T00:00:00Z"));
  });

  it("lists newest first across day partitions, whatever order they were appended in", async () => {
    const listed = await audit.list({ limit: 100 });
    expect(listed.map((r) => r.event.id)).toEqual([
      batch[2]!.id,
      batch[1]!.id,
      batch[0]!.id,
      day3.id,
      day2b.id,
      day2a.id,
      day1.id,
    ]);
    expect(listed[3]).toEqual({ event: day3, recordedAt: "2026-03-03T10:00:00.000Z" });
  });

  it.each([
    ["a limit", { limit: 2 }, () => [batch[2]!.id, batch[1]!.id]],
    ["a type", { type: "crl.unreachable", limit: 10 }, () => [batch[2]!.id, day2b.id]],
    ["a user", { userId: "ann", limit: 10 }, () => [batch[1]!.id, day2a.id, day1.id]],
    [
      "a type and a user",
      { type: "certificate.expiring", userId: "bob", limit: 10 },
      () => [batch[0]!.id, day3.id],
    ],
    ["a user and a limit reaching back a day", { userId: "ann", limit: 2 }, () => [batch[1]!.id, day2a.id]],
    ["a type nobody published", { type: "policy.drifted", limit: 10 }, () => []],
    ["a limit of zero", { limit: 0 }, () => []],
  ])("filters by %s, newest first", async (_name, query, expected) => {
    expect((await audit.list(query)).map((r) => r.event.id)).toEqual(expected());
  });
});

describe("AuditLedger on Azure Tables: one line per event id", () => {
  const prefix = "auditidem";
  const { audit } = storesFor(prefix);

  it("appending the same event again, later and with another time, keeps the first line", async () => {
    const event = expiring("carl", "again");
    await audit.append([event], at("2026-03-05T08:00:00Z"));
    const replay = { ...event, time: "2026-03-06T09:00:00.000Z" };
    await audit.append([replay], at("2026-03-06T09:00:00Z"));
    await audit.append([event, event], at("2026-03-07T09:00:00Z"));
    const lines = await audit.list({ userId: "carl", limit: 10 });
    expect(lines).toEqual([{ event, recordedAt: "2026-03-05T08:00:00.000Z" }]);
  });

  it("20 concurrent appends of one event leave one line", async () => {
    const event = expiring("dora", "concurrent");
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => audit.append([event], at(`2026-03-0${1 + (i % 9)}T08:00:00Z`))),
    );
    expect(await audit.list({ userId: "dora", limit: 10 })).toHaveLength(1);
  });

  it("a guard without its line (a crash in between) is repaired by the next append, at the guarded key", async () => {
    const event = expiring("emil", "crashed");
    const keys = auditLineKeys(event.id, at("2026-03-02T08:00:00Z"), 0);
    const guards = await rawTable(prefix, "AuditIds");
    await guards.createEntity({
      partitionKey: auditGuardKeys(event.id).partition,
      rowKey: auditGuardKeys(event.id).row,
      linePartition: keys.partition,
      lineRow: keys.row,
      recordedAt: "2026-03-02T08:00:00.000Z",
    });
    await audit.append([event], at("2026-03-09T08:00:00Z"));
    expect(await audit.list({ userId: "emil", limit: 10 })).toEqual([
      { event, recordedAt: "2026-03-02T08:00:00.000Z" },
    ]);
    const lines = await rawTable(prefix, "Audit");
    const line = await lines.getEntity(keys.partition, keys.row);
    expect(line["eventId"]).toBe(event.id);
  });

  it("a line whose event does not parse is a CorruptRowError naming table and keys", async () => {
    const event = expiring("fay", "corrupt");
    await audit.append([event], at("2026-03-02T08:00:00Z"));
    const keys = auditLineKeys(event.id, at("2026-03-02T08:00:00Z"), 0);
    const lines = await rawTable(prefix, "Audit");
    await lines.updateEntity(
      { partitionKey: keys.partition, rowKey: keys.row, event__json: '{"specversion":"0.3"}' },
      "Merge",
    );
    const error = await audit.list({ userId: "fay", limit: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptRowError);
    expect(String(error)).toContain(
      `table ${prefix}Audit, PartitionKey '${keys.partition}', RowKey '${keys.row}'`,
    );
    expect(String(error)).toMatch(/event\.specversion/);
  });
});

describe("AuditLedger on Azure Tables: appends in bulk", () => {
  const prefix = "auditbulk";
  const { audit } = storesFor(prefix);
  /** More events than one transaction holds, for one user, so their guards fill every bucket. */
  const events = (user: string, count: number) =>
    Array.from({ length: count }, (_, i) => expiring(user, `${user}-${i}`));

  it("a batch of 250 events leaves one line each, the last of the batch listed first", async () => {
    const batch = events("gus", 250);
    await audit.append(batch, at("2026-03-10T08:00:00Z"));
    const listed = await audit.list({ userId: "gus", limit: 1000 });
    expect(listed.map((l) => l.event.id)).toEqual(batch.map((e) => e.id).reverse());
    expect(new Set(batch.map((e) => auditGuardKeys(e.id).partition)).size).toBe(16);
  });

  it("a batch retried with new events among the old keeps the old lines and adds the new ones", async () => {
    const batch = events("hal", 230);
    await audit.append(batch.slice(0, 120), at("2026-03-11T08:00:00Z"));
    await audit.append([...batch].reverse(), at("2026-03-12T08:00:00Z"));
    const listed = await audit.list({ userId: "hal", limit: 1000 });
    expect(listed).toHaveLength(230);
    const recordedAt = new Map(listed.map((l) => [l.event.id, l.recordedAt]));
    expect(batch.map((e) => recordedAt.get(e.id))).toEqual(
      batch.map((_, i) => (i < 120 ? "2026-03-11T08:00:00.000Z" : "2026-03-12T08:00:00.000Z")),
    );
  });

  it("guards written without their lines (a crash in between) get their lines at the guarded keys", async () => {
    const batch = events("ida", 150);
    const first = at("2026-03-13T08:00:00Z");
    const guards = await rawTable(prefix, "AuditIds");
    for (const [i, event] of batch.entries()) {
      const keys = auditLineKeys(event.id, first, i);
      await guards.createEntity({
        partitionKey: auditGuardKeys(event.id).partition,
        rowKey: auditGuardKeys(event.id).row,
        linePartition: keys.partition,
        lineRow: keys.row,
        recordedAt: first.toISOString(),
      });
    }
    await audit.append(batch.slice(0, 40), first); // the lines of a part were written before the crash
    await audit.append(batch, at("2026-03-14T08:00:00Z"));
    const listed = await audit.list({ userId: "ida", limit: 1000 });
    expect(listed.map((l) => l.event.id)).toEqual(batch.map((e) => e.id).reverse());
    expect(new Set(listed.map((l) => l.recordedAt))).toEqual(new Set([first.toISOString()]));
  });

  it("two concurrent bulk appends of overlapping batches leave one line per event", async () => {
    const batch = events("jan", 200);
    await Promise.all([
      audit.append(batch.slice(0, 150), at("2026-03-15T08:00:00Z")),
      audit.append(batch.slice(50), at("2026-03-15T08:00:01Z")),
    ]);
    const listed = await audit.list({ userId: "jan", limit: 1000 });
    expect(listed).toHaveLength(200);
    expect(new Set(listed.map((l) => l.event.id)).size).toBe(200);
  });
});

describe("auditLineKeys", () => {
  it.each([
    ["a later day sorts first", ["2026-03-02T00:00:00Z", 0], ["2026-03-01T23:59:59.999Z", 0]],
    ["a later millisecond sorts first", ["2026-03-01T10:00:00.001Z", 0], ["2026-03-01T10:00:00.000Z", 0]],
    ["a later position in a batch sorts first", ["2026-03-01T10:00:00Z", 1], ["2026-03-01T10:00:00Z", 0]],
    ["year 2100 still sorts before 2099", ["2100-01-01T00:00:00Z", 0], ["2099-12-31T23:59:59Z", 0]],
  ] as const)("%s", (_name, [newerAt, newerIndex], [olderAt, olderIndex]) => {
    const newer = auditLineKeys("e", at(newerAt), newerIndex);
    const older = auditLineKeys("e", at(olderAt), olderIndex);
    expect(`${newer.partition}|${newer.row}` < `${older.partition}|${older.row}`).toBe(true);
  });
});
