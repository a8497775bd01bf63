/**
 * Runs a command under GNU time and reports its wall time and peak resident memory, so that smimectl and
 * openssl are measured the same way.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Measurement {
  readonly label: string;
  readonly seconds: number;
  /** Peak resident set size in MiB. */
  readonly peakRssMiB: number;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const GNU_TIME = "/usr/bin/time";

export function measure(
  label: string,
  command: string,
  args: readonly string[],
  cwd?: string,
): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), "bench-time-"));
  const timeFile = join(dir, "time.txt");
  return new Promise((resolve, reject) => {
    const child = spawn(GNU_TIME, ["-o", timeFile, "-f", "%e %M", command, ...args], { cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      const [seconds, kib] = readFileSync(timeFile, "utf8").trim().split(/\s+/).slice(-2).map(Number);
      rmSync(dir, { recursive: true, force: true });
      resolve({
        label,
        seconds: seconds ?? Number.NaN,
        peakRssMiB: (kib ?? Number.NaN) / 1024,
        exitCode: code ?? -1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}
