import { HttpRequest, InvocationContext } from "@azure/functions";
import { beforeAll, describe, expect, it } from "vitest";
import { AppRoles } from "../../../shared/http/auth.ts";
import {
  azureHttpHandler,
  azureRegistrations,
  fromAzureRequest,
} from "../../../shared/http/azure-adapter.ts";
import { createRouter, type Route } from "../../../shared/http/router.ts";
import { apiRoutes } from "../../../shared/http/routes/index.ts";
import { capturingLogger, memoryStores, mint, type SigningKey, signingKey, verifierFor } from "./fixtures.ts";

let key: SigningKey;
const tokens = { reader: "", admin: "" };
const registered: unknown[] = [];
let routes: Route[];

beforeAll(async () => {
  key = await signingKey();
  tokens.reader = await mint(key, { roles: [AppRoles.reader] });
  tokens.admin = await mint(key, { roles: [AppRoles.admin] });
  routes = apiRoutes({
    registerCertificate: async (input) => {
      registered.push(input);
      return { thumbprint: "0123456789ABCDEF0123456789ABCDEF01234567", userId: "u", eventId: "e" };
    },
    readStatus: async () => ({ certificates: { valid: 2 } }),
    ...memoryStores([], []),
    checks: {},
    logger: capturingLogger().logger,
  });
});

const handler = () =>
  azureHttpHandler(() =>
    createRouter(routes, { verifier: verifierFor(key), logger: capturingLogger().logger }),
  );

describe("the Functions door", () => {
  const cases: {
    name: string;
    method: string;
    url: string;
    as?: keyof typeof tokens;
    headers?: Record<string, string>;
    body?: { string?: string; bytes?: Uint8Array };
    status: number;
    code?: string;
  }[] = [
    { name: "health", method: "GET", url: "https://fn.example/api/health", status: 200 },
    {
      name: "status, reader",
      method: "GET",
      url: "https://fn.example/api/status",
      as: "reader",
      status: 200,
    },
    { name: "status, no token", method: "GET", url: "https://fn.example/api/status", status: 401 },
    {
      name: "events, bad limit",
      method: "GET",
      url: "https://fn.example/api/events?limit=5000",
      as: "reader",
      status: 400,
      code: "invalid_request",
    },
    {
      name: "register, reader",
      method: "POST",
      url: "https://fn.example/api/certificates",
      as: "reader",
      headers: { "content-type": "application/json" },
      body: { string: "{}" },
      status: 403,
    },
    {
      name: "register, missing field",
      method: "POST",
      url: "https://fn.example/api/certificates",
      as: "admin",
      headers: { "content-type": "application/json" },
      body: { string: JSON.stringify({ certificate: "MIIB", purpose: "signing" }) },
      status: 400,
      code: "invalid_request",
    },
    {
      name: "register, over the limit",
      method: "POST",
      url: "https://fn.example/api/certificates",
      as: "admin",
      headers: { "content-type": "application/json" },
      body: { bytes: new Uint8Array(300 * 1024).fill(0x20) },
      status: 413,
      code: "payload_too_large",
    },
    {
      name: "register",
      method: "POST",
      url: "https://fn.example/api/certificates",
      as: "admin",
      headers: { "content-type": "application/json" },
      body: {
        string: JSON.stringify({ userPrincipalName: "a@contoso.com", certificate: "MIIB", purpose: "both" }),
      },
      status: 202,
    },
    { name: "wrong method", method: "DELETE", url: "https://fn.example/api/users", status: 405 },
  ];

  it.each(cases)("$name → $status", async ({ method, url, as, headers, body, status, code }) => {
    const before = registered.length;
    const request = new HttpRequest({
      method,
      url,
      headers: { ...headers, ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}) },
      ...(body ? { body } : {}),
    });
    const response = await handler()(request, new InvocationContext({ invocationId: "inv-7" }));
    expect(response.status).toBe(status);
    const headersOut = response.headers as Record<string, string>;
    expect(headersOut["x-request-id"]).toBe("inv-7");
    expect(headersOut["content-type"]).toBe("application/json; charset=utf-8");
    const parsed = JSON.parse(String(response.body)) as { error?: { code: string } };
    if (code) expect(parsed.error?.code).toBe(code);
    expect(registered.length - before).toBe(status === 202 ? 1 : 0);
  });

  it("reads path, query and headers", () => {
    const request = fromAzureRequest(
      new HttpRequest({
        method: "get",
        url: "https://fn.example/api/events?type=certificate.revoked&limit=3",
        headers: { "X-Thing": "1" },
      }),
    );
    expect(request.method).toBe("GET");
    expect(request.path).toBe("/api/events");
    expect(request.query.get("limit")).toBe("3");
    expect(request.header("x-thing")).toBe("1");
    expect(request.header("absent")).toBeUndefined();
  });
});

it("registers each route path once, with every method, anonymous to the host (the router checks tokens)", () => {
  const registrations = azureRegistrations({ routes });
  expect(registrations.map((r) => [r.name, r.route])).toEqual([
    ["getHealth", "health"],
    ["getStatus", "status"],
    ["getEvents", "events"],
    ["getUsers", "users"],
    ["postCertificates", "certificates"],
    ["getDashboard", "dashboard"],
  ]);
  for (const r of registrations) {
    expect(r.authLevel).toBe("anonymous");
    expect(r.methods).toEqual(expect.arrayContaining(["GET", "POST", "DELETE"]));
  }
});

it("answers 500 in the API's shape when the router cannot be built, the reason in the log only", async () => {
  const logged: unknown[][] = [];
  const context = new InvocationContext({
    invocationId: "inv-9",
    logHandler: (_level, ...args) => logged.push(args),
  });
  const failing = azureHttpHandler(() => {
    throw new Error("AUTH_TENANT_ID: required for the HTTP API in Azure");
  });
  const response = await failing(
    new HttpRequest({ method: "GET", url: "https://fn.example/api/status" }),
    context,
  );
  expect(response.status).toBe(500);
  expect(JSON.parse(String(response.body))).toEqual({
    error: { code: "internal", message: "the API is not configured; reference inv-9" },
  });
  expect(JSON.stringify(logged.flat().map(String))).toContain("AUTH_TENANT_ID");
});
