import { describe, expect, it } from "vitest";
import { CorruptRowError, certificateTableOf } from "../../../shared/adapters/tables/index.ts";
import type { CertificateRecord } from "../../../shared/contracts/rows.ts";
import { ConflictError, PermanentError } from "../../../shared/errors.ts";
import { certificate, rawTable, storesFor, thumbprint } from "./fixtures.ts";

const PREFIX = "certstore";
const { certificates } = storesFor(PREFIX);

describe("CertificateStore on Azure Tables", () => {
  it("puts and gets a record with every field, arrays and verdicts intact", async () => {
    const record = certificate({ userId: "user-get" });
    const etag = await certificates.put(record, { ifAbsent: true });
    const read = await certificates.get("user-get", record.thumbprint);
    expect(read).toEqual({ value: record, etag });
  });

  it("answers undefined for a certificate it does not hold", async () => {
    expect(await certificates.get("user-get", thumbprint("nobody"))).toBeUndefined();
  });

  it("lists one user's certificates and nobody else's", async () => {
    const mine = [
      certificate({ userId: "user-list", thumbprint: thumbprint("a") }),
      certificate({ userId: "user-list", thumbprint: thumbprint("b"), purpose: "encryption" }),
    ];
    const theirs = certificate({ userId: "user-list-other", thumbprint: thumbprint("c") });
    for (const record of [...mine, theirs]) await certificates.put(record, { force: true });
    const listed = await certificates.listByUser("user-list");
    expect(listed.map((r) => r.thumbprint).sort()).toEqual(mine.map((r) => r.thumbprint).sort());
  });

  it("scans the whole inventory across users", async () => {
    const seen = new Set<string>();
    for await (const record of certificates.scan()) seen.add(`${record.userId}/${record.thumbprint}`);
    expect(seen).toContain(`user-list-other/${thumbprint("c")}`);
    expect(seen).toContain(`user-list/${thumbprint("a")}`);
  });

  it("keeps each user in one of 64 tables and still finds, lists and scans them all", async () => {
    const users = Array.from({ length: 400 }, (_, i) => `user-spread-${i}`);
    const records = users.map((userId, i) => certificate({ userId, thumbprint: thumbprint(`spread-${i}`) }));
    for (const record of records) await certificates.put(record, { ifAbsent: true });
    expect(new Set(users.map(certificateTableOf)).size).toBe(64);
    for (const record of records) {
      expect((await certificates.get(record.userId, record.thumbprint))?.value).toEqual(record);
      expect(await certificates.listByUser(record.userId)).toEqual([record]);
      const raw = await rawTable(PREFIX, certificateTableOf(record.userId));
      expect((await raw.getEntity(record.userId, record.thumbprint)).rowKey).toBe(record.thumbprint);
    }
    const scanned = new Set<string>();
    for await (const record of certificates.scan()) scanned.add(record.userId);
    for (const userId of users) expect(scanned).toContain(userId);
  });

  describe("a projected scan reads only the fields it selects", () => {
    const FIELDS = ["userId", "thumbprint", "state", "sources", "platform", "notAfter"] as const;
    const pick = (r: CertificateRecord) =>
      Object.fromEntries(FIELDS.filter((f) => r[f] !== undefined).map((f) => [f, r[f]]));

    it.each([
      ["text, enum and JSON array fields", certificate({ userId: "user-proj-a", platform: "iOS" })],
      ["an optional field the record lacks stays absent", certificate({ userId: "user-proj-b" })],
      [
        "a record whose certificate is stored in chunks",
        certificate({ userId: "user-proj-c", certificate: Buffer.alloc(90_000, 3).toString("base64") }),
      ],
    ])("%s", async (_name, record) => {
      await certificates.put(record, { force: true });
      const projected = [];
      for await (const r of certificates.scan(FIELDS)) if (r.userId === record.userId) projected.push(r);
      expect(projected).toEqual([pick(record)]);
    });

    it("a column it does not select is not read: damage there breaks the full scan only", async () => {
      const userId = "user-proj-damaged";
      const record = certificate({ userId });
      await certificates.put(record, { force: true });
      await damage(userId, record.thumbprint, { signing__json: "{not json" });
      const mine = async (scan: AsyncIterable<{ userId: string }>) => {
        const out = [];
        for await (const r of scan) if (r.userId === userId) out.push(r);
        return out;
      };
      expect(await mine(certificates.scan(FIELDS))).toEqual([pick(record)]);
      await expect(mine(certificates.scan())).rejects.toBeInstanceOf(CorruptRowError);
      await damage(userId, record.thumbprint, { signing__json: undefined, state: "sparkling" });
      const error = await mine(certificates.scan(FIELDS)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptRowError);
      expect(String(error)).toMatch(
        new RegExp(`PartitionKey '${userId}', RowKey '${record.thumbprint}'.*state`),
      );
    });
  });

  describe("conditional writes", () => {
    it("ifAbsent twice: the second is a ConflictError and the first stays", async () => {
      const first = certificate({ userId: "user-absent", revision: 1 });
      await certificates.put(first, { ifAbsent: true });
      await expect(certificates.put({ ...first, revision: 2 }, { ifAbsent: true })).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect((await certificates.get("user-absent", first.thumbprint))?.value.revision).toBe(1);
    });

    it("ifMatch with the current ETag writes and returns a new ETag; the stale one then conflicts", async () => {
      const record = certificate({ userId: "user-match" });
      const etag1 = await certificates.put(record, { ifAbsent: true });
      const etag2 = await certificates.put({ ...record, state: "expiring", revision: 2 }, { ifMatch: etag1 });
      expect(etag2).not.toBe(etag1);
      await expect(
        certificates.put({ ...record, state: "revoked", revision: 3 }, { ifMatch: etag1 }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await certificates.get("user-match", record.thumbprint)).toEqual({
        value: { ...record, state: "expiring", revision: 2 },
        etag: etag2,
      });
    });

    it("ifMatch on a row that does not exist is a ConflictError", async () => {
      const record = certificate({ userId: "user-match-missing" });
      await expect(
        certificates.put(record, { ifMatch: "W/\"datetime'2026-01-01T00%3A00%3A00Z'\"" }),
      ).rejects.toBeInstanceOf(ConflictError);
    });

    it("force creates, then replaces whatever is there (a removed field disappears)", async () => {
      const record = certificate({ userId: "user-force", smtp: "alice@contoso.com" });
      await certificates.put(record, { force: true });
      const { smtp: _dropped, ...withoutSmtp } = record;
      const etag = await certificates.put({ ...withoutSmtp, revision: 5 }, { force: true });
      expect(await certificates.get("user-force", record.thumbprint)).toEqual({
        value: { ...withoutSmtp, revision: 5 },
        etag,
      });
    });
  });

  describe("keys and sizes", () => {
    it.each([
      ["a guest UPN as user id", "alice_fabrikam.com#EXT#@contoso.onmicrosoft.com"],
      ["slashes and a question mark", "a/b\\c?d"],
      ["non-ASCII and spaces", "Zoë Ünal 用户"],
      ["a tilde, which the encoding itself uses", "~41"],
    ])("a user id with %s round-trips and stays apart from others", async (_name, userId) => {
      const record = certificate({ userId, thumbprint: thumbprint(userId) });
      await certificates.put(record, { force: true });
      expect((await certificates.get(userId, record.thumbprint))?.value).toEqual(record);
      expect((await certificates.listByUser(userId)).map((r) => r.userId)).toEqual([userId]);
    });

    it("a certificate larger than one 64 KiB property is split and joined again", async () => {
      const big = Buffer.alloc(90_000, 1).toString("base64"); // 120,000 characters: four properties
      const record = certificate({ userId: "user-big", certificate: big });
      await certificates.put(record, { force: true });
      expect((await certificates.get("user-big", record.thumbprint))?.value.certificate).toBe(big);
    });

    it("a record over the 1 MiB entity limit is refused with a PermanentError naming the row", async () => {
      const record = certificate({ userId: "user-huge", certificate: "A".repeat(600_000) });
      const error = await certificates.put(record, { force: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermanentError);
      expect(String(error)).toMatch(/user-huge.*exceeds the 1 MiB limit/);
    });

    it("a record that breaks its schema is refused before it is stored", async () => {
      const record = certificate({ userId: "user-bad", thumbprint: "not-a-thumbprint" });
      await expect(certificates.put(record, { force: true })).rejects.toBeInstanceOf(PermanentError);
      expect(await certificates.listByUser("user-bad")).toEqual([]);
    });
  });

  describe("a corrupted row is a CorruptRowError naming table and keys", () => {
    it.each([
      ["a state no version ever wrote", { state: "sparkling" }, /state/],
      ["an array field that is not JSON", { sources__json: "[intunePfx" }, /sources.*not JSON/],
      ["a missing required field", { userPrincipalName: undefined }, /userPrincipalName/],
    ])("%s", async (_name, change, detail) => {
      const userId = `user-corrupt-${_name.length}`;
      const record = certificate({ userId });
      await certificates.put(record, { force: true });
      await damage(userId, record.thumbprint, change);
      const error = await certificates.get(userId, record.thumbprint).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptRowError);
      expect(String(error)).toContain(
        `table ${PREFIX}${certificateTableOf(userId)}, PartitionKey '${userId}', RowKey '${record.thumbprint}'`,
      );
      expect(String(error)).toMatch(detail);
      await expect(certificates.listByUser(userId)).rejects.toBeInstanceOf(CorruptRowError);
    });
  });
});

/** Rewrites a stored row with some properties changed (undefined: removed), as no store would write it. */
async function damage(userId: string, thumbprint: string, change: Record<string, unknown>): Promise<void> {
  const raw = await rawTable(PREFIX, certificateTableOf(userId));
  const entity = await raw.getEntity<Record<string, unknown>>(userId, thumbprint);
  const { etag: _etag, timestamp: _ts, ["odata.metadata"]: _meta, ...properties } = entity;
  const damaged = Object.fromEntries(
    Object.entries({ ...properties, ...change }).filter(([, v]) => v !== undefined),
  ) as { partitionKey: string; rowKey: string };
  await raw.upsertEntity(damaged, "Replace");
}
