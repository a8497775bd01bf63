import { describe, expect, it } from "vitest";
import { ConflictError } from "../../../shared/errors.ts";
import { notification, storesFor, thumbprint } from "./fixtures.ts";

const { notifications } = storesFor("notifyledger");

describe("NotificationLedger on Azure Tables", () => {
  it("claim twice: true, then false, and the first claim is kept", async () => {
    const first = notification({ subjectId: thumbprint("twice") });
    expect(await notifications.claim(first)).toBe(true);
    expect(await notifications.claim({ ...first, claimedAt: "2026-03-02T08:00:00.000Z" })).toBe(false);
    expect((await notifications.get(first))?.value.claimedAt).toBe(first.claimedAt);
  });

  it("20 parallel claims of one key: exactly one wins", async () => {
    const record = notification({ subjectId: thumbprint("race") });
    const results = await Promise.all(Array.from({ length: 20 }, () => notifications.claim(record)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it.each([
    ["another threshold", { thresholdDays: 14 }],
    ["another reason", { reason: "revoked" as const, thresholdDays: 0 }],
    ["another channel", { channel: "email" as const }],
    ["another user", { userId: "someone-else#EXT#" }],
  ])("a key with %s is a separate claim", async (_name, change) => {
    const base = notification({ subjectId: thumbprint(`separate-${_name}`) });
    expect(await notifications.claim(base)).toBe(true);
    expect(await notifications.claim({ ...base, ...change })).toBe(true);
  });

  it("a claim is marked sent with ifMatch; a stale ETag conflicts", async () => {
    const record = notification({ subjectId: "operation/42?x" });
    await notifications.claim(record);
    const claimed = await notifications.get(record);
    expect(claimed?.value.status).toBe("claimed");
    const sent = { ...record, status: "sent" as const, sentAt: "2026-03-01T08:00:05.000Z" };
    await notifications.put(sent, { ifMatch: claimed!.etag });
    await expect(
      notifications.put({ ...record, status: "failed" }, { ifMatch: claimed!.etag }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await notifications.get(record))?.value).toEqual(sent);
  });

  it("get of an unclaimed key is undefined", async () => {
    expect(await notifications.get(notification({ subjectId: thumbprint("never") }))).toBeUndefined();
  });
});
