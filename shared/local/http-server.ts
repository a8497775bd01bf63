/**
 * The local host's HTTP server: the API through the HTTP layer's node adapter and router (the same routes,
 * auth and limits as in Azure), plus the demo CA's CRLs and certificates under `/demo-ca/`, which the
 * demo certificates name as their distribution points.
 *
 * It listens before the pipeline is ready (the demo CA needs the real port for its URLs), answering 503
 * until `ready` hands it the router.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeHandler } from "../http/node-adapter.ts";
import type { Router } from "../http/router.ts";
import type { Clock, Logger } from "../ports.ts";
import type { DemoCa } from "./demo-ca.ts";
import { newTraceparent } from "./invocation.ts";

export interface LocalHttpServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Starts answering API requests with `router`, and demo CA requests with `demoCa`. */
  ready(router: Router, demoCa: DemoCa | undefined): void;
  /** Stops accepting connections and waits for requests in flight (closing idle keep-alive connections). */
  stop(): Promise<void>;
}

/** How long `stop` waits for requests in flight before cutting their connections. */
const DRAIN_MS = 10_000;

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}

async function serveDemoCa(
  req: IncomingMessage,
  res: ServerResponse,
  ca: DemoCa | undefined,
  clock: Clock,
  baseUrl: string,
) {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (!ca || req.method !== "GET") return send(res, 404, "text/plain", "not found\n");
  if (path === "/demo-ca/root.pem") return send(res, 200, "application/x-pem-file", ca.rootPem);
  if (path === "/demo-ca/issuing.pem") return send(res, 200, "application/x-pem-file", ca.issuingPem);
  // A CRL is looked up by the URL the CA wrote into its certificates, whatever port serves it now.
  const url = path.endsWith("/issuing.crl")
    ? ca.crlUrls.issuing
    : path.endsWith("/root.crl")
      ? ca.crlUrls.root
      : undefined;
  const der = url ? await ca.crl(url, clock.now()) : undefined;
  if (!der) return send(res, 404, "text/plain", `not found; try ${baseUrl}/demo-ca/issuing.crl\n`);
  return send(res, 200, "application/pkix-crl", der);
}

/** Listens on `host:port` (port 0 picks a free one). */
export async function startHttpServer(options: {
  readonly port: number;
  readonly host?: string;
  readonly clock: Clock;
  readonly logger: Logger;
}): Promise<LocalHttpServer> {
  let api: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let demoCa: DemoCa | undefined;
  let baseUrl = "";
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith("/demo-ca/")) {
      serveDemoCa(req, res, demoCa, options.clock, baseUrl).catch((error: unknown) => {
        options.logger.error("demo CA request failed", { error });
        if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
      });
      return;
    }
    if (!api) {
      res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
      res.end(JSON.stringify({ error: { code: "unavailable", message: "the host is starting" } }));
      return;
    }
    // The Functions host starts a trace for every request that does not carry one; so does this host, so
    // that an event published by the request and the queue invocations it causes share one trace id.
    if (req.headers.traceparent === undefined) req.headers.traceparent = newTraceparent();
    api(req, res);
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url: baseUrl,
    port,
    ready(router, ca) {
      api = createNodeHandler(router);
      demoCa = ca;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return stopping;
    },
  };
}
