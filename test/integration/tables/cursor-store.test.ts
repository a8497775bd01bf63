import { describe, expect, it } from "vitest";
import { storesFor } from "./fixtures.ts";

const { cursors } = storesFor("cursorstore");

describe("CursorStore on Azure Tables", () => {
  it("an unset cursor is undefined", async () => {
    expect(await cursors.get("never-set")).toBeUndefined();
  });

  it.each([
    ["a plain name and value", "users.lastSync", "2026-03-01T08:00:00.000Z"],
    ["a delta link", "users/delta", "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=abc%2Fdef#x"],
  ])("sets and gets %s; a later set replaces it", async (_name, name, value) => {
    await cursors.set(name, value, new Date("2026-03-01T08:00:00Z"));
    expect(await cursors.get(name)).toEqual({ value, updatedAt: "2026-03-01T08:00:00.000Z" });
    await cursors.set(name, `${value}2`, new Date("2026-03-01T09:00:00Z"));
    expect(await cursors.get(name)).toEqual({ value: `${value}2`, updatedAt: "2026-03-01T09:00:00.000Z" });
  });
});
