import { describe, expect, it } from "vitest";
import { ConflictError } from "../../../shared/errors.ts";
import { storesFor, user } from "./fixtures.ts";

const { users } = storesFor("userstore");

describe("UserStore on Azure Tables", () => {
  it("puts and gets a user by id", async () => {
    const record = user({ userId: "u-get" });
    const etag = await users.put(record, { ifAbsent: true });
    expect(await users.get("u-get")).toEqual({ value: record, etag });
    expect(await users.get("u-nobody")).toBeUndefined();
  });

  it.each([
    ["the same case", "bob@contoso.com", "bob@contoso.com"],
    ["another case", "Bob.Smith@Contoso.com", "bob.smith@CONTOSO.COM"],
    [
      "a guest UPN with #EXT#",
      "carol_fabrikam.com#EXT#@contoso.onmicrosoft.com",
      "CAROL_fabrikam.com#EXT#@contoso.onmicrosoft.com",
    ],
    ["a question mark and a slash", "d?ve/x@contoso.com", "d?ve/x@contoso.com"],
  ])("finds a user by UPN given in %s", async (_name, stored, asked) => {
    const record = user({ userId: `id-${stored}`, userPrincipalName: stored });
    await users.put(record, { force: true });
    expect(await users.findByUpn(asked)).toEqual(record);
  });

  it("an unknown UPN finds nobody", async () => {
    expect(await users.findByUpn("ghost@contoso.com")).toBeUndefined();
  });

  it("after a rename the old UPN finds nobody and the new one finds the user", async () => {
    const before = user({ userId: "u-rename", userPrincipalName: "erin@contoso.com" });
    const etag = await users.put(before, { ifAbsent: true });
    const after = { ...before, userPrincipalName: "erin.jones@contoso.com" };
    await users.put(after, { ifMatch: etag });
    expect(await users.findByUpn("erin@contoso.com")).toBeUndefined();
    expect(await users.findByUpn("erin.jones@contoso.com")).toEqual(after);
  });

  it("a UPN handed to another user finds the new holder", async () => {
    await users.put(user({ userId: "u-old-holder", userPrincipalName: "frank@contoso.com" }), {
      force: true,
    });
    await users.put(user({ userId: "u-old-holder", userPrincipalName: "frank.old@contoso.com" }), {
      force: true,
    });
    const holder = user({ userId: "u-new-holder", userPrincipalName: "frank@contoso.com" });
    await users.put(holder, { force: true });
    expect(await users.findByUpn("frank@contoso.com")).toEqual(holder);
  });

  it("a UPN that moves to another user and back finds its holder each time", async () => {
    const x = user({ userId: "u-back-x", userPrincipalName: "hana@contoso.com" });
    const y = user({ userId: "u-back-y", userPrincipalName: "hana@contoso.com" });
    await users.put(x, { force: true });
    await users.put({ ...x, userPrincipalName: "hana.x@contoso.com" }, { force: true });
    await users.put(y, { force: true });
    expect((await users.findByUpn("hana@contoso.com"))?.userId).toBe("u-back-y");
    await users.put({ ...y, userPrincipalName: "hana.y@contoso.com" }, { force: true });
    await users.put(x, { force: true });
    expect((await users.findByUpn("hana@contoso.com"))?.userId).toBe("u-back-x");
  });

  it("ifAbsent twice and a stale ifMatch are ConflictErrors", async () => {
    const record = user({ userId: "u-conflict", userPrincipalName: "gina@contoso.com" });
    const etag = await users.put(record, { ifAbsent: true });
    await expect(users.put(record, { ifAbsent: true })).rejects.toBeInstanceOf(ConflictError);
    await users.put({ ...record, signingReady: false }, { ifMatch: etag });
    await expect(users.put({ ...record, deleted: true }, { ifMatch: etag })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await users.get("u-conflict"))?.value.signingReady).toBe(false);
  });

  it("scans every user across the hash buckets", async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `u-scan-${i}`);
    await Promise.all(
      ids.map((userId) =>
        users.put(user({ userId, userPrincipalName: `${userId}@contoso.com` }), { force: true }),
      ),
    );
    const seen = new Set<string>();
    for await (const record of users.scan()) seen.add(record.userId);
    for (const id of ids) expect(seen).toContain(id);
  });

  it("a projected scan reads the selected fields and nothing else", async () => {
    const living = user({ userId: "u-proj-living", userPrincipalName: "ivan@contoso.com" });
    const gone = user({ userId: "u-proj-gone", userPrincipalName: "ivan.old@contoso.com", deleted: true });
    for (const record of [living, gone]) await users.put(record, { force: true });
    const seen = [];
    for await (const record of users.scan(["userId", "userPrincipalName", "deleted"]))
      if (record.userId.startsWith("u-proj-")) seen.push(record);
    expect(seen.sort((a, b) => a.userId.localeCompare(b.userId))).toEqual([
      { userId: "u-proj-gone", userPrincipalName: "ivan.old@contoso.com", deleted: true },
      { userId: "u-proj-living", userPrincipalName: "ivan@contoso.com", deleted: false },
    ]);
  });
});
