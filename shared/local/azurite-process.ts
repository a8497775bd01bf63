/**
 * Azurite for the local host: the same launcher the integration tests use (azurite.ts, plain
 * Node built-ins), here with a data folder so the tables survive restarts. Its child dies with the host,
 * even after `kill -9`, because it watches a pipe from this process.
 */
import { type RunningAzurite, startAzurite } from "./azurite.ts";

export type { RunningAzurite };

/** Starts Azurite's Table service on a free loopback port, keeping its files in `dir`. */
export function startLocalAzurite(dir: string): Promise<RunningAzurite> {
  return startAzurite({ dataDir: dir, startTimeoutMs: 30_000 });
}
