/**
 * `GET /api/health` (anonymous): liveness and the state of each dependency, for probes. It names the
 * dependencies and says "ok" or "failing", nothing more: no data, no error text, no versions, because
 * anyone may call it. Why a check fails goes to the log.
 */
import type { Logger } from "../../ports.ts";
import type { Handler } from "../api.ts";
import { json } from "../responses.ts";
import type { Route } from "../router.ts";

/** A probe waits this long for a dependency before calling it failing. */
export const HEALTH_CHECK_TIMEOUT_MS = 3_000;

export interface GetHealthDeps {
  /** One cheap check per dependency ("tables", "bus"): resolves when it answers, throws when it does not. */
  readonly checks: Readonly<Record<string, () => Promise<void>>>;
  readonly logger: Logger;
  readonly timeoutMs?: number;
}

export function getHealth(deps: GetHealthDeps): Handler {
  return async () => {
    const entries = await Promise.all(
      Object.entries(deps.checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), deps.timeoutMs ?? HEALTH_CHECK_TIMEOUT_MS);
          return [name, "ok"] as const;
        } catch (e) {
          deps.logger.warn("health check failing", { dependency: name, error: e });
          return [name, "failing"] as const;
        }
      }),
    );
    const healthy = entries.every(([, state]) => state === "ok");
    return json(healthy ? 200 : 503, {
      status: healthy ? "ok" : "degraded",
      checks: Object.fromEntries(entries),
    });
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const getHealthRoute = (deps: GetHealthDeps): Route => ({
  name: "getHealth",
  method: "GET",
  path: "health",
  access: "anonymous",
  handle: getHealth(deps),
});
