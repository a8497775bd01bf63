/**
 * A real Azurite service in a child process: Table storage for the integration tests (one per test run, see
 * test/global-setup.ts) and for the local host (`smimectl serve`, with a data directory); Blob storage for
 * what reads blobs (a TRUST_STORE_PATH blob URL). Independent of vitest on purpose: only Node built-ins (and
 * the emulator's account constants).
 *
 * Choices:
 * - One service per process (`--service`): each has its own entry, and a test needing one should not pay for both.
 * - The port: Azurite takes `--tablePort 0` but never tells which port it got, so a free loopback port is
 *   picked here and handed over; if another process grabs it in between, Azurite exits with EADDRINUSE and
 *   the start is retried on a new port.
 * - `--skipApiVersionCheck`: the SDK may speak a newer service version than this Azurite release knows.
 * - No `--loose`: it only hides headers and parameters Azurite does not implement, and a request the real
 *   service would treat differently should fail here rather than pass silently.
 * - `--disableTelemetry` always; `--silent` (no access log); `--inMemoryPersistence` unless a data dir is given.
 * - No orphans: the child reads a pipe from this process and, when the pipe closes (this process stopped,
 *   crashed, or was killed with SIGKILL), signals itself SIGINT, which is Azurite's own graceful shutdown
 *   (it saves its database), and exits. `stop()` closes that pipe the same way and waits for the exit.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { EMULATOR_ACCOUNT, EMULATOR_ACCOUNT_KEY } from "../contracts/blob-url.ts";

/** Azurite's well-known development account (public, documented; not a secret). */
export const AZURITE_ACCOUNT = EMULATOR_ACCOUNT;
export const AZURITE_KEY = EMULATOR_ACCOUNT_KEY;

/** Which Azurite service to run. */
export type AzuriteService = "table" | "blob";

export interface AzuriteOptions {
  /** Default "table". */
  readonly service?: AzuriteService;
  /** Keep the tables in this folder (created if missing) across restarts; otherwise in memory. */
  readonly dataDir?: string;
  /** Force in-memory persistence (the default when no dataDir is given). */
  readonly inMemory?: boolean;
  /** Listen on this port (e.g. 10002, where Storage Explorer looks); default a free one. */
  readonly port?: number;
  /** Serve https with this certificate and key (PEM files); needed for bearer tokens. */
  readonly https?: { readonly certFile: string; readonly keyFile: string };
  /** Accept Entra-style bearer tokens ("basic": lifetime, issuer and audience checked, signature not). */
  readonly oauth?: "basic";
  /** Give up when Azurite has not answered within this time. Default 20 s. */
  readonly startTimeoutMs?: number;
}

export interface RunningAzurite {
  /** `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=…;TableEndpoint=…;` (BlobEndpoint for blob) */
  readonly connectionString: string;
  /** `http://127.0.0.1:PORT/devstoreaccount1` (https with the `https` option) */
  readonly endpoint: string;
  readonly pid: number;
  /** Graceful stop; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** What each service prints once it listens (the table and blob entries word it differently). */
const STARTED = /successfully (started|listens)/;
const MAX_PORT_ATTEMPTS = 5;

/**
 * Runs inside the Azurite process before its own entry: on the end of stdin (its parent is gone or asked it
 * to stop), raise SIGINT so Azurite closes itself, and exit for sure shortly after.
 */
const WATCHDOG = [
  "process.stdin.on('end',()=>{",
  "process.kill(process.pid,'SIGINT');",
  "setTimeout(()=>process.exit(0),3000).unref();",
  "}).resume();",
].join("");

/** Starts an Azurite service (Table by default) on a free loopback port and waits until it listens. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  if (options.port !== undefined) return startOnPort(options.port, options);
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < MAX_PORT_ATTEMPTS; attempt++) {
    const port = await freeLoopbackPort();
    try {
      return await startOnPort(port, options);
    } catch (error) {
      lastError = error as Error;
      if (!/EADDRINUSE/.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new Error("Azurite did not start");
}

/** The Azurite Table service's JS entry (what node_modules/.bin/azurite-table links to). */
export function azuriteTableEntry(): string {
  return azuriteEntry("table");
}

/** A service's JS entry (what node_modules/.bin/azurite-table or azurite-blob links to). */
export function azuriteEntry(service: AzuriteService): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("azurite/package.json")), "dist", "src", service, "main.js");
}

/** A connection string for an Azurite endpoint, in the explicit form the SDK and tools accept. */
export function azuriteConnectionString(endpoint: string, service: AzuriteService = "table"): string {
  const protocol = endpoint.startsWith("https:") ? "https" : "http";
  const name = service === "blob" ? "BlobEndpoint" : "TableEndpoint";
  return `DefaultEndpointsProtocol=${protocol};AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};${name}=${endpoint};`;
}

function azuriteArgs(port: number, options: AzuriteOptions): string[] {
  const service = options.service ?? "table";
  const args = [
    `--${service}Host`,
    "127.0.0.1",
    `--${service}Port`,
    String(port),
    "--skipApiVersionCheck",
    "--disableTelemetry",
    "--silent",
  ];
  if (options.https) args.push("--cert", options.https.certFile, "--key", options.https.keyFile);
  if (options.oauth) args.push("--oauth", options.oauth);
  if (options.dataDir !== undefined && options.inMemory !== true) {
    mkdirSync(options.dataDir, { recursive: true });
    return [...args, "--location", options.dataDir];
  }
  return [...args, "--inMemoryPersistence"];
}

async function startOnPort(port: number, options: AzuriteOptions): Promise<RunningAzurite> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      `data:text/javascript,${encodeURIComponent(WATCHDOG)}`,
      azuriteEntry(options.service ?? "table"),
      ...azuriteArgs(port, options),
    ],
    // The cwd matters only for in-memory mode, where Azurite still checks that its default location exists.
    // Its own process group: Ctrl+C on `npm start` reaches the host, which drains its work before it stops
    // Azurite; the watchdog still ends Azurite if the host dies without stopping it.
    {
      stdio: ["pipe", "pipe", "pipe"],
      cwd: options.dataDir ?? process.cwd(),
      windowsHide: true,
      detached: true,
    },
  );
  await waitUntilStarted(child, options.startTimeoutMs ?? 20_000);
  const endpoint = `${options.https ? "https" : "http"}://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    connectionString: azuriteConnectionString(endpoint, options.service),
    endpoint,
    pid: child.pid ?? -1,
    stop: () => stopChild(child, exited),
  };
}

/** Resolves once Azurite says it listens; rejects with its output when it exits first or takes too long. */
function waitUntilStarted(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-4000);
      if (STARTED.test(output)) finish();
    };
    const onExit = (code: number | null) =>
      fail(new Error(`Azurite exited (${code}) before starting: ${output.trim()}`));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`Azurite did not start within ${timeoutMs} ms: ${output.trim()}`));
    }, timeoutMs);
    const cleanUp = () => {
      clearTimeout(timer);
      child.off("exit", onExit);
      child.stdout?.off("data", collect);
      child.stderr?.off("data", collect);
      // Keep draining: a full pipe would block Azurite's own writes.
      child.stdout?.resume();
      child.stderr?.resume();
    };
    const finish = () => {
      cleanUp();
      resolve();
    };
    const fail = (error: Error) => {
      cleanUp();
      reject(error);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("exit", onExit);
    child.once("error", (error) => fail(error));
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.stdin?.end();
    const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(killer);
  }
  await exited;
}

function freeLoopbackPort(): Promise<number> {
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
