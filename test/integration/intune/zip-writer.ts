/**
 * Mints ZIP archives for the export reader's tests: stored or deflated entries, sizes in the local header or
 * in a data descriptor after the data (as streaming writers do), and the central directory at the end.
 */
import { crc32, deflateRawSync } from "node:zlib";

export interface MintedEntry {
  readonly name: string;
  readonly data: string | Uint8Array;
  readonly method?: "stored" | "deflate";
  /** Sizes and CRC after the data (general-purpose flag bit 3), with the optional descriptor signature. */
  readonly descriptor?: boolean;
}

export function mintZip(entries: readonly MintedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = typeof entry.data === "string" ? Buffer.from(entry.data, "utf8") : Buffer.from(entry.data);
    const deflate = (entry.method ?? "deflate") === "deflate";
    const body = deflate ? deflateRawSync(data) : data;
    const crc = crc32(data);
    const name = Buffer.from(entry.name, "utf8");
    const flags = entry.descriptor ? 0x8 : 0;
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(flags, 6);
    header.writeUInt16LE(deflate ? 8 : 0, 8);
    header.writeUInt32LE(entry.descriptor ? 0 : crc, 14);
    header.writeUInt32LE(entry.descriptor ? 0 : body.length, 18);
    header.writeUInt32LE(entry.descriptor ? 0 : data.length, 22);
    header.writeUInt16LE(name.length, 26);
    const descriptor = Buffer.alloc(entry.descriptor ? 16 : 0);
    if (entry.descriptor) {
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(body.length, 8);
      descriptor.writeUInt32LE(data.length, 12);
    }
    const local = Buffer.concat([header, name, body, descriptor]);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(Buffer.concat([central, name]));
    locals.push(local);
    offset += local.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The bytes in chunks of `size`, as a download arrives. */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}
