/**
 * node:http in front of the router, for the local host (`smimectl serve`): an IncomingMessage becomes an
 * ApiRequest whose body streams from the socket, and an ApiResponse is written back.
 *
 * Limits that protect the one process serving everything:
 * - the body is pulled only as the handler reads it, so a route's size limit stops it at the limit
 *   (readBytes in body.ts) instead of after buffering it all;
 * - the body must arrive within `bodyTimeoutMs` of the request's start, else 408: a client trickling
 *   bytes (or none) cannot hold a handler forever;
 * - a response sent before the body was read to its end (413, 401, 408) says `Connection: close`, and node
 *   closes the socket once the response is out, so the rest is never read.
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import type { ApiRequest, ApiResponse, RequestBody } from "./api.ts";
import { HttpError, invalidRequest, requestTimeout } from "./errors.ts";
import { errorResponse } from "./responses.ts";
import type { Router } from "./router.ts";

export interface NodeAdapterOptions {
  /** The whole body must arrive within this of the request's start. Default 30 s. */
  readonly bodyTimeoutMs?: number;
}

export interface ApiServerOptions extends NodeAdapterOptions {
  /** Node's own bound on headers and body together, a backstop behind `bodyTimeoutMs`. Default 60 s. */
  readonly requestTimeoutMs?: number;
  /** How long the headers may take. Default 10 s. */
  readonly headersTimeoutMs?: number;
}

const DEFAULT_BODY_TIMEOUT_MS = 30_000;

/** An HTTP server answering every request through `router`. The caller listens and closes it. */
export function createApiServer(router: Router, options: ApiServerOptions = {}): Server {
  const requestTimeout = options.requestTimeoutMs ?? 60_000;
  const headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout);
  return createServer(
    {
      requestTimeout,
      headersTimeout,
      // How often node looks for requests past those timeouts: a fraction of the smallest.
      connectionsCheckingInterval: Math.max(100, Math.min(headersTimeout, requestTimeout) / 4),
    },
    createNodeHandler(router, options),
  );
}

/** A node:http request listener that answers through `router`. */
export function createNodeHandler(router: Router, options: NodeAdapterOptions = {}): RequestListener {
  return (req, res) => {
    void serve(router, req, res, options);
  };
}

async function serve(router: Router, req: IncomingMessage, res: ServerResponse, options: NodeAdapterOptions) {
  const request = toApiRequest(req, options);
  const response =
    request === undefined
      ? errorResponse(invalidRequest("the request target is not a valid URL"))
      : await router.dispatch(request);
  writeApiResponse(req, res, response);
}

/** The ApiRequest view of `req`; undefined when its target cannot be parsed as a URL. */
export function toApiRequest(req: IncomingMessage, options: NodeAdapterOptions = {}): ApiRequest | undefined {
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://localhost");
  } catch {
    return undefined;
  }
  return {
    method: (req.method ?? "GET").toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    header(name) {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : value;
    },
    body: bodyOf(req, options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS),
  };
}

function bodyOf(req: IncomingMessage, timeoutMs: number): RequestBody {
  const declared = req.headers["content-length"];
  const startedAt = Date.now();
  return {
    declaredLength: declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined,
    chunks: () => readChunks(req, startedAt + timeoutMs),
  };
}

/**
 * The body's chunks until `deadline` (epoch ms). Stopping early leaves the rest unread: the underlying
 * iterator is deliberately not closed, because closing it would destroy the socket before the refusal
 * is written.
 */
async function* readChunks(req: IncomingMessage, deadline: number): AsyncGenerator<Uint8Array> {
  const iterator = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<"expired">((resolve) => {
    timer = setTimeout(() => resolve("expired"), Math.max(0, deadline - Date.now()));
  });
  try {
    while (true) {
      const next = await Promise.race([iterator.next(), expired]).catch((e: unknown) => {
        throw new HttpError(400, "invalid_request", "the request body was cut off", {}, { cause: e });
      });
      if (next === "expired") throw requestTimeout();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Writes `response`; a body left unread closes the connection. */
export function writeApiResponse(req: IncomingMessage, res: ServerResponse, response: ApiResponse): void {
  if (res.headersSent || res.destroyed) return;
  const unread = !req.complete;
  res.writeHead(response.status, {
    ...response.headers,
    ...(unread ? { connection: "close" } : {}),
    "content-length": Buffer.byteLength(response.body),
  });
  res.end(response.body);
}
