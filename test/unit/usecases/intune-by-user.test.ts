import { describe, expect, it } from "vitest";
import { ByUser } from "../../../shared/usecases/intune-by-user.ts";

interface Entry {
  readonly userId: string;
  readonly thumbprint: string;
  readonly note: string;
}

const entry = (userId: string, thumbprint: string, note = ""): Entry => ({ userId, thumbprint, note });

describe("ByUser", () => {
  it("finds an entry by user and thumbprint, and nothing for another user with the same thumbprint", () => {
    const map = new ByUser<Entry>();
    map.set(entry("u1", "AA"));
    expect(map.get("u1", "AA")).toEqual(entry("u1", "AA"));
    expect(map.get("u2", "AA")).toBeUndefined();
    expect(map.get("u1", "BB")).toBeUndefined();
    expect(map.size).toBe(1);
  });

  it("keeps one certificate held by several users apart, and replaces each user's own", () => {
    const map = new ByUser<Entry>();
    map.set(entry("u1", "AA", "first"));
    map.set(entry("u2", "AA", "second"));
    map.set(entry("u3", "AA", "third"));
    map.set(entry("u2", "AA", "second, again"));
    map.set(entry("u1", "BB"));
    expect(map.size).toBe(4);
    expect(map.get("u2", "AA")?.note).toBe("second, again");
    expect(map.get("u3", "AA")?.note).toBe("third");
    expect([...map.values()].map((e) => `${e.userId}|${e.thumbprint}`).sort()).toEqual([
      "u1|AA",
      "u1|BB",
      "u2|AA",
      "u3|AA",
    ]);
  });

  it("deletes one user's entry and leaves the others' with the same thumbprint", () => {
    const map = new ByUser<Entry>();
    map.set(entry("u1", "AA"));
    map.set(entry("u2", "AA"));
    map.set(entry("u3", "AA"));
    expect(map.delete("u4", "AA")).toBe(false);
    expect(map.delete("u2", "AA")).toBe(true);
    expect(map.delete("u2", "AA")).toBe(false);
    expect(map.get("u1", "AA")).toBeDefined();
    expect(map.delete("u1", "AA")).toBe(true);
    expect(map.get("u3", "AA")).toEqual(entry("u3", "AA"));
    expect(map.size).toBe(1);
    expect(map.delete("u3", "BB")).toBe(false);
    expect(map.delete("u3", "AA")).toBe(true);
    expect(map.size).toBe(0);
    expect([...map.values()]).toEqual([]);
  });

  it("replaces a single user's entry without counting it twice", () => {
    const map = new ByUser<Entry>();
    map.set(entry("u1", "AA", "old"));
    map.set(entry("u1", "AA", "new"));
    expect(map.size).toBe(1);
    expect(map.get("u1", "AA")?.note).toBe("new");
  });

  it("visits every entry once while each is deleted as it is visited", () => {
    const map = new ByUser<Entry>();
    for (const [u, t] of [
      ["u1", "AA"],
      ["u2", "AA"],
      ["u3", "AA"],
      ["u1", "BB"],
      ["u2", "CC"],
    ] as const)
      map.set(entry(u, t));
    const seen: string[] = [];
    for (const e of map.values()) {
      seen.push(`${e.userId}|${e.thumbprint}`);
      expect(map.delete(e.userId, e.thumbprint)).toBe(true);
    }
    expect(seen.sort()).toEqual(["u1|AA", "u1|BB", "u2|AA", "u2|CC", "u3|AA"]);
    expect(map.size).toBe(0);
  });
});
