import { describe, expect, it } from "vitest";
import {
  CsvFormatError,
  csvRows,
  exportRows,
  readZipEntries,
  ZipFormatError,
} from "../../../shared/adapters/intune-export/index.ts";
import { chunked, type MintedEntry, mintZip } from "./zip-writer.ts";

const HEADER = "DeviceName,UPN,Thumbprint,Notes\r\n";
const bigCsv = (rows: number) =>
  HEADER +
  Array.from(
    { length: rows },
    (_, i) => `device-${i},user${i}@contoso.com,${i.toString(16).padStart(40, "0")},"n, ""${i}"""\r\n`,
  ).join("");

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function entries(zip: Uint8Array, chunk: number) {
  const out: { name: string; text: string }[] = [];
  for await (const entry of readZipEntries(chunked(zip, chunk))) {
    const parts = await collect(entry.content);
    out.push({ name: entry.name, text: Buffer.concat(parts).toString("utf8") });
  }
  return out;
}

describe("readZipEntries", () => {
  const cases: { name: string; entries: MintedEntry[]; chunk: number }[] = [
    { name: "one deflated entry", entries: [{ name: "a.csv", data: bigCsv(50) }], chunk: 1000 },
    { name: "one stored entry", entries: [{ name: "a.csv", data: bigCsv(50), method: "stored" }], chunk: 7 },
    {
      name: "deflated entries with data descriptors, read byte by byte across their ends",
      entries: [
        { name: "first.csv", data: bigCsv(20), descriptor: true },
        { name: "second.txt", data: "second", descriptor: true },
        { name: "third.csv", data: bigCsv(3), method: "stored" },
      ],
      chunk: 1,
    },
    {
      name: "a large entry in large chunks (several inflate rounds)",
      entries: [
        { name: "big.csv", data: bigCsv(20_000), descriptor: true },
        { name: "after", data: "x" },
      ],
      chunk: 65_536,
    },
    {
      name: "an empty entry",
      entries: [
        { name: "empty.csv", data: "" },
        { name: "b", data: "b" },
      ],
      chunk: 5,
    },
  ];
  it.each(cases)("$name", async ({ entries: minted, chunk }) => {
    const read = await entries(mintZip(minted), chunk);
    expect(read).toEqual(
      minted.map((e) => ({ name: e.name, text: typeof e.data === "string" ? e.data : "" })),
    );
  });

  const broken: { name: string; bytes: () => Uint8Array; message: RegExp }[] = [
    {
      name: "a truncated deflated entry",
      bytes: () => {
        const zip = mintZip([{ name: "a.csv", data: bigCsv(200) }]);
        return zip.subarray(0, 400);
      },
      message: /a\.csv: the archive is truncated \(\d+ of \d+ compressed bytes\)/,
    },
    {
      name: "a truncated entry with a data descriptor",
      bytes: () => mintZip([{ name: "a.csv", data: bigCsv(200), descriptor: true }]).subarray(0, 400),
      message: /a\.csv: the compressed data is truncated or corrupt/,
    },
    {
      name: "an archive cut inside a header",
      bytes: () => mintZip([{ name: "a.csv", data: "x" }]).subarray(0, 12),
      message: /ends inside a local file header \(truncated archive\)/,
    },
    {
      name: "an archive cut before its central directory",
      bytes: () => {
        const zip = mintZip([{ name: "a.csv", data: "abc", method: "stored" }]);
        return zip.subarray(0, 30 + 5 + 3);
      },
      message: /ends before its central directory/,
    },
    {
      name: "a corrupted stored byte (CRC-32)",
      bytes: () => {
        const zip = mintZip([{ name: "a.csv", data: "abcdef", method: "stored" }]);
        zip[30 + 5] = "z".charCodeAt(0);
        return zip;
      },
      message: /a\.csv: CRC-32 mismatch/,
    },
    { name: "not a ZIP", bytes: () => Buffer.from("<html>error</html>"), message: /not a ZIP archive/ },
    { name: "nothing at all", bytes: () => new Uint8Array(0), message: /the archive is empty/ },
  ];
  it.each(broken)("$name → ZipFormatError", async ({ bytes, message }) => {
    const reading = entries(bytes(), 64);
    await expect(reading).rejects.toBeInstanceOf(ZipFormatError);
    await expect(entries(bytes(), 64)).rejects.toThrow(message);
  });
});

describe("csvRows", () => {
  const cases: { name: string; text: string[]; rows: string[][] }[] = [
    {
      name: "plain fields, CRLF",
      text: ["a,b\r\n1,2\r\n"],
      rows: [
        ["a", "b"],
        ["1", "2"],
      ],
    },
    {
      name: "no final line end",
      text: ["a,b\n1,2"],
      rows: [
        ["a", "b"],
        ["1", "2"],
      ],
    },
    { name: "quoted comma and doubled quote", text: ['"x, y","say ""hi"""\n'], rows: [["x, y", 'say "hi"']] },
    {
      name: "line breaks inside a quoted field",
      text: ['"line 1\r\nline 2",z\n'],
      rows: [["line 1\r\nline 2", "z"]],
    },
    {
      name: "a field split across chunks inside quotes",
      text: ['"ab', 'c""', '",d\n'],
      rows: [['abc"', "d"]],
    },
    {
      name: "empty fields and empty lines",
      text: [",,\n\n\na,,\n"],
      rows: [
        ["", "", ""],
        ["a", "", ""],
      ],
    },
    { name: "a byte-order mark is not part of the first field", text: ["\uFEFFa,b\n"], rows: [["a", "b"]] },
  ];
  it.each(cases)("$name", async ({ text, rows }) => {
    const bytes = text.map((t) => new TextEncoder().encode(t));
    expect(await collect(csvRows(chunked(Buffer.concat(bytes), 3)))).toEqual(rows);
    expect(
      await collect(
        csvRows(
          (async function* () {
            yield* bytes;
          })(),
        ),
      ),
    ).toEqual(rows);
  });

  const broken: { name: string; text: string; message: RegExp }[] = [
    {
      name: "an unclosed quote",
      text: 'a,b\n"never closed,1\n',
      message: /line 2: a quoted field is never closed/,
    },
    {
      name: "text after a closing quote",
      text: 'a\n"x"y,1\n',
      message: /line 2: "y" after the closing quote/,
    },
  ];
  it.each(broken)("$name → CsvFormatError", async ({ text, message }) => {
    const reading = collect(csvRows(chunked(Buffer.from(text), 4)));
    await expect(reading).rejects.toBeInstanceOf(CsvFormatError);
    await expect(collect(csvRows(chunked(Buffer.from(text), 4)))).rejects.toThrow(message);
  });
});

describe("exportRows", () => {
  it("reads the first CSV entry's rows as objects keyed by the header", async () => {
    const zip = mintZip([
      { name: "readme.txt", data: "not this" },
      { name: "AllDeviceCertificates_1.csv", data: bigCsv(3), descriptor: true },
    ]);
    const rows = await collect(exportRows(chunked(zip, 10)));
    expect(rows).toHaveLength(3);
    expect(rows[2]).toEqual({
      DeviceName: "device-2",
      UPN: "user2@contoso.com",
      Thumbprint: "2".padStart(40, "0"),
      Notes: 'n, "2"',
    });
  });

  it("refuses a row whose field count differs from the header's", async () => {
    const zip = mintZip([{ name: "r.csv", data: "a,b\n1,2\n3\n" }]);
    await expect(collect(exportRows(chunked(zip, 10)))).rejects.toThrow(/row 3: 1 fields, the header has 2/);
  });

  it("names a ZIP without a CSV", async () => {
    const zip = mintZip([{ name: "r.json", data: "{}" }]);
    await expect(collect(exportRows(chunked(zip, 10)))).rejects.toThrow(/holds no \.csv file/);
  });
});
