/**
 * The demo tenant's HTTP front: Graph's URL space under `/v1.0/` and `/beta/`, bearer authentication (any
 * token is accepted, a missing one is Graph's 401), throttling (429 with Retry-After for a deterministic
 * share of requests), JSON bodies in and out (a text/plain body, sendMail's MIME form, reaches its route as a
 * string), and OData error bodies for everything that goes wrong.
 * Under `/_demo/` (outside Graph, no token): export downloads, the outbox and the directory's certificates.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../ports.ts";
import { graphError, type Reply } from "./odata.ts";
import { intuneRoutes } from "./routes-intune.ts";
import { mailRoutes } from "./routes-mail.ts";
import { subscriptionRoutes } from "./routes-subscriptions.ts";
import { userRoutes } from "./routes-users.ts";
import { unit } from "./seeded.ts";
import type { Request, Route, World } from "./world.ts";

const ROUTES: readonly Route[] = [...userRoutes, ...mailRoutes, ...intuneRoutes, ...subscriptionRoutes];
/** Graph's limit on a request body. */
const MAX_BODY = 4 * 1024 * 1024;
const JSON_TYPE =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

export interface ThrottleOptions {
  /** Share of Graph requests answered 429, 0..1. */
  readonly rate: number;
  readonly retryAfterSeconds: number;
  readonly seed: string;
}

/** Extra routes outside Graph (`/_demo/...`), answered without a token; undefined for 404. */
export type AdminHandler = (request: {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}) => Promise<Reply | undefined>;

function write(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { "cache-control": "no-store", ...reply.headers };
  let payload: Buffer | undefined;
  if (Buffer.isBuffer(reply.body)) payload = reply.body;
  else if (typeof reply.body === "string") {
    payload = Buffer.from(reply.body);
    headers["content-type"] ??= "text/plain; charset=utf-8";
  } else if (reply.body !== undefined) {
    payload = Buffer.from(JSON.stringify(reply.body));
    headers["content-type"] ??= JSON_TYPE;
  }
  if (payload) headers["content-length"] = String(payload.length);
  res.writeHead(reply.status, headers);
  res.end(payload);
}

const TOO_LARGE = Symbol("request body too large");

async function readBody(req: IncomingMessage): Promise<Buffer | typeof TOO_LARGE> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return TOO_LARGE;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const INVALID = Symbol("invalid JSON");

/**
 * The request's JSON body; undefined when empty, INVALID when it is not JSON, TOO_LARGE past Graph's limit.
 * A text/plain body is returned as text: Graph takes sendMail's MIME form that way.
 */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  if (raw === TOO_LARGE) return TOO_LARGE;
  if (raw.length === 0) return undefined;
  if (/^text\/plain\b/i.test(req.headers["content-type"] ?? "")) return raw.toString("utf8");
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return INVALID;
  }
}

function match(method: string, path: string, version: "v1.0" | "beta") {
  let pathMatched = false;
  for (const route of ROUTES) {
    const m = route.path.exec(path);
    if (!m) continue;
    if (route.betaOnly && version !== "beta") continue;
    pathMatched = true;
    if (route.method === method) return { route, params: m.slice(1).map((p) => p ?? "") };
  }
  return pathMatched ? "method" : undefined;
}

export async function startServer(options: {
  readonly port: number;
  readonly host: string;
  readonly world: () => World;
  readonly throttle: ThrottleOptions;
  readonly admin: AdminHandler;
  readonly logger?: Logger;
}): Promise<{ readonly baseUrl: string; close(): Promise<void> }> {
  let requests = 0;
  let baseUrl = "";

  async function handle(req: IncomingMessage): Promise<Reply> {
    const world = options.world();
    const now = world.clock.now();
    const url = new URL(req.url ?? "/", baseUrl);
    const method = req.method ?? "GET";
    if (url.pathname.startsWith("/_demo/")) {
      const body = await readJson(req);
      if (body === INVALID || body === TOO_LARGE)
        return graphError(400, "BadRequest", "Unable to read JSON request payload.", now);
      const reply = await options.admin({ method, path: url.pathname, query: url.searchParams, body });
      return reply ?? graphError(404, "ResourceNotFound", `Nothing at ${method} ${url.pathname}.`, now);
    }
    const versioned = /^\/(v1\.0|beta)\/(.+)$/.exec(url.pathname);
    if (!versioned)
      return graphError(400, "BadRequest", `Invalid version: ${url.pathname.split("/")[1] ?? ""}`, now);
    const auth = req.headers.authorization ?? "";
    if (!/^Bearer\s+\S+/i.test(auth))
      return graphError(401, "InvalidAuthenticationToken", "Access token is empty.", now);
    requests += 1;
    if (
      options.throttle.rate > 0 &&
      unit(options.throttle.seed, "throttle", requests) < options.throttle.rate
    ) {
      const reply = graphError(
        429,
        "TooManyRequests",
        "Too many requests; please retry after the time given.",
        now,
      );
      return { ...reply, headers: { "retry-after": String(options.throttle.retryAfterSeconds) } };
    }
    const version = versioned[1] as "v1.0" | "beta";
    const path = versioned[2] ?? "";
    const found = match(method, path, version);
    if (found === undefined)
      return graphError(
        400,
        "BadRequest",
        `Resource not found for the segment '${path.split("/").pop()}'.`,
        now,
      );
    if (found === "method")
      return graphError(
        405,
        "Request_BadRequest",
        `The HTTP method '${method}' is not allowed on ${path}.`,
        now,
      );
    const body = await readJson(req);
    if (body === INVALID) return graphError(400, "BadRequest", "Unable to read JSON request payload.", now);
    if (body === TOO_LARGE)
      return graphError(413, "RequestEntityTooLarge", "The request body is larger than 4 MB.", now);
    const request: Request = { method, url, version, query: url.searchParams, body, now, baseUrl };
    return found.route.handle(world, request, found.params);
  }

  const server: Server = createServer((req, res) => {
    handle(req)
      .then((reply) => write(res, reply))
      .catch((error: unknown) => {
        options.logger?.error("demo tenant request failed", { url: req.url, error });
        if (!res.headersSent)
          write(
            res,
            graphError(500, "InternalServerError", "The demo tenant failed; see its log.", new Date()),
          );
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
  return {
    baseUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
