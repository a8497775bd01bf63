/**
 * Terminal output helpers: buffered stdout for large reports, and progress on stderr for long runs.
 */
import type { Writable } from "node:stream";

/** Resolves when `stream` can take more, or is gone (a closed pipe never drains). */
function writable(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

/**
 * Collects small writes into ~64 KiB chunks and waits for the stream to drain before taking more, so that
 * 10,000 JSONL lines into a slow pipe are not all held in memory.
 *
 * A reader that goes away (`smimectl validate … --jsonl | head`) is not a failure of the validation: the
 * rest of the output is dropped and the run still ends with its verdict's exit status. Any other write
 * error is thrown by `flush`.
 */
export function createBufferedWriter(stream: Writable = process.stdout) {
  let buffer = "";
  let failure: NodeJS.ErrnoException | undefined;
  stream.on("error", (e: NodeJS.ErrnoException) => {
    failure ??= e;
  });
  const push = async (): Promise<void> => {
    const chunk = buffer;
    buffer = "";
    if (failure || stream.destroyed) return;
    if (!stream.write(chunk)) await writable(stream);
  };
  return {
    async write(text: string): Promise<void> {
      buffer += text;
      if (buffer.length >= 65536) await push();
    },
    async flush(): Promise<void> {
      if (buffer) await push();
      if (failure && failure.code !== "EPIPE") throw new Error(`cannot write the report: ${failure.message}`);
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
