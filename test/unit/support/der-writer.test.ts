import { describe, expect, it } from "vitest";
import * as d from "../../support/der-writer.ts";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const at = (iso: string): Date => new Date(iso);

describe("der-writer encodes as X.690 DER requires", () => {
  it.each([
    { name: "INTEGER 0", value: d.int(0), expected: "020100" },
    { name: "INTEGER 127", value: d.int(127), expected: "02017f" },
    { name: "INTEGER 128 gets a leading zero", value: d.int(128), expected: "02020080" },
    { name: "INTEGER 256", value: d.int(256), expected: "02020100" },
    { name: "INTEGER from hex with the top bit set", value: d.int("ff01"), expected: "020300ff01" },
    { name: "INTEGER from hex drops redundant zeros", value: d.int("00000abc"), expected: "02020abc" },
    { name: "INTEGER from bigint", value: d.int(2n ** 64n), expected: "0209010000000000000000" },
    { name: "OID rsadsi", value: d.oid("1.2.840.113549"), expected: "06062a864886f70d" },
    { name: "OID with a 2.x first arc", value: d.oid("2.5.29.32.0"), expected: "0604551d2000" },
    { name: "keyUsage digitalSignature", value: d.namedBits(1), expected: "03020780" },
    { name: "keyUsage keyCertSign | cRLSign", value: d.namedBits(32 | 64), expected: "03020106" },
    {
      name: "keyUsage decipherOnly spills into a second byte",
      value: d.namedBits(256),
      expected: "0303070080",
    },
    { name: "empty named bits", value: d.namedBits(0), expected: "030100" },
    {
      name: "UTCTime before 2050",
      value: d.time(at("2026-06-01T12:34:56Z")),
      expected: hex(Buffer.from("\x17\x0d260601123456Z", "latin1")),
    },
    {
      name: "GeneralizedTime from 2050",
      value: d.time(at("2050-01-01T00:00:00Z")),
      expected: hex(Buffer.from("\x18\x0f20500101000000Z", "latin1")),
    },
    {
      name: "long-form length (200)",
      value: d.octetString(new Uint8Array(200)),
      expected: `0481c8${"00".repeat(200)}`,
    },
    {
      name: "long-form length (300)",
      value: d.octetString(new Uint8Array(300)),
      expected: `0482012c${"00".repeat(300)}`,
    },
    { name: "SET OF sorted by encoding", value: d.set(d.int(2), d.int(1)), expected: "3106020101020102" },
    { name: "implicit tag keeps primitive", value: d.implicit(1, d.ia5("a")), expected: "810161" },
    { name: "implicit tag keeps constructed", value: d.implicit(0, d.seq()), expected: "a000" },
    { name: "explicit tag wraps", value: d.explicit(3, d.nul()), expected: "a3020500" },
    {
      name: "non-critical extension omits the BOOLEAN",
      value: d.extension("2.5.29.14", false, d.octetString(Uint8Array.of(1))),
      expected: "300a0603551d0e0403040101",
    },
    {
      name: "critical extension",
      value: d.extension("2.5.29.19", true, d.seq()),
      expected: "300c0603551d130101ff04023000",
    },
    {
      name: "RSA AlgorithmIdentifier has NULL parameters",
      value: d.algorithm("1.2.840.113549.1.1.11", null),
      expected: "300d06092a864886f70d01010b0500",
    },
  ])("$name", ({ value, expected }) => {
    expect(hex(value)).toBe(expected);
  });

  it("wraps 100,000 items without spreading them as arguments", () => {
    const items = Array.from({ length: 100_000 }, () => d.nul());
    expect(d.wrap(d.T.SEQUENCE, items).length).toBe(5 + 200_000);
  });
});
