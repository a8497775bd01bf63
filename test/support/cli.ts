/**
 * Runs `smimectl` the way users do: `node bin/smimectl …` in a child process, so a test sees the real
 * exit status, the real stdout/stderr split and a crash or hang as what it is (a signal or a kill), not as
 * a thrown error inside the test worker.
 *
 * Why a private build rather than `dist/`: the launcher loads the compiled CLI, and `dist/` is shared with
 * everyone else's `npm run build` in this checkout; reading it while another tsc rewrites it, or testing a
 * `dist/` older than the sources, both give wrong answers. So the CLI's import graph is compiled once per
 * distinct source tree into `node_modules/.cache/smimectl-cli/<hash>/dist`, next to a copy of the real
 * launcher (`bin/smimectl`, whose `../dist/…` import then finds it). The directory is built under a
 * temporary name and renamed into place, so parallel test workers never see half of it; the hash keys it
 * on the sources, so an unchanged tree costs one hash pass, and a changed one is rebuilt (~1 s).
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const CACHE = join(REPO, "node_modules", ".cache", "smimectl-cli");
/** Old builds are removed after this long (never the ones a concurrent run may still be using). */
const STALE_BUILD_MS = 24 * 60 * 60 * 1000;

export interface CliResult {
  /** The exit status; null when the process died from a signal (a crash or our kill on timeout). */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The process was killed because it ran past `timeoutMs` (a hang). */
  readonly timedOut: boolean;
}

export interface CliOptions {
  readonly cwd?: string;
  /** Killed after this long; default 20 s, inside vitest's 30 s (the fetcher's own deadline is 5 s per CRL). */
  readonly timeoutMs?: number;
  /** Closes our end of stdout once this many bytes have arrived, as `| head -c N` does. */
  readonly closeStdoutAfter?: number;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** A hash of everything the compiled CLI depends on. */
async function sourceKey(): Promise<string> {
  const files = [
    ...(await sourceFiles(join(REPO, "shared"))),
    join(REPO, "bin", "smimectl"),
    join(REPO, "tsconfig.json"),
  ].sort();
  const hash = createHash("sha256");
  for (const file of files)
    hash
      .update(file)
      .update("\0")
      .update(await readFile(file))
      .update("\0");
  return hash.digest("hex").slice(0, 16);
}

function compile(tsconfig: string): Promise<string> {
  const tsc = join(REPO, "node_modules", ".bin", "tsc");
  return new Promise((done) => {
    // Type errors elsewhere in a tree being edited do not stop tsc from emitting; whether the CLI loads is
    // checked below, and its output is kept for the message if it does not.
    execFile(tsc, ["-p", tsconfig], { cwd: REPO }, (_error, stdout, stderr) => done(`${stdout}${stderr}`));
  });
}

async function removeOldBuilds(): Promise<void> {
  for (const name of await readdir(CACHE).catch(() => [])) {
    const path = join(CACHE, name);
    const age = Date.now() - (await stat(path)).mtimeMs;
    if (age > STALE_BUILD_MS) await rm(path, { recursive: true, force: true });
  }
}

async function build(): Promise<string> {
  const key = await sourceKey();
  const target = join(CACHE, key);
  const launcher = join(target, "bin", "smimectl");
  if (existsSync(launcher)) return launcher;
  await mkdir(CACHE, { recursive: true });
  const work = join(CACHE, `.${key}-${process.pid}-${Date.now()}`);
  await mkdir(join(work, "bin"), { recursive: true });
  const tsconfig = join(work, "tsconfig.json");
  await writeFile(
    tsconfig,
    JSON.stringify({
      extends: join(REPO, "tsconfig.json"),
      compilerOptions: { rootDir: REPO, outDir: join(work, "dist"), sourceMap: false, incremental: false },
      files: [join(REPO, "shared", "cli", "main.ts")],
      include: [],
    }),
  );
  const log = await compile(tsconfig);
  if (!existsSync(join(work, "dist", "shared", "cli", "main.js"))) {
    await rm(work, { recursive: true, force: true });
    throw new Error(`building the CLI failed:\n${log}`);
  }
  await copyFile(join(REPO, "bin", "smimectl"), join(work, "bin", "smimectl"));
  // Under node_modules no package.json of the project applies; the compiled files are ES modules.
  await writeFile(join(work, "package.json"), '{ "type": "module" }\n');
  try {
    await rename(work, target);
  } catch {
    // Another worker got there first with the same sources: use its build.
    await rm(work, { recursive: true, force: true });
  }
  await removeOldBuilds();
  return launcher;
}

/**
 * Fails once with the loader's own words when the build does not start (a half-saved source file, a
 * missing export), instead of every case failing on an empty stdout.
 */
async function checkStarts(bin: string): Promise<string> {
  const r = await spawnCli(bin, ["--help"], {});
  if (r.status !== 0) throw new Error(`the compiled CLI does not start (exit ${r.status}):\n${r.stderr}`);
  return bin;
}

let launcher: Promise<string> | undefined;

/** The launcher of a build of the current sources (built at most once per worker and source tree). */
export function cliLauncher(): Promise<string> {
  launcher ??= build().then(checkStarts);
  return launcher;
}

/** Runs `smimectl …args` with Node (the one running the tests) and collects its output. */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return spawnCli(await cliLauncher(), args, options);
}

function spawnCli(bin: string, args: readonly string[], options: CliOptions): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let received = 0;
    child.stdout.on("data", (b: Buffer) => {
      stdout.push(b);
      received += b.length;
      if (options.closeStdoutAfter !== undefined && received >= options.closeStdoutAfter) {
        child.stdout.destroy();
      }
    });
    child.stderr.on("data", (b: Buffer) => stderr.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      done({
        status,
        signal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        timedOut,
      });
    });
  });
}
