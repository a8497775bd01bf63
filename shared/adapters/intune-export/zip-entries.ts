/**
 * A streaming reader of a ZIP archive's local file entries (APPNOTE.TXT §4.3.7), for Intune's report export:
 * the download is read front to back once, each entry's bytes are inflated as they arrive, and nothing but
 * the current chunk is held, however large the archive. The central directory at the end is not needed to
 * read the entries in order, so it is not read.
 *
 * Supported: stored (0) and deflated (8) entries, sizes in the local header or (deflate only) in a data
 * descriptor after the data, Zip64 sizes. Encrypted entries, other methods, a stored entry of unknown size,
 * a truncated archive and a CRC-32 mismatch are ZipFormatErrors naming the entry.
 */
import { crc32, createInflateRaw, type InflateRaw } from "node:zlib";
import { ByteReader, UnexpectedEndError } from "./byte-reader.ts";

/** The archive cannot be read: truncated, corrupt, or using a feature this reader does not support. */
export class ZipFormatError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ZipFormatError";
  }
}

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  /**
   * The entry's uncompressed bytes. Read it (or leave it: it is skipped) before asking for the next entry;
   * it can be read once.
   */
  readonly content: AsyncIterable<Uint8Array>;
}

const LOCAL_FILE = 0x04034b50;
const CENTRAL_DIRECTORY = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const DATA_DESCRIPTOR = 0x08074b50;
const FLAG_ENCRYPTED = 0x1;
const FLAG_DATA_DESCRIPTOR = 0x8;
const STORED = 0;
const DEFLATED = 8;
const SLICE = 64 * 1024;

interface LocalHeader {
  readonly name: string;
  readonly flags: number;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly zip64: boolean;
}

/** The archive's entries in order. A truncated or corrupt archive throws ZipFormatError, naming the entry. */
export async function* readZipEntries(source: AsyncIterable<Uint8Array>): AsyncGenerator<ZipEntry> {
  const reader = new ByteReader(source);
  let count = 0;
  for (;;) {
    if (count === 0 && (await reader.atEnd())) throw new ZipFormatError("the archive is empty");
    const signature = await guard(reader.read(4), "the archive ends before its central directory");
    const sig = view(signature).getUint32(0, true);
    if (sig === CENTRAL_DIRECTORY || sig === END_OF_CENTRAL_DIRECTORY) return;
    if (sig !== LOCAL_FILE)
      throw new ZipFormatError(
        `not a ZIP archive (no local file header at byte ${reader.offset - 4}: 0x${sig.toString(16).padStart(8, "0")})`,
      );
    const header = await readLocalHeader(reader);
    count++;
    const state = { started: false, finished: false };
    const content = entryContent(reader, header, state);
    yield { name: header.name, method: header.method, content };
    if (!state.started) for await (const _ of content);
    else if (!state.finished) throw new Error(`${header.name}: its content was left half-read`);
  }
}

async function readLocalHeader(reader: ByteReader): Promise<LocalHeader> {
  const fixed = view(await guard(reader.read(26), "the archive ends inside a local file header"));
  const flags = fixed.getUint16(2, true);
  const method = fixed.getUint16(4, true);
  const nameLength = fixed.getUint16(22, true);
  const extraLength = fixed.getUint16(24, true);
  const rest = await guard(
    reader.read(nameLength + extraLength),
    "the archive ends inside a local file header",
  );
  const name = new TextDecoder().decode(rest.subarray(0, nameLength));
  let compressedSize = fixed.getUint32(14, true);
  let size = fixed.getUint32(18, true);
  const zip64 = compressedSize === 0xffffffff || size === 0xffffffff;
  if (zip64) {
    const sizes = zip64Sizes(rest.subarray(nameLength), name);
    size = sizes.size;
    compressedSize = sizes.compressedSize;
  }
  if (flags & FLAG_ENCRYPTED) throw new ZipFormatError(`${name}: encrypted entries are not supported`);
  if (method !== STORED && method !== DEFLATED)
    throw new ZipFormatError(
      `${name}: compression method ${method} is not supported (only stored and deflate)`,
    );
  if (method === STORED && flags & FLAG_DATA_DESCRIPTOR && compressedSize === 0)
    throw new ZipFormatError(`${name}: a stored entry whose size follows its data cannot be streamed`);
  return { name, flags, method, crc: fixed.getUint32(10, true), compressedSize, size, zip64 };
}

/** The Zip64 extended information extra field (header 0x0001): uncompressed, then compressed size. */
function zip64Sizes(extra: Uint8Array, name: string): { size: number; compressedSize: number } {
  const v = view(extra);
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = v.getUint16(at, true);
    const length = v.getUint16(at + 2, true);
    if (id === 0x0001 && length >= 16)
      return {
        size: Number(v.getBigUint64(at + 4, true)),
        compressedSize: Number(v.getBigUint64(at + 12, true)),
      };
    at += 4 + length;
  }
  throw new ZipFormatError(`${name}: Zip64 sizes announced but no Zip64 extra field`);
}

async function* entryContent(
  reader: ByteReader,
  header: LocalHeader,
  state: { started: boolean; finished: boolean },
): AsyncGenerator<Uint8Array> {
  state.started = true;
  const sizeKnown = !(header.flags & FLAG_DATA_DESCRIPTOR) || header.compressedSize > 0;
  let crc = 0;
  let size = 0;
  const chunks =
    header.method === STORED
      ? bounded(reader, header.compressedSize, header.name)
      : inflate(reader, sizeKnown ? header.compressedSize : undefined, header.name);
  for await (const chunk of chunks) {
    crc = crc32(chunk, crc);
    size += chunk.length;
    yield chunk;
  }
  const expected = header.flags & FLAG_DATA_DESCRIPTOR ? await readDescriptor(reader, header) : header;
  if (size !== expected.size)
    throw new ZipFormatError(`${header.name}: ${size} bytes inflated, the archive says ${expected.size}`);
  if (crc !== expected.crc) throw new ZipFormatError(`${header.name}: CRC-32 mismatch (corrupt archive)`);
  state.finished = true;
}

/** The data descriptor after the data: optional signature, CRC-32, then the sizes (8 bytes each in Zip64). */
async function readDescriptor(
  reader: ByteReader,
  header: LocalHeader,
): Promise<{ crc: number; size: number }> {
  const ends = `${header.name}: the archive ends inside the entry's data descriptor`;
  let first = view(await guard(reader.read(4), ends)).getUint32(0, true);
  if (first === DATA_DESCRIPTOR) first = view(await guard(reader.read(4), ends)).getUint32(0, true);
  const sizes = view(await guard(reader.read(header.zip64 ? 16 : 8), ends));
  const size = header.zip64 ? Number(sizes.getBigUint64(8, true)) : sizes.getUint32(4, true);
  return { crc: first, size };
}

/** Exactly `length` bytes of the stream, in slices. */
async function* bounded(reader: ByteReader, length: number, name: string): AsyncGenerator<Uint8Array> {
  let left = length;
  while (left > 0) {
    const chunk = await reader.readSome(Math.min(left, SLICE));
    if (!chunk) throw truncated(name, length - left, length);
    left -= chunk.length;
    yield chunk;
  }
}

/**
 * Inflates the entry's deflate stream. With its compressed size unknown (data descriptor), input is fed until
 * zlib stops consuming it — the deflate stream's end — and the bytes zlib did not take are given back to the
 * reader: zlib's `bytesWritten` counts exactly the input it consumed.
 */
async function* inflate(reader: ByteReader, compressedSize: number | undefined, name: string) {
  const z = createInflateRaw();
  const fed: Uint8Array[] = [];
  let fedBytes = 0;
  const feeding = (async () => {
    let left = compressedSize ?? Number.POSITIVE_INFINITY;
    while (left > 0 && z.bytesWritten === fedBytes) {
      const chunk = await reader.readSome(Math.min(left, SLICE));
      if (!chunk) {
        if (compressedSize !== undefined) throw truncated(name, compressedSize - left, compressedSize);
        break;
      }
      left -= chunk.length;
      fed.push(chunk);
      fedBytes += chunk.length;
      if (fed.length > 4) fed.shift();
      await write(z, chunk);
    }
    z.end();
  })().catch((e: unknown) => {
    z.destroy(e instanceof Error ? e : new Error(String(e)));
  });
  try {
    for await (const out of z) yield out as Uint8Array;
  } catch (e) {
    if (e instanceof ZipFormatError) throw e;
    throw new ZipFormatError(
      `${name}: the compressed data is truncated or corrupt (${(e as Error).message})`,
      {
        cause: e,
      },
    );
  } finally {
    // A consumer that stops early leaves zlib with unread output: stop it so the feeder's write settles.
    if (!z.readableEnded) z.destroy();
    await feeding;
  }
  if (compressedSize === undefined) giveBack(reader, fed, fedBytes - z.bytesWritten, name);
}

function write(z: InflateRaw, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => z.write(chunk, (e) => (e ? reject(e) : resolve())));
}

/** Returns the last `count` bytes fed to zlib, which it did not consume, to the reader. */
function giveBack(reader: ByteReader, fed: Uint8Array[], count: number, name: string) {
  const kept = fed.reduce((n, c) => n + c.length, 0);
  if (count > kept) throw new ZipFormatError(`${name}: lost track of the deflate stream's end`);
  const tail = new Uint8Array(count);
  let at = count;
  for (let i = fed.length - 1; i >= 0 && at > 0; i--) {
    const chunk = fed[i]!;
    const used = Math.min(at, chunk.length);
    tail.set(chunk.subarray(chunk.length - used), at - used);
    at -= used;
  }
  reader.unread(tail);
}

const truncated = (name: string, got: number, wanted: number) =>
  new ZipFormatError(`${name}: the archive is truncated (${got} of ${wanted} compressed bytes)`);

async function guard<T>(p: Promise<T>, message: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof UnexpectedEndError)
      throw new ZipFormatError(`${message} (truncated archive)`, { cause: e });
    throw e;
  }
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
