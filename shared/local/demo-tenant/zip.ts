/**
 * A one-entry ZIP archive (what Intune's export jobs hand out: a ZIP holding one CSV), written from text
 * chunks through a streaming deflater so that a 100,000-row report never exists uncompressed in memory.
 * Sizes and CRC are known once the data is through, so the local header carries them (no data descriptor),
 * which every reader handles. ZIP64 is not needed: the reports stay far below 4 GiB.
 */
import { crc32, createDeflateRaw } from "node:zlib";

function dosDateTime(at: Date): { time: number; date: number } {
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
    date: ((at.getUTCFullYear() - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

/** Compresses `chunks` (UTF-8) into a ZIP holding the single file `name`. */
export async function zipOneFile(name: string, chunks: Iterable<string>, at: Date): Promise<Buffer> {
  const deflater = createDeflateRaw({ level: 6 });
  const compressed: Buffer[] = [];
  deflater.on("data", (b: Buffer) => compressed.push(b));
  const done = new Promise<void>((resolve, reject) => {
    deflater.on("end", resolve);
    deflater.on("error", reject);
  });
  let crc = 0;
  let size = 0;
  for (const chunk of chunks) {
    const bytes = Buffer.from(chunk, "utf8");
    crc = crc32(bytes, crc);
    size += bytes.length;
    if (!deflater.write(bytes)) await new Promise((resolve) => deflater.once("drain", resolve));
  }
  deflater.end();
  await done;
  const data = Buffer.concat(compressed);
  const fileName = Buffer.from(name, "utf8");
  const { time, date } = dosDateTime(at);

  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt16LE(time, 10);
  local.writeUInt16LE(date, 12);
  local.writeUInt32LE(crc >>> 0, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);

  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(time, 12);
  central.writeUInt16LE(date, 14);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(fileName.length, 28);
  // extra, comment, disk, internal and external attributes, local header offset: all zero

  const centralOffset = local.length + fileName.length + data.length;
  const centralSize = central.length + fileName.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralOffset, 16);

  return Buffer.concat([local, fileName, data, central, fileName, end]);
}
