/**
 * `POST /admin/functions/{name}` on the local host: runs a timer function now, as the Functions host (and
 * Core Tools) lets one run a non-HTTP function by hand — there with the master key, here with an admin token
 * from the demo issuer (`smimectl token --role admin`). Answers 202 as the run starts; the run's effects show
 * in the API (e.g. `GET status` lastRuns). What an admin uses to see a change in Intune now instead of at
 * the next half hour, and what the end-to-end tests use instead of waiting for a schedule.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { hasRole, type TokenVerifier } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import type { Logger } from "../ports.ts";
import type { RunningTimers } from "./timers.ts";

const PATH = /^\/admin\/functions\/([A-Za-z][A-Za-z0-9]*)$/;

export type ManualRunHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "cache-control": "no-store",
    ...(text ? { "content-type": "application/json" } : {}),
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

const failure = (code: string, message: string) => ({ error: { code, message } });

/** The handler for requests under `/admin/`. */
export function manualRunHandler(options: {
  readonly verifier: TokenVerifier;
  readonly timers: Pick<RunningTimers, "runNow">;
  readonly logger: Logger;
}): ManualRunHandler {
  return async (req, res) => {
    req.resume(); // the body (Core Tools takes `{"input": ""}`) says nothing a timer needs
    const name = PATH.exec(new URL(req.url ?? "/", "http://localhost").pathname)?.[1];
    if (!name) return reply(res, 404, failure("not_found", "no such admin route"));
    if (req.method !== "POST")
      return reply(res, 405, failure("method_not_allowed", "use POST"), { allow: "POST" });
    try {
      const principal = await options.verifier.verify(req.headers.authorization);
      if (!hasRole(principal, "admin"))
        return reply(
          res,
          403,
          failure("forbidden", "running a function needs the SmimeLifecycle.Admin app role"),
        );
      const run = options.timers.runNow(name);
      if (run === false) return reply(res, 404, failure("not_found", `no timer function ${name} runs here`));
      options.logger.info("function run by hand", { functionName: name, by: principal.name });
      void run.catch(() => undefined); // the timers report a failed run themselves
      return reply(res, 202, undefined);
    } catch (e) {
      if (e instanceof HttpError) return reply(res, e.status, failure(e.code, e.message), { ...e.headers });
      throw e;
    }
  };
}
