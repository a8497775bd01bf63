import { beforeAll, describe, expect, it } from "vitest";
import { PermanentError, RetryableError } from "../../../shared/errors.ts";
import type { Handler, RoutedRequest } from "../../../shared/http/api.ts";
import { AppRoles } from "../../../shared/http/auth.ts";
import { json } from "../../../shared/http/responses.ts";
import { createRouter, describeRoute, type Route } from "../../../shared/http/router.ts";
import { InputError } from "../../../shared/usecases/input-error.ts";
import { capturingLogger, mint, request, type SigningKey, signingKey, verifierFor } from "./fixtures.ts";

let key: SigningKey;
let readerToken: string;
let adminToken: string;
beforeAll(async () => {
  key = await signingKey();
  readerToken = await mint(key, { roles: [AppRoles.reader] });
  adminToken = await mint(key, { roles: [AppRoles.admin] });
});

/** A route table whose handlers record what they were called with, or fail as told. */
function setup(failure?: unknown) {
  const calls: RoutedRequest[] = [];
  const handler: Handler = async (req) => {
    calls.push(req);
    if (failure !== undefined) throw failure;
    return json(200, { ok: true, params: req.params });
  };
  const routes: Route[] = [
    { name: "getHealth", method: "GET", path: "health", access: "anonymous", handle: handler },
    { name: "getStatus", method: "GET", path: "status", access: "reader", handle: handler },
    {
      name: "postCertificates",
      method: "POST",
      path: "certificates",
      access: "admin",
      bodyLimit: 1024,
      handle: handler,
    },
    { name: "getReadiness", method: "GET", path: "users/{upn}/readiness", access: "reader", handle: handler },
  ];
  const log = capturingLogger();
  let n = 0;
  const router = createRouter(routes, {
    verifier: verifierFor(key),
    logger: log.logger,
    newRequestId: () => `req-${++n}`,
  });
  return { router, calls, log };
}

const parse = (body: string) => JSON.parse(body) as { error?: { code: string; message: string } };

describe("routing", () => {
  const cases: {
    name: string;
    method: string;
    path: string;
    token?: "reader" | "admin";
    status: number;
    code?: string;
    params?: Record<string, string>;
    allow?: string;
  }[] = [
    { name: "anonymous route", method: "GET", path: "/api/health", status: 200 },
    { name: "unknown route", method: "GET", path: "/api/nothing", status: 404, code: "not_found" },
    { name: "outside /api", method: "GET", path: "/health", status: 404, code: "not_found" },
    { name: "the prefix alone", method: "GET", path: "/api", status: 404, code: "not_found" },
    { name: "prefix look-alike", method: "GET", path: "/apiary/health", status: 404, code: "not_found" },
    { name: "wrong method", method: "DELETE", path: "/api/status", status: 405, allow: "GET" },
    { name: "GET on a POST route", method: "GET", path: "/api/certificates", status: 405, allow: "POST" },
    { name: "upper-case path", method: "GET", path: "/API/Health", status: 200 },
    { name: "trailing slash", method: "GET", path: "/api/health/", status: 200 },
    { name: "extra segment", method: "GET", path: "/api/health/x", status: 404 },
    {
      name: "path parameter, decoded",
      method: "GET",
      path: "/api/users/alice%40contoso.com/readiness",
      token: "reader",
      status: 200,
      params: { upn: "alice@contoso.com" },
    },
    { name: "empty path parameter", method: "GET", path: "/api/users//readiness", status: 404 },
    { name: "undecodable path parameter", method: "GET", path: "/api/users/%E0%A4%A/readiness", status: 404 },
    { name: "wrong method checked before the token", method: "PUT", path: "/api/certificates", status: 405 },
  ];

  it.each(cases)("$name → $status", async ({ method, path, token, status, code, params, allow }) => {
    const { router } = setup();
    const headers: Record<string, string> = token
      ? { authorization: `Bearer ${token === "admin" ? adminToken : readerToken}` }
      : {};
    const response = await router.dispatch(request({ method, path, headers }));
    expect(response.status).toBe(status);
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(response.headers["x-request-id"]).toBe("req-1");
    const body = JSON.parse(response.body) as { error?: { code: string }; params?: object };
    if (status >= 400)
      expect(body.error?.code).toBe(code ?? (status === 405 ? "method_not_allowed" : "not_found"));
    if (params) expect(body.params).toEqual(params);
    if (allow) expect(response.headers["allow"]).toBe(allow);
  });
});

describe("authentication and roles, before the handler", () => {
  const cases: {
    name: string;
    method: string;
    path: string;
    token?: "reader" | "admin" | "bad";
    status: number;
  }[] = [
    { name: "reader route, no token", method: "GET", path: "/api/status", status: 401 },
    { name: "reader route, bad token", method: "GET", path: "/api/status", token: "bad", status: 401 },
    { name: "reader route, reader", method: "GET", path: "/api/status", token: "reader", status: 200 },
    { name: "reader route, admin", method: "GET", path: "/api/status", token: "admin", status: 200 },
    { name: "admin route, no token", method: "POST", path: "/api/certificates", status: 401 },
    { name: "admin route, reader", method: "POST", path: "/api/certificates", token: "reader", status: 403 },
    { name: "admin route, admin", method: "POST", path: "/api/certificates", token: "admin", status: 200 },
    {
      name: "anonymous route, bad token ignored",
      method: "GET",
      path: "/api/health",
      token: "bad",
      status: 200,
    },
  ];

  it.each(cases)("$name → $status", async ({ method, path, token, status }) => {
    const { router, calls, log } = setup();
    const value = token === "admin" ? adminToken : token === "reader" ? readerToken : "not.a.token";
    const headers: Record<string, string> = token ? { authorization: `Bearer ${value}` } : {};
    const body = method === "POST" ? "{}" : undefined;
    const response = await router.dispatch(request({ method, path, headers, body }));
    expect(response.status).toBe(status);
    expect(calls).toHaveLength(status === 200 ? 1 : 0);
    if (status === 401) expect(response.headers["www-authenticate"]).toMatch(/^Bearer /);
    if (status === 200 && token && token !== "bad") {
      expect(calls[0]?.principal?.name).toBe("ops@contoso.com");
      expect(calls[0]?.requestId).toBe("req-1");
    }
    // Tokens never reach a log line.
    if (token === "admin" || token === "reader") expect(log.text()).not.toContain(value.split(".")[1]);
  });
});

describe("declared body sizes, after the token and before the handler", () => {
  const cases: {
    name: string;
    method: string;
    path: string;
    size: number;
    token?: string;
    status: number;
  }[] = [
    { name: "a GET with a body", method: "GET", path: "/api/health", size: 10, status: 413 },
    { name: "a POST at its limit", method: "POST", path: "/api/certificates", size: 1024, status: 200 },
    { name: "a POST over its limit", method: "POST", path: "/api/certificates", size: 1025, status: 413 },
    {
      name: "over the limit without a token",
      method: "POST",
      path: "/api/certificates",
      size: 1e9,
      status: 401,
    },
  ];

  it.each(cases)("$name → $status", async ({ method, path, size, status }) => {
    const { router, calls } = setup();
    const headers: Record<string, string> = status === 401 ? {} : { authorization: `Bearer ${adminToken}` };
    const req = request({
      method,
      path,
      headers,
      body: new Uint8Array(Math.min(size, 2048)),
      declaredLength: size,
    });
    const response = await router.dispatch(req);
    expect(response.status).toBe(status);
    expect(calls).toHaveLength(status === 200 ? 1 : 0);
    if (status === 413) {
      expect(parse(response.body).error?.code).toBe("payload_too_large");
      expect(response.headers["connection"]).toBe("close");
    }
    expect(req.pulled()).toBe(0);
  });
});

describe("errors from handlers", () => {
  const cases: {
    name: string;
    thrown: unknown;
    status: number;
    code: string;
    message: string;
    headers?: Record<string, string>;
    logged?: string;
  }[] = [
    {
      name: "an unexpected error: 500 with a reference, details in the log only",
      thrown: new Error("database password=hunter2 rejected at row 7"),
      status: 500,
      code: "internal",
      message: "internal error; reference req-1",
      logged: "rejected at row 7",
    },
    {
      name: "a thrown non-error",
      thrown: "just a string",
      status: 500,
      code: "internal",
      message: "internal error; reference req-1",
    },
    {
      name: "a retryable failure: 503 with Retry-After",
      thrown: new RetryableError("table service throttled", 12_000),
      status: 503,
      code: "unavailable",
      message: "a dependency is busy or unavailable; try again shortly",
      headers: { "retry-after": "12" },
      logged: "table service throttled",
    },
    {
      name: "a use case's input error names the body field",
      thrown: new InputError("certificate", "neither PEM nor base64 DER"),
      status: 400,
      code: "invalid_request",
      message: "body.certificate: neither PEM nor base64 DER",
    },
    {
      name: "another permanent error",
      thrown: new PermanentError("unknown user"),
      status: 400,
      code: "invalid_request",
      message: "unknown user",
    },
  ];

  it.each(cases)("$name", async ({ thrown, status, code, message, headers, logged }) => {
    const { router, log } = setup(thrown);
    const response = await router.dispatch(request({ path: "/api/health" }));
    expect(response.status).toBe(status);
    expect(parse(response.body).error).toEqual({ code, message });
    for (const [name, value] of Object.entries(headers ?? {})) expect(response.headers[name]).toBe(value);
    if (logged) {
      expect(response.body).not.toContain(logged);
      expect(log.text()).toContain(logged);
      expect(log.text()).toContain('"requestId":"req-1"');
    }
    expect(log.text()).not.toContain("hunter2");
  });
});

it("describes each route with its role", () => {
  const { router } = setup();
  expect(router.routes.map(describeRoute)).toEqual([
    "GET /api/health (anonymous)",
    "GET /api/status (reader)",
    "POST /api/certificates (admin)",
    "GET /api/users/{upn}/readiness (reader)",
  ]);
});

it("uses the request id it is given (the Functions invocation id)", async () => {
  const { router } = setup();
  const response = await router.dispatch(request({ path: "/api/health" }), "invocation-42");
  expect(response.headers["x-request-id"]).toBe("invocation-42");
});
