/**
 * The local host (`smimectl serve`) as a child process, the way a user runs it: started on a port and a data
 * directory, ready once `GET /api/health` answers 200, stopped with SIGTERM (it drains and exits 0) or killed
 * with SIGKILL (nothing drains; the next start must recover from what is on disk).
 *
 * Only Node built-ins, so the benchmark (compiled, outside vitest) uses it too.
 *
 * Its Azurite is the host's child and outlives a SIGKILL for a moment: it notices its parent is gone, saves its
 * tables and exits (test/support/azurite.ts). `kill9` waits for that, because a new host starting Azurite on the
 * same folder while the old one is still saving would read half a file — what a real restart after a crash
 * never meets, since Azure Tables is not a process of the host.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

export interface HostOptions {
  /** The `smimectl` launcher to run with this Node (bin/smimectl of a build). */
  readonly launcher: string;
  readonly port: number;
  readonly dataDir: string;
  /** Settings for the host (e.g. SMIME_FAULT_RATE); TRUST_STORE_PATH and LOCAL_DATA_DIR are never inherited. */
  readonly env?: Readonly<Record<string, string>>;
  /** The host's stdout and stderr go to this file (its JSON log; read it when something fails). */
  readonly logFile: string;
  /** `serve --demo`: against the demo tenant (default false: no Graph). */
  readonly demo?: boolean;
  /** Give up when health has not answered 200 by then. Default 60 s. */
  readonly readyTimeoutMs?: number;
}

export interface HostExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface HostProcess {
  readonly pid: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly logFile: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<HostExit>;
  /** SIGTERM, then the exit (the host finishes work in flight and exits 0). */
  stop(timeoutMs?: number): Promise<HostExit>;
  /** SIGKILL, then the exit, then the exit of every child the host had (its Azurite). */
  kill9(): Promise<HostExit>;
  /** Peak resident memory so far (VmHWM) of the host process and of its children, in KiB; undefined once gone. */
  peakMemory(): { readonly hostKiB: number | undefined; readonly childrenKiB: number };
}

/** Starts the host and waits until it is healthy; kills it and rethrows if it never gets there. */
export async function startHost(options: HostOptions): Promise<HostProcess> {
  const log = openSync(options.logFile, "a");
  const env: Record<string, string | undefined> = {
    ...process.env,
    TRUST_STORE_PATH: undefined,
    LOCAL_DATA_DIR: undefined,
    ...options.env,
  };
  const child = spawn(
    process.execPath,
    [
      options.launcher,
      "serve",
      ...(options.demo ? ["--demo"] : []),
      "--port",
      String(options.port),
      "--data",
      options.dataDir,
    ],
    { env, stdio: ["ignore", log, log] },
  );
  closeSync(log);
  const exited = new Promise<HostExit>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${options.port}`;
  const host = hostProcess(child, url, options.logFile, exited);
  try {
    await waitUntilHealthy(url, exited, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await host.kill9();
    throw new Error(`${(error as Error).message}\n--- host log (tail) ---\n${tail(options.logFile)}`);
  }
  return host;
}

function hostProcess(
  child: ChildProcess,
  url: string,
  logFile: string,
  exited: Promise<HostExit>,
): HostProcess {
  const pid = child.pid ?? -1;
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid,
    url,
    logFile,
    exited,
    async stop(timeoutMs = 30_000) {
      if (alive()) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
    async kill9() {
      const children = childPids(pid);
      if (alive()) child.kill("SIGKILL");
      const exit = await exited;
      await waitForExit(children, 20_000);
      return exit;
    },
    peakMemory() {
      return {
        hostKiB: alive() ? peakRssKiB(pid) : undefined,
        childrenKiB: childPids(pid).reduce((sum, c) => sum + (peakRssKiB(c) ?? 0), 0),
      };
    },
  };
}

async function waitUntilHealthy(url: string, exited: Promise<HostExit>, timeoutMs: number): Promise<void> {
  let gone: HostExit | undefined;
  void exited.then((e) => {
    gone = e;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone)
      throw new Error(`the host exited before it was healthy (code ${gone.code}, signal ${gone.signal})`);
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`the host was not healthy within ${timeoutMs} ms`);
}

/** The last lines of a log file, for a failure message. */
export function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** The host's JSON log lines (anything else in the file, like the start banner, is skipped). */
export function logEntries(file: string): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      entries.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by the kill -9
    }
  }
  return entries;
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `/proc/<pid>/stat`: the state letter and the parent pid (the command name may hold spaces and parentheses). */
function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: state ?? "", ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

function childPids(parent: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => procStat(pid)?.ppid === parent);
}

/** Gone, or a zombie nobody reaps yet (in a container, PID 1 may not). */
const hasExited = (pid: number) => {
  const stat = procStat(pid);
  return stat === undefined || stat.state === "Z";
};

async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some((pid) => !hasExited(pid))) {
    if (Date.now() > deadline)
      throw new Error(`processes ${pids.join(", ")} did not exit within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** VmHWM: the process's peak resident set size, in KiB. */
function peakRssKiB(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Polls `check` every 250 ms until it answers (a value other than undefined), at most until `deadline` (ms
 * since the epoch); then fails naming `what`, the last error `check` threw, and `context()` (the host's log).
 */
export async function pollUntil<T>(
  deadline: number,
  what: string,
  check: () => Promise<T | undefined>,
  context: () => string = () => "",
): Promise<T> {
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`not within the time: ${what}${last ? ` (${String(last)})` : ""}\n${context()}`);
    await sleep(250);
  }
}
