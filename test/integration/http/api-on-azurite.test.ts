/**
 * The API end to end over real parts: node:http on loopback, the demo issuer's tokens, the real use cases
 * on Azurite tables and the in-process bus. Every refusal is checked to have stored and published nothing.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemoIssuer } from "../../../shared/http/demo-issuer.ts";
import { createApiServer } from "../../../shared/http/node-adapter.ts";
import { createRouter } from "../../../shared/http/router.ts";
import { apiRoutes } from "../../../shared/http/routes/index.ts";
import { queryStatus } from "../../../shared/usecases/query-status.ts";
import { registerCertificate } from "../../../shared/usecases/register-certificate.ts";
import type { Minted } from "../../support/pki.ts";
import { type Harness, harness, NOW } from "../usecases/harness.ts";

let h: Harness;
let data: string;
let server: Server;
let base: string;
let alice: Minted;
let bob: Minted;
const tokens = { reader: "", admin: "" };

beforeAll(async () => {
  h = await harness("httpapi");
  data = await mkdtemp(join(tmpdir(), "http-api-"));
  const issuer = await loadDemoIssuer(data);
  tokens.reader = await issuer.mint({ role: "reader", userPrincipalName: "ops@contoso.com", now: NOW });
  tokens.admin = await issuer.mint({ role: "admin", userPrincipalName: "admin@contoso.com", now: NOW });
  const routes = apiRoutes({
    registerCertificate: (input) => registerCertificate(h.deps, input),
    readStatus: () => queryStatus(h.deps),
    audit: h.deps.audit,
    users: h.deps.users,
    checks: { tables: async () => void (await h.deps.cursors.get("health")) },
    logger: h.logger,
  });
  server = createApiServer(createRouter(routes, { verifier: issuer.verifier(h.clock), logger: h.logger }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  alice = await h.pki.leaf({ email: "alice@contoso.com" });
  bob = await h.pki.leaf({ email: "bob@contoso.com" });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await h.close();
  await rm(data, { recursive: true, force: true });
});

async function call(
  method: string,
  path: string,
  as: keyof typeof tokens | undefined,
  body?: unknown,
): Promise<{
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const sha1 = (der: Uint8Array) => createHash("sha1").update(der).digest("hex").toUpperCase();
const base64 = (der: Uint8Array) => Buffer.from(der).toString("base64");

/** What the refusals must leave untouched. */
async function storedSoFar() {
  const users: string[] = [];
  for await (const u of h.stores.users.scan()) users.push(u.userPrincipalName);
  return { users, published: h.bus.published.length, audited: h.appended.length };
}

describe("POST /api/certificates refusals store nothing", () => {
  const cases: {
    name: string;
    as?: keyof typeof tokens;
    body: () => unknown;
    status: number;
    message: string;
  }[] = [
    {
      name: "no token",
      body: () => ({ userPrincipalName: "bob@contoso.com", certificate: bob.pem, purpose: "signing" }),
      status: 401,
      message: "a bearer token is required",
    },
    {
      name: "reader",
      as: "reader",
      body: () => ({ userPrincipalName: "bob@contoso.com", certificate: bob.pem, purpose: "signing" }),
      status: 403,
      message: "SmimeLifecycle.Admin",
    },
    {
      name: "text that is no certificate",
      as: "admin",
      body: () => ({ userPrincipalName: "bob@contoso.com", certificate: "hello", purpose: "signing" }),
      status: 400,
      message: "body.certificate: neither PEM nor base64 DER",
    },
    {
      name: "base64 of something else",
      as: "admin",
      body: () => ({
        userPrincipalName: "bob@contoso.com",
        certificate: "aGVsbG8gd29ybGQh",
        purpose: "signing",
      }),
      status: 400,
      message: "body.certificate:",
    },
    {
      name: "two certificates",
      as: "admin",
      body: () => ({
        userPrincipalName: "bob@contoso.com",
        certificate: bob.pem + alice.pem,
        purpose: "signing",
      }),
      status: 400,
      message: "body.certificate: holds 2 certificates",
    },
    {
      name: "missing purpose",
      as: "admin",
      body: () => ({ userPrincipalName: "bob@contoso.com", certificate: bob.pem }),
      status: 400,
      message: "body.purpose: required",
    },
    {
      name: "bad UPN",
      as: "admin",
      body: () => ({ userPrincipalName: "bob", certificate: bob.pem, purpose: "signing" }),
      status: 400,
      message: "body.userPrincipalName:",
    },
    {
      name: "over 256 KiB",
      as: "admin",
      body: () => ({
        userPrincipalName: "bob@contoso.com",
        certificate: bob.pem,
        purpose: "signing",
        padding: "x".repeat(300 * 1024),
      }),
      status: 413,
      message: "262144 bytes",
    },
  ];

  it.each(cases)("$name → $status", async ({ as, body, status, message }) => {
    const before = await storedSoFar();
    const answer = await call("POST", "/api/certificates", as, body());
    expect(answer.status).toBe(status);
    expect(answer.body.error?.message).toContain(message);
    expect(await storedSoFar()).toEqual(before);
    expect(before.users).not.toContain("bob@contoso.com");
  });
});

describe("registering, then reading it back", () => {
  it("202 with the certificate's thumbprint; a repeat (as base64 DER) is the same event", async () => {
    const first = await call("POST", "/api/certificates", "admin", {
      userPrincipalName: "alice@contoso.com",
      certificate: alice.pem,
      purpose: "both",
      smtp: "alice@contoso.com",
    });
    expect(first).toEqual({ status: 202, body: { thumbprint: sha1(alice.der) } });
    const again = await call("POST", "/api/certificates", "admin", {
      userPrincipalName: "alice@contoso.com",
      certificate: base64(alice.der),
      purpose: "both",
      smtp: "alice@contoso.com",
    });
    expect(again).toEqual(first);
    expect(await h.inProcessBus.depth("certificateEvents")).toMatchObject({ active: 1 });
  });

  it("GET events shows the discovery once, for the user by UPN", async () => {
    const answer = await call(
      "GET",
      "/api/events?user=alice@contoso.com&type=certificate.discovered",
      "reader",
    );
    expect(answer.status).toBe(200);
    const events = answer.body["events"] as { event: { type: string; subject: string } }[];
    expect(events.map((e) => [e.event.type, e.event.subject])).toEqual([
      ["certificate.discovered", sha1(alice.der)],
    ]);
  });

  it("GET users lists the new user, not yet judged", async () => {
    const answer = await call("GET", "/api/users?state=unknown", "reader");
    expect(answer.status).toBe(200);
    const users = answer.body["users"] as { userPrincipalName: string; state: string }[];
    expect(users).toEqual([
      expect.objectContaining({ userPrincipalName: "alice@contoso.com", state: "unknown" }),
    ]);
  });

  it("GET status answers the reader", async () => {
    const answer = await call("GET", "/api/status", "reader");
    expect(answer.status).toBe(200);
    expect(answer.body).toHaveProperty("certificates");
  });

  it("GET health needs no token and says which dependency is up", async () => {
    expect(await call("GET", "/api/health", undefined)).toEqual({
      status: 200,
      body: { status: "ok", checks: { tables: "ok" } },
    });
  });
});
