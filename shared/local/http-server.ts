/**
 * The local host's HTTP server: the API through the HTTP layer's node adapter and router (the same routes,
 * auth and limits as in Azure), plus the demo CA's CRLs and certificates under `/demo-ca/`, which the
 * demo certificates name as their distribution points, and, with `--demo`, the demo tenant's hooks under
 * `/demo-tenant/`: its subscriptions (one there means Graph's validation handshake against this host's
 * webhook succeeded), the notifications it posted, the certificates device syncs installed, and a change to a
 * demo user (what an admin would do in Entra ID), which the tenant then announces to the webhook. Under
 * `/admin/functions/{name}`, a timer function run by hand (manual-run.ts). Loopback and local mode only.
 *
 * It listens before the pipeline is ready (the demo CA needs the real port for its URLs), answering 503
 * until `ready` hands it the router.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { createNodeHandler } from "../http/node-adapter.ts";
import type { Router } from "../http/router.ts";
import type { Clock, Logger } from "../ports.ts";
import type { DemoCa } from "./demo-ca.ts";
import type { DemoTenant } from "./demo-tenant/index.ts";
import type { ManualRunHandler } from "./manual-run.ts";

export interface LocalHttpServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Starts answering API requests with `router`, demo CA requests with `demoCa`, demo tenant ones with `tenant`. */
  ready(router: Router, demoCa: DemoCa | undefined, tenant?: DemoTenant): void;
  /** Starts answering `/admin/` (a timer function run by hand, manual-run.ts) with `handler`. */
  adminReady(handler: ManualRunHandler): void;
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

/** A change to a demo user, as the tenant takes it (demo-tenant/dataset.ts `UserChange`). */
const UserChangeBody = z.strictObject({
  primarySmtp: z.email().optional(),
  accountEnabled: z.boolean().optional(),
  deleted: z.literal(true).optional(),
  removeCertificates: z.literal(true).optional(),
});
const DEMO_BODY_LIMIT = 16 * 1024;

async function readSmallJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > DEMO_BODY_LIMIT) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
}

const sendJson = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, "application/json", JSON.stringify(body));

async function serveDemoTenant(req: IncomingMessage, res: ServerResponse, tenant: DemoTenant | undefined) {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (!tenant) return send(res, 404, "text/plain", "no demo tenant (start with --demo)\n");
  if (req.method === "GET" && path === "/demo-tenant/subscriptions")
    // The clientState stays out: it is the webhook's secret.
    return sendJson(res, 200, {
      value: tenant.subscriptions().map(({ clientState: _secret, ...rest }) => rest),
    });
  if (req.method === "GET" && path === "/demo-tenant/installed")
    return sendJson(res, 200, {
      value: tenant.installed().map(({ der: _bytes, items: _graph, ...rest }) => rest),
    });
  if (req.method === "GET" && path === "/demo-tenant/deliveries")
    return sendJson(res, 200, {
      value: tenant
        .deliveries()
        .map((d) => ({ subscriptionId: d.subscriptionId, kind: d.kind, url: d.url, status: d.status })),
    });
  const user = /^\/demo-tenant\/users\/([^/]+)$/.exec(path)?.[1];
  if (req.method === "POST" && user) {
    const change = UserChangeBody.safeParse(await readSmallJson(req).catch(() => undefined));
    if (!change.success)
      return sendJson(res, 400, {
        error: { code: "invalid_request", message: z.prettifyError(change.error) },
      });
    const idOrUpn = decodeURIComponent(user);
    try {
      const deliveries = await tenant.changeUser(idOrUpn, change.data);
      return sendJson(res, 200, {
        value: deliveries.map((d) => ({ kind: d.kind, url: d.url, status: d.status })),
      });
    } catch (e) {
      return sendJson(res, 404, { error: { code: "not_found", message: (e as Error).message } });
    }
  }
  return send(res, 404, "text/plain", "not found\n");
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
  let demoTenant: DemoTenant | undefined;
  let admin: ManualRunHandler | undefined;
  let baseUrl = "";
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith("/admin/")) {
      if (!admin) return send(res, 503, "text/plain", "the host is starting\n");
      admin(req, res).catch((error: unknown) => {
        options.logger.error("admin request failed", { error });
        if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
      });
      return;
    }
    if (req.url?.startsWith("/demo-tenant/")) {
      serveDemoTenant(req, res, demoTenant).catch((error: unknown) => {
        options.logger.error("demo tenant request failed", { error });
        if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
      });
      return;
    }
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
    ready(router, ca, tenant) {
      api = createNodeHandler(router);
      demoCa = ca;
      demoTenant = tenant;
    },
    adminReady(handler) {
      admin = handler;
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
