/**
 * Terminal output helpers: buffered stdout for large reports, and progress on stderr for long runs.
 */
import type { Writable } from "node:stream";

/** Collects small writes into ~64 KiB chunks and honours back-pressure (10,000 JSONL lines into a pipe). */
export function createBufferedWriter(stream: Writable = process.stdout) {
  let buffer = "";
  let drained: Promise<void> = Promise.resolve();
  const push = () => {
    const chunk = buffer;
    buffer = "";
    if (!stream.write(chunk)) drained = new Promise((resolve) => stream.once("drain", resolve));
  };
  return {
    write(text: string): void {
      buffer += text;
      if (buffer.length >= 65536) push();
    },
    async flush(): Promise<void> {
      if (buffer) push();
      await drained;
    },
  };
}

/** Progress on a terminal only ("validated 2,000/10,000"); silent when stderr is a file or pipe. */
export function createProgress(stream: NodeJS.WriteStream) {
  const tty = stream.isTTY === true;
  let last = 0;
  let shown = false;
  return {
    update(what: string, done: number, total: number): void {
      if (!tty || total < 100) return;
      const now = Date.now();
      if (done !== total && now - last < 100) return;
      last = now;
      shown = true;
      stream.write(`\r${what} ${done.toLocaleString("en")}/${total.toLocaleString("en")}   `);
    },
    done(): void {
      if (shown) stream.write("\r\x1b[K");
    },
  };
}
