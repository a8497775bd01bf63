/**
 * The local host's HTTP door on a real loopback server: the demo issuer's tokens, the route table, body
 * limits enforced while the body streams, and clients that send too much, too slowly, or give up.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoIssuer, loadDemoIssuer } from "../../../shared/http/demo-issuer.ts";
import { createApiServer } from "../../../shared/http/node-adapter.ts";
import { createRouter } from "../../../shared/http/router.ts";
import { apiRoutes } from "../../../shared/http/routes/index.ts";
import { POST_CERTIFICATES_BODY_LIMIT } from "../../../shared/http/routes/post-certificates.ts";
import type { Clock } from "../../../shared/ports.ts";
import { capturingLogger, memoryStores } from "../../unit/http/fixtures.ts";

const NOW = new Date("2026-11-28T12:00:00Z");
const clock: Clock = { now: () => NOW };
const MIB = 1024 * 1024;

let data: string;
let issuer: DemoIssuer;
let server: Server;
let port: number;
const registered: unknown[] = [];
const log = capturingLogger();
const tokens = { reader: "", admin: "" };

beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), "http-node-"));
  issuer = await loadDemoIssuer(data);
  tokens.reader = await issuer.mint({ role: "reader", userPrincipalName: "ops@contoso.com", now: NOW });
  tokens.admin = await issuer.mint({ role: "admin", userPrincipalName: "admin@contoso.com", now: NOW });
  const routes = apiRoutes({
    registerCertificate: async (input) => {
      registered.push(input);
      return { thumbprint: "0123456789ABCDEF0123456789ABCDEF01234567", userId: "u", eventId: "e" };
    },
    readStatus: async () => ({ certificates: { valid: 1 } }),
    ...memoryStores([], []),
    checks: { tables: async () => {} },
    logger: log.logger,
  });
  const router = createRouter(routes, { verifier: issuer.verifier(clock), logger: log.logger });
  server = createApiServer(router, { bodyTimeoutMs: 500 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(data, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}

function send(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        text += c;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

const bearer = (role: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[role]}` });
const jsonType = { "content-type": "application/json" };

describe("requests answered through the router", () => {
  const cases: {
    name: string;
    method: string;
    path: string;
    as?: keyof typeof tokens;
    headers?: Record<string, string>;
    body?: string;
    status: number;
    code?: string;
  }[] = [
    { name: "health, anonymous", method: "GET", path: "/api/health", status: 200 },
    {
      name: "status without a token",
      method: "GET",
      path: "/api/status",
      status: 401,
      code: "invalid_token",
    },
    { name: "status as reader", method: "GET", path: "/api/status", as: "reader", status: 200 },
    {
      name: "events with a bad limit",
      method: "GET",
      path: "/api/events?limit=0",
      as: "reader",
      status: 400,
      code: "invalid_request",
    },
    {
      name: "register as reader",
      method: "POST",
      path: "/api/certificates",
      as: "reader",
      headers: jsonType,
      body: "{}",
      status: 403,
      code: "forbidden",
    },
    {
      name: "register with bad JSON",
      method: "POST",
      path: "/api/certificates",
      as: "admin",
      headers: jsonType,
      body: "{",
      status: 400,
      code: "invalid_request",
    },
    {
      name: "register as text",
      method: "POST",
      path: "/api/certificates",
      as: "admin",
      headers: { "content-type": "text/plain" },
      body: "{}",
      status: 415,
      code: "unsupported_media_type",
    },
    {
      name: "register",
      method: "POST",
      path: "/api/certificates",
      as: "admin",
      headers: jsonType,
      body: JSON.stringify({
        userPrincipalName: "alice@contoso.com",
        certificate: "MIIB",
        purpose: "signing",
      }),
      status: 202,
    },
    { name: "unknown route", method: "GET", path: "/api/nothing?x=1", status: 404, code: "not_found" },
    { name: "wrong method", method: "PATCH", path: "/api/users", status: 405, code: "method_not_allowed" },
  ];

  it.each(cases)("$name → $status", async ({ method, path, as, headers, body, status, code }) => {
    const answer = await send(method, path, { ...headers, ...(as ? bearer(as) : {}) }, body);
    expect(answer.status).toBe(status);
    expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(answer.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    if (code) expect(answer.body.error?.code).toBe(code);
    if (status === 401) expect(answer.headers["www-authenticate"]).toMatch(/^Bearer /);
    if (status === 405) expect(answer.headers["allow"]).toBe("GET");
  });

  it("never logs a token", () => {
    expect(log.text()).not.toContain(tokens.admin.split(".")[1]);
    expect(log.text()).not.toContain(tokens.reader.split(".")[1]);
  });
});

describe("bodies over the limit", () => {
  it("a streamed (chunked) body is cut at the limit: 413 while the client is still sending", async () => {
    const total = 64 * MIB;
    const before = registered.length;
    const result = await new Promise<{ status: number; sentAtAnswer: number }>((resolve, reject) => {
      let sent = 0;
      const req = httpRequest({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/api/certificates",
        headers: { ...bearer("admin"), ...jsonType, "transfer-encoding": "chunked" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, sentAtAnswer: sent });
        req.destroy();
      });
      // Writes after the server closed the connection fail; the answer already came.
      req.on("error", (e) => (sent >= total ? reject(e) : undefined));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (sent < total && !req.destroyed) {
          sent += chunk.byteLength;
          if (!req.write(chunk)) {
            req.once("drain", pump);
            return;
          }
        }
        if (!req.destroyed) req.end();
      };
      pump();
    });
    expect(result.status).toBe(413);
    // The server stopped reading at 256 KiB; what the client got out is that plus the sockets' buffers.
    expect(result.sentAtAnswer).toBeGreaterThan(POST_CERTIFICATES_BODY_LIMIT);
    expect(result.sentAtAnswer).toBeLessThan(total / 2);
    expect(registered.length).toBe(before);
  });

  it("a declared Content-Length over the limit is refused before any body is sent", async () => {
    const answer = await rawExchange(
      `POST /api/certificates HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokens.admin}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${1024 * MIB}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('"code":"payload_too_large"');
  });

  it("a GET with a body is refused too", async () => {
    const answer = await rawExchange(
      `GET /api/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokens.reader}\r\nContent-Length: 5\r\n\r\nhello`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });
});

describe("clients that are slow or go away", () => {
  it("a body that stops arriving gets 408 instead of holding the handler", async () => {
    const answer = await rawExchange(
      `POST /api/certificates HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokens.admin}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"userPrincipalName":`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"code":"request_timeout"');
  });

  it("a client that hangs up mid-body leaves the server serving, with no internal error", async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write(
          `POST /api/certificates HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokens.admin}\r\n` +
            `Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"user`,
          () => setImmediate(() => socket.destroy()),
        );
      });
      socket.on("close", () => resolve());
    });
    const answer = await send("GET", "/api/health");
    expect(answer.status).toBe(200);
    expect(log.text()).not.toContain("http internal error");
  });
});

/** Writes `head` on a fresh connection and returns everything the server sends until it closes. */
function rawExchange(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = connect(port, "127.0.0.1", () => socket.write(head));
    socket.setEncoding("utf8");
    socket.on("data", (c: string) => {
      text += c;
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(text));
  });
}
