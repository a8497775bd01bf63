/**
 * A small Graph-shaped HTTP server on loopback for the gateway's tests: each test scripts what a path answers
 * (JSON bodies, statuses, Retry-After, a dropped connection, a response held back), and the server records
 * every request (method, path, query, headers, body) and the most requests it ever had in flight at once.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query, e.g. "/beta/deviceManagement/userPfxCertificates". */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

/** What one request gets. */
export type Reply =
  | {
      readonly status: number;
      readonly json?: unknown;
      readonly text?: string;
      readonly headers?: Record<string, string>;
      /** Held back this many ms before answering (to overlap requests). */
      readonly delayMs?: number;
    }
  /** The connection is dropped without an answer. */
  | { readonly drop: true }
  /** No answer at all until the client gives up. */
  | { readonly hang: true };

export type Handler = (request: RecordedRequest, server: GraphServer) => Reply;

export interface GraphServer {
  /** `http://127.0.0.1:PORT` — the gateway's base URL. */
  readonly base: string;
  readonly requests: RecordedRequest[];
  /** The most requests that were being answered at the same moment. */
  readonly maxInFlight: number;
  handle(handler: Handler): void;
  /** Starts counting maxInFlight afresh. */
  resetInFlight(): void;
  close(): Promise<void>;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Reply {
  return { status, json: body, headers };
}

export function graphError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Reply {
  return { status, json: { error: { code, message } }, headers };
}

export async function startGraphServer(): Promise<GraphServer> {
  let handler: Handler = () => graphError(404, "NotScripted", "no handler");
  let inFlight = 0;
  let maxInFlight = 0;
  const requests: RecordedRequest[] = [];
  const httpServer = http.createServer();
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const server: GraphServer = {
    base,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    handle: (h) => {
      handler = h;
    },
    resetInFlight: () => {
      maxInFlight = inFlight;
    },
    close: () =>
      new Promise<void>((done) => {
        httpServer.closeAllConnections();
        httpServer.close(() => done());
      }),
  };
  httpServer.on("request", async (req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    const text = await readText(req);
    const url = new URL(req.url ?? "/", base);
    const request: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(request);
    const reply = handler(request, server);
    if ("drop" in reply) return req.socket.destroy();
    if ("hang" in reply) return;
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    const payload = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? "");
    res.writeHead(reply.status, {
      ...(reply.json !== undefined ? { "content-type": "application/json" } : {}),
      ...reply.headers,
    });
    res.end(payload);
  });
  return server;
}

function readText(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** A fake clock whose sleeps are recorded and advance it at once: waits are asserted, never waited. */
export function fakeTime(start = Date.parse("2026-11-28T12:00:00Z")) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => new Date(now),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}
