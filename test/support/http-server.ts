/**
 * A loopback HTTP server standing in for a CA's CRL and AIA endpoints in tests: it serves bytes, redirects,
 * and misbehaves on purpose (never answers, streams far more than any CRL). Certificates minted for a test
 * name its URLs in their distribution points, so the server is started before they are minted and the
 * routes are filled in after.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** What one path answers. */
export type Route =
  /** 200 with these bytes. */
  | { readonly body: Uint8Array; readonly contentType?: string }
  /** A 302 to this absolute or relative URL. */
  | { readonly redirect: string }
  /** Accepts the request and never answers (the socket stays open until the client gives up). */
  | { readonly hang: true }
  /** 200 streaming `bytes` zero bytes; with `declare`, a Content-Length that says so up front. */
  | { readonly stream: number; readonly declare?: boolean }
  /** Any other status, no body. */
  | { readonly status: number };

export interface LoopbackServer {
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  /** The absolute URL of a path on this server. */
  url(path: string): string;
  /** Sets (or replaces) what `path` answers. */
  route(path: string, route: Route): void;
  /** Paths requested so far, in order. */
  readonly requested: string[];
  /** Bytes written by streaming routes before they finished or the client went away. */
  streamed: number;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024);

/** Writes `total` zero bytes, honouring back-pressure, and stops as soon as the client hangs up. */
function streamZeros(res: http.ServerResponse, total: number, server: LoopbackServer): void {
  let left = total;
  const pump = (): void => {
    while (left > 0 && !res.destroyed) {
      const n = Math.min(left, CHUNK.length);
      left -= n;
      server.streamed += n;
      if (!res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
        res.once("drain", pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

function answer(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  route: Route | undefined,
  server: LoopbackServer,
) {
  if (!route) return res.writeHead(404).end();
  if ("body" in route) {
    return res
      .writeHead(200, {
        "content-type": route.contentType ?? "application/pkix-crl",
        "content-length": String(route.body.length),
      })
      .end(Buffer.from(route.body));
  }
  if ("redirect" in route) return res.writeHead(302, { location: route.redirect }).end();
  if ("status" in route) return res.writeHead(route.status).end();
  if ("hang" in route) return; // the socket is closed by the client's deadline or by close()
  res.writeHead(200, {
    "content-type": "application/pkix-crl",
    ...(route.declare ? { "content-length": String(route.stream) } : {}),
  });
  req.socket.on("error", () => {});
  streamZeros(res, route.stream, server);
}

/** Starts a server on 127.0.0.1 on a free port. */
export function startLoopbackServer(routes: Record<string, Route> = {}): Promise<LoopbackServer> {
  const table = new Map<string, Route>(Object.entries(routes));
  const requested: string[] = [];
  const httpServer = http.createServer();
  return new Promise((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(0, "127.0.0.1", () => {
      const base = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
      const server: LoopbackServer = {
        base,
        url: (path) => `${base}${path.startsWith("/") ? path : `/${path}`}`,
        route: (path, route) => void table.set(path, route),
        requested,
        streamed: 0,
        close: () =>
          new Promise<void>((done) => {
            httpServer.closeAllConnections();
            httpServer.close(() => done());
          }),
      };
      httpServer.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
        const path = new URL(req.url ?? "/", base).pathname;
        requested.push(path);
        answer(req, res, table.get(path), server);
      });
      resolve(server);
    });
  });
}
