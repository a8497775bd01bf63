/**
 * Graceful shutdown of the local host: the first SIGINT or SIGTERM stops intake and lets work in flight
 * finish, then the process exits 0; a second signal exits at once (someone is in a hurry, or the drain
 * hangs). A failed drain exits 1 with the reason logged.
 */
import type { Logger } from "../ports.ts";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
/** Exit status of a process ended by a signal, as shells report it. */
const SIGNAL_STATUS: Record<(typeof SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143 };

export interface ShutdownOptions {
  readonly logger: Logger;
  /** Default `process.exit`. */
  readonly exit?: (code: number) => void;
}

/** Installs the signal handlers; returns a function that removes them. */
export function onShutdownSignals(drain: () => Promise<void>, options: ShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let draining = false;
  const handler = (signal: (typeof SIGNALS)[number]) => {
    if (draining) {
      options.logger.warn("second signal: exiting without waiting", { signal });
      exit(SIGNAL_STATUS[signal]);
      return;
    }
    draining = true;
    options.logger.info("stopping: no new work taken, finishing work in flight", { signal });
    drain().then(
      () => {
        options.logger.info("stopped");
        exit(0);
      },
      (error: unknown) => {
        options.logger.error("shutdown failed", { error });
        exit(1);
      },
    );
  };
  for (const s of SIGNALS) process.on(s, handler);
  return () => {
    for (const s of SIGNALS) process.off(s, handler);
  };
}
