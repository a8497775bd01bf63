import { describe, expect, it } from "vitest";
import {
  CorruptRowError,
  decodeProperties,
  encodeKey,
  encodeRecord,
  MAX_PROPERTY_CHARS,
} from "../../../shared/adapters/tables/entity-codec.ts";
import { PermanentError } from "../../../shared/errors.ts";

const at = { table: "T", partitionKey: "p", rowKey: "r" };
/** What an encoded key is made of: nothing a key forbids (slash, backslash, #, ?, controls) and nothing URLs must escape. */
const KEY_ALPHABET = /^[A-Za-z0-9\-._@~]+$/;

describe("encodeKey", () => {
  it.each([
    ["a GUID", "11111111-2222-3333-4444-555555555555", "11111111-2222-3333-4444-555555555555"],
    ["a plain UPN", "alice@contoso.com", "alice@contoso.com"],
    ["a guest UPN", "bob_x.com#EXT#@c.onmicrosoft.com", "bob_x.com~23EXT~23@c.onmicrosoft.com"],
    ["a URL", "http://a/b?c", "http~3A~2F~2Fa~2Fb~3Fc"],
    ["a tilde", "~", "~7E"],
    ["non-ASCII", "ë", "~C3~AB"],
    ["a control character", "a\u0001b", "a~01b"],
  ])("%s", (_name, input, expected) => {
    expect(encodeKey(input)).toBe(expected);
    expect(encodeKey(input)).toMatch(KEY_ALPHABET);
  });

  it.each([
    ["an escape and its text", "~41", "A"],
    ["a long key and its hash form", "x".repeat(500), `~~${"0".repeat(64)}`],
    ["case", "Alice", "alice"],
  ])("keeps apart %s", (_name, a, b) => {
    expect(encodeKey(a)).not.toBe(encodeKey(b));
  });

  it("hashes a key that would pass 400 characters, keeping it short and stable", () => {
    const long = `https://crl.contoso.com/${"p".repeat(500)}`;
    expect(encodeKey(long)).toMatch(/^~~[0-9a-f]{64}$/);
    expect(encodeKey(long)).toBe(encodeKey(long));
    expect(encodeKey(`${long}x`)).not.toBe(encodeKey(long));
  });
});

describe("encodeRecord and decodeProperties", () => {
  it.each([
    // Numbers leave as typed values and come back as plain ones from the SDK: the stores' tests cover them.
    ["strings and booleans", { s: "x", b: false, empty: "" }],
    ["arrays and objects", { list: ["a", "b"], nested: { ready: true, problems: [{ code: "EXPIRED" }] } }],
    ["an empty array", { list: [] }],
    ["a string of three properties", { cert: "A".repeat(MAX_PROPERTY_CHARS * 2 + 5) }],
    [
      "JSON of two properties",
      { steps: Array.from({ length: 3000 }, (_, i) => ({ i, message: "step done" })) },
    ],
    ["a string of exactly one property", { cert: "B".repeat(MAX_PROPERTY_CHARS) }],
  ])("round-trips %s", (_name, record) => {
    expect(decodeProperties(encodeRecord(record, at), at)).toEqual(record);
  });

  it("leaves undefined fields out", () => {
    expect(encodeRecord({ a: "x", b: undefined }, at)).toEqual({ a: "x" });
  });

  it("types integers as Int32 and fractions as Double, so the service never guesses", () => {
    expect(encodeRecord({ i: 7, d: 0.5, big: 2 ** 40 }, at)).toEqual({
      i: { value: 7, type: "Int32" },
      d: { value: 0.5, type: "Double" },
      big: { value: 2 ** 40, type: "Double" },
    });
  });

  it("splits a long string into numbered properties, none over the limit", () => {
    const properties = encodeRecord({ cert: "C".repeat(MAX_PROPERTY_CHARS + 1) }, at);
    expect(Object.keys(properties)).toEqual(["cert__0", "cert__1"]);
    for (const value of Object.values(properties))
      expect(String(value).length).toBeLessThanOrEqual(MAX_PROPERTY_CHARS);
  });

  it("never cuts a surrogate pair at a chunk boundary", () => {
    const text = `${"a".repeat(MAX_PROPERTY_CHARS - 1)}😀${"b".repeat(10)}`;
    const properties = encodeRecord({ text }, at);
    for (const chunk of Object.values(properties)) {
      expect(Buffer.from(String(chunk), "utf8").toString("utf8")).toBe(chunk);
    }
    expect(decodeProperties(properties, at)).toEqual({ text });
  });

  it.each([
    ["a name with the separator", { a__b: "x" }],
    ["a name the service reserves", { etag: "x" }],
    ["more than 1 MiB", { a: "x".repeat(300_000), b: "y".repeat(300_000) }],
  ])("refuses %s with a PermanentError naming the row", (_name, record) => {
    expect(() => encodeRecord(record, at)).toThrow(PermanentError);
    expect(() => encodeRecord(record, at)).toThrow(/table T, PartitionKey 'p', RowKey 'r'/);
  });

  it("drops what the service and SDK add to every row", () => {
    const entity = { partitionKey: "p", rowKey: "r", etag: "e", timestamp: "t", "odata.metadata": "m", a: 1 };
    expect(decodeProperties(entity, at)).toEqual({ a: 1 });
  });

  it.each([
    ["JSON that does not parse", { list__json: "[1," }],
    ["a chunk that is not text", { cert__0: 5 }],
  ])("a row with %s is a CorruptRowError", (_name, entity) => {
    expect(() => decodeProperties(entity, at)).toThrow(CorruptRowError);
  });
});
