/**
 * What the local host runs: every entry of functions/registry.ts, the list the Functions host registers,
 * sorted into three lists. Queue and timer entries run through their own handlers, so local mode executes
 * the same function code as Azure. HTTP entries are served by one router over the same route table
 * (functions/api.ts binds it), with the demo issuer's verifier instead of Entra's.
 */
import type { InvocationContext } from "@azure/functions";
import { apiDeps } from "../../functions/api.ts";
import { type FunctionEntry, functionRegistry } from "../../functions/registry.ts";
import type { JsonLogger } from "../adapters/logger.ts";
import type { Route } from "../http/router.ts";
import { apiRoutes } from "../http/routes/index.ts";
import type { Deps } from "../usecases/deps.ts";
import type { QueueJob } from "./consumers.ts";
import { createInvocationContext } from "./invocation.ts";
import type { TimerJob } from "./timers.ts";

export interface LocalFunctions {
  readonly routes: readonly Route[];
  readonly queues: readonly QueueJob[];
  readonly timers: readonly TimerJob[];
}

/**
 * Sorts the registry's entries for the host. Every HTTP entry must have its route in the table, or the
 * local host would silently not serve a function Azure serves.
 * @throws Error naming the HTTP functions that have no route
 */
export function localFunctions(
  deps: Deps,
  logger: JsonLogger,
  entries: readonly FunctionEntry[] = functionRegistry,
): LocalFunctions {
  const routes = apiRoutes(apiDeps(deps));
  const routed = new Set(routes.map((r) => r.name));
  const unrouted = entries.filter((e) => e.trigger === "http" && !routed.has(e.name)).map((e) => e.name);
  if (unrouted.length > 0) throw new Error(`local host: no route serves ${unrouted.join(", ")}`);
  const queues: QueueJob[] = [];
  const timers: TimerJob[] = [];
  for (const entry of entries) {
    if (entry.trigger === "queue")
      queues.push({
        name: entry.name,
        queue: entry.queue,
        concurrency: entry.concurrency,
        handler: async (body: unknown, context: InvocationContext) => entry.handler(body, context),
      });
    else if (entry.trigger === "timer")
      timers.push({
        name: entry.name,
        schedule: entry.options.schedule,
        ...(entry.requires && { requires: entry.requires }),
        run: async (timer) => {
          await entry.handler(timer, createInvocationContext({ functionName: entry.name, logger }));
        },
      });
  }
  return { routes, queues, timers };
}
