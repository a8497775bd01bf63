/**
 * Reads an async stream of byte chunks by exact counts, holding only what a read has asked for and the rest
 * of the chunk it came in: the ZIP reader walks a download of any size with a few kilobytes in hand.
 */

/** The stream ended before the bytes a read asked for. */
export class UnexpectedEndError extends Error {
  constructor(
    readonly wanted: number,
    readonly got: number,
  ) {
    super(`the stream ended after ${got} of ${wanted} bytes`);
    this.name = "UnexpectedEndError";
  }
}

export class ByteReader {
  private readonly source: AsyncIterator<Uint8Array>;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private done = false;
  /** Bytes handed out so far: the offset of the next byte in the stream. */
  offset = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** Exactly `n` bytes, or UnexpectedEndError. */
  async read(n: number): Promise<Uint8Array> {
    while (this.pendingBytes < n && (await this.fill()));
    if (this.pendingBytes < n) throw new UnexpectedEndError(n, this.pendingBytes);
    return this.take(n);
  }

  /** Up to `max` bytes (at least one), or undefined at the end of the stream. */
  async readSome(max: number): Promise<Uint8Array | undefined> {
    if (this.pendingBytes === 0 && !(await this.fill())) return undefined;
    return this.take(Math.min(max, this.pending[0]!.length));
  }

  /** Whether the stream holds no more bytes. */
  async atEnd(): Promise<boolean> {
    return this.pendingBytes === 0 && !(await this.fill());
  }

  /** Skips `n` bytes without keeping them. */
  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const chunk = await this.readSome(left);
      if (!chunk) throw new UnexpectedEndError(n, n - left);
      left -= chunk.length;
    }
  }

  /** Gives unread bytes back: the next read starts with them. */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pending.unshift(bytes);
    this.pendingBytes += bytes.length;
    this.offset -= bytes.length;
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.source.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    if (next.value.length > 0) {
      this.pending.push(next.value);
      this.pendingBytes += next.value.length;
    }
    return true;
  }

  private take(n: number): Uint8Array {
    this.offset += n;
    this.pendingBytes -= n;
    const first = this.pending[0]!;
    if (first.length >= n) {
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const chunk = this.pending[0]!;
      const used = Math.min(chunk.length, n - at);
      out.set(chunk.subarray(0, used), at);
      at += used;
      if (used === chunk.length) this.pending.shift();
      else this.pending[0] = chunk.subarray(used);
    }
    return out;
  }
}
