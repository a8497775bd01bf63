import { beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord, UserRecord } from "../../../shared/contracts/rows.ts";
import { AppRoles } from "../../../shared/http/auth.ts";
import { createRouter } from "../../../shared/http/router.ts";
import { getHealthRoute } from "../../../shared/http/routes/get-health.ts";
import { type ApiDeps, apiRoutes } from "../../../shared/http/routes/index.ts";
import { POST_CERTIFICATES_BODY_LIMIT } from "../../../shared/http/routes/post-certificates.ts";
import type { RegisterCertificateInput } from "../../../shared/usecases/register-certificate.ts";
import {
  capturingLogger,
  memoryStores,
  mint,
  NOW,
  type RequestOptions,
  request,
  type SigningKey,
  signingKey,
  verifierFor,
} from "./fixtures.ts";
import { describeRouteGuards, type GuardedRoute } from "./route-guards.ts";

const THUMBPRINT = "0123456789ABCDEF0123456789ABCDEF01234567";
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

const user = (upn: string, fields: Partial<UserRecord> = {}): UserRecord => ({
  userId: `id-${upn}`,
  userPrincipalName: upn,
  accountEnabled: true,
  deleted: false,
  reasons: [],
  updatedAt: NOW.toISOString(),
  ...fields,
});

const USERS: UserRecord[] = [
  user("ready@contoso.com", { signingReady: true, encryptionReady: true }),
  user("half@contoso.com", { signingReady: true, encryptionReady: false, reasons: ["KEY_USAGE_ENCRYPTION"] }),
  user("new@contoso.com"),
  user("gone@contoso.com", { deleted: true, signingReady: true, encryptionReady: true }),
  user("also-ready@contoso.com", { signingReady: true, encryptionReady: true }),
];

const AUDIT: AuditRecord[] = [
  {
    recordedAt: NOW.toISOString(),
    event: {
      specversion: "1.0",
      id: "e1",
      source: "/smime-lifecycle/test",
      type: "certificate.expired",
      time: NOW.toISOString(),
      datacontenttype: "application/json",
      data: {},
    },
  },
];

/** The route table over recording use cases: what each was asked, so a refusal can prove nothing ran. */
function setup() {
  const stores = memoryStores(USERS, AUDIT);
  const calls = {
    registerCertificate: [] as RegisterCertificateInput[],
    readStatus: 0,
    auditList: stores.reads.audit,
    get usersRead() {
      return stores.reads.users;
    },
  };
  const deps: ApiDeps = {
    registerCertificate: async (input) => {
      calls.registerCertificate.push(input);
      return { thumbprint: THUMBPRINT, userId: "u1", eventId: "ev1" };
    },
    readStatus: async () => {
      calls.readStatus++;
      return { certificates: { valid: 3 } };
    },
    audit: stores.audit,
    users: stores.users,
    checks: { tables: async () => {} },
    logger: capturingLogger().logger,
  };
  const router = createRouter(apiRoutes(deps), {
    verifier: verifierFor(key),
    logger: capturingLogger().logger,
  });
  const touched = () =>
    calls.registerCertificate.length + calls.readStatus + calls.auditList.length + calls.usersRead;
  return { router, calls, touched };
}

let key: SigningKey;
const tokens: Record<"reader" | "admin" | "none", string> = { reader: "", admin: "", none: "" };
beforeAll(async () => {
  key = await signingKey();
  tokens.reader = await mint(key, { roles: [AppRoles.reader] });
  tokens.admin = await mint(key, { roles: [AppRoles.admin] });
  tokens.none = await mint(key, { roles: [] });
});

type As = keyof typeof tokens | "anonymous";

async function call(as: As, options: RequestOptions) {
  const { router, calls, touched } = setup();
  const headers = {
    ...options.headers,
    ...(as === "anonymous" ? {} : { authorization: `Bearer ${tokens[as]}` }),
  };
  const response = await router.dispatch(request({ ...options, headers }));
  const body = JSON.parse(response.body) as Record<string, unknown> & {
    error?: { code: string; message: string };
  };
  return { response, body, calls, touched };
}

const certificateBody = (fields: Record<string, unknown> = {}) => ({
  method: "POST",
  path: "/api/certificates",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    userPrincipalName: "alice@contoso.com",
    certificate: PEM,
    purpose: "signing",
    ...fields,
  }),
});

/** One table for every route: each guarded route refuses no token, a token without the role, bad input and big bodies. */
const ROUTES: GuardedRoute[] = [
  {
    route: "POST certificates",
    ok: certificateBody(),
    role: "admin",
    lacking: "reader",
    limit: POST_CERTIFICATES_BODY_LIMIT,
  },
  { route: "GET status", ok: { path: "/api/status" }, role: "reader", lacking: "none", limit: 0 },
  { route: "GET events", ok: { path: "/api/events" }, role: "reader", lacking: "none", limit: 0 },
  { route: "GET users", ok: { path: "/api/users" }, role: "reader", lacking: "none", limit: 0 },
];

describeRouteGuards(ROUTES, call);

describe("POST certificates: bad input → 400 naming the field, the use case never called", () => {
  const cases: { name: string; request: RequestOptions; status: number; message: string }[] = [
    {
      name: "no userPrincipalName",
      request: certificateBody({ userPrincipalName: undefined }),
      status: 400,
      message: "body.userPrincipalName: required",
    },
    {
      name: "userPrincipalName not a UPN",
      request: certificateBody({ userPrincipalName: "alice" }),
      status: 400,
      message: "body.userPrincipalName: a user principal name: user@domain",
    },
    {
      name: "no certificate",
      request: certificateBody({ certificate: undefined }),
      status: 400,
      message: "body.certificate: required",
    },
    {
      name: "certificate not a string",
      request: certificateBody({ certificate: 42 }),
      status: 400,
      message: "body.certificate: must be a string",
    },
    {
      name: "bad purpose",
      request: certificateBody({ purpose: "signature" }),
      status: 400,
      message: "body.purpose: must be one of signing, encryption, both",
    },
    {
      name: "bad smtp",
      request: certificateBody({ smtp: "not an address" }),
      status: 400,
      message: "body.smtp:",
    },
    {
      name: "unknown field",
      request: certificateBody({ stmp: "alice@contoso.com" }),
      status: 400,
      message: 'body: unknown field "stmp"',
    },
    {
      name: "not JSON",
      request: { ...certificateBody(), body: "userPrincipalName=alice" },
      status: 400,
      message: "body: not valid JSON",
    },
    {
      name: "an array",
      request: { ...certificateBody(), body: "[]" },
      status: 400,
      message: "body: must be an object",
    },
    {
      name: "a PEM body instead of JSON",
      request: { ...certificateBody(), headers: { "content-type": "application/x-pem-file" }, body: PEM },
      status: 415,
      message: "content-type must be application/json",
    },
  ];

  it.each(cases)("$name → $status", async ({ request, status, message }) => {
    const { response, body, calls } = await call("admin", request);
    expect(response.status).toBe(status);
    expect(body.error?.code).toBe(status === 415 ? "unsupported_media_type" : "invalid_request");
    expect(body.error?.message).toContain(message);
    expect(calls.registerCertificate).toHaveLength(0);
  });

  it("an over-limit body streamed without a length → 413, read no further than the limit", async () => {
    const { router, calls } = setup();
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const req = request({
      ...certificateBody(),
      headers: { "content-type": "application/json", authorization: `Bearer ${tokens.admin}` },
      body: Array.from({ length: 64 }, () => chunk),
      declaredLength: null,
    });
    const response = await router.dispatch(req);
    expect(response.status).toBe(413);
    expect(req.pulled()).toBeLessThanOrEqual(POST_CERTIFICATES_BODY_LIMIT + chunk.byteLength);
    expect(calls.registerCertificate).toHaveLength(0);
  });

  it("registers: 202 with the thumbprint, the caller and trace context passed on", async () => {
    const { response, body, calls } = await call("admin", {
      ...certificateBody({ smtp: "alice@contoso.com", purpose: "both" }),
      headers: {
        "content-type": "application/json; charset=utf-8",
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      },
    });
    expect(response.status).toBe(202);
    expect(body).toEqual({ thumbprint: THUMBPRINT });
    expect(calls.registerCertificate).toEqual([
      {
        userPrincipalName: "alice@contoso.com",
        certificate: PEM,
        purpose: "both",
        smtp: "alice@contoso.com",
        requestedBy: "ops@contoso.com",
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      },
    ]);
  });
});

describe("GET events", () => {
  const cases: { name: string; query: string; status: number; message?: string; asked?: object }[] = [
    { name: "defaults", query: "", status: 200, asked: { limit: 100 } },
    {
      name: "type and limit",
      query: "type=certificate.revoked&limit=5",
      status: 200,
      asked: { type: "certificate.revoked", limit: 5 },
    },
    {
      name: "user by object id",
      query: "user=abc-123",
      status: 200,
      asked: { userId: "abc-123", limit: 100 },
    },
    {
      name: "user by UPN",
      query: "user=half@contoso.com",
      status: 200,
      asked: { userId: "id-half@contoso.com", limit: 100 },
    },
    { name: "limit 1000", query: "limit=1000", status: 200, asked: { limit: 1000 } },
    {
      name: "limit 0",
      query: "limit=0",
      status: 400,
      message: "query.limit: must be a whole number from 1 to 1000",
    },
    {
      name: "limit 1001",
      query: "limit=1001",
      status: 400,
      message: "query.limit: must be a whole number from 1 to 1000",
    },
    { name: "limit words", query: "limit=all", status: 400, message: "query.limit:" },
    {
      name: "unknown type",
      query: "type=certificate.exploded",
      status: 400,
      message: "query.type: must be one of",
    },
    { name: "empty user", query: "user=", status: 400, message: "query.user: must not be empty" },
    {
      name: "unknown parameter",
      query: "since=2026-01-01",
      status: 400,
      message: 'query: unknown parameter "since"',
    },
  ];

  it.each(cases)("$name → $status", async ({ query, status, message, asked }) => {
    const { response, body, calls } = await call("reader", { path: "/api/events", query });
    expect(response.status).toBe(status);
    if (status === 200) {
      expect(calls.auditList).toEqual([asked]);
      expect(body).toEqual({ events: AUDIT });
    } else {
      expect(body.error).toMatchObject({ code: "invalid_request" });
      expect(body.error?.message).toContain(message);
      expect(calls.auditList).toHaveLength(0);
    }
  });

  it("a UPN nobody knows has no events (not everyone's)", async () => {
    const { response, body, calls } = await call("reader", {
      path: "/api/events",
      query: "user=nobody@contoso.com",
    });
    expect(response.status).toBe(200);
    expect(body).toEqual({ events: [] });
    expect(calls.auditList).toHaveLength(0);
  });
});

describe("GET users", () => {
  const cases: { name: string; query: string; status: number; upns?: string[]; message?: string }[] = [
    {
      name: "all but the deleted",
      query: "",
      status: 200,
      upns: ["also-ready@contoso.com", "half@contoso.com", "new@contoso.com", "ready@contoso.com"],
    },
    {
      name: "ready",
      query: "state=ready",
      status: 200,
      upns: ["also-ready@contoso.com", "ready@contoso.com"],
    },
    { name: "ready, limit 1", query: "state=ready&limit=1", status: 200, upns: ["also-ready@contoso.com"] },
    { name: "notReady", query: "state=notReady", status: 200, upns: ["half@contoso.com"] },
    { name: "unknown", query: "state=unknown", status: 200, upns: ["new@contoso.com"] },
    {
      name: "bad state",
      query: "state=broken",
      status: 400,
      message: "query.state: must be one of ready, notReady, unknown",
    },
    {
      name: "limit 0",
      query: "limit=0",
      status: 400,
      message: "query.limit: must be a whole number from 1 to 1000",
    },
    { name: "limit 5000", query: "limit=5000", status: 400, message: "query.limit:" },
  ];

  it.each(cases)("$name → $status", async ({ query, status, upns, message }) => {
    const { response, body, calls } = await call("reader", { path: "/api/users", query });
    expect(response.status).toBe(status);
    if (status === 200) {
      const users = body["users"] as { userPrincipalName: string; state: string }[];
      expect(users.map((u) => u.userPrincipalName)).toEqual(upns);
    } else {
      expect(body.error?.message).toContain(message);
      expect(calls.usersRead).toBe(0);
    }
  });

  it("summarises readiness with the reasons", async () => {
    const { body } = await call("reader", { path: "/api/users", query: "state=notReady" });
    expect(body["users"]).toEqual([
      {
        userId: "id-half@contoso.com",
        userPrincipalName: "half@contoso.com",
        state: "notReady",
        signingReady: true,
        encryptionReady: false,
        reasons: ["KEY_USAGE_ENCRYPTION"],
        updatedAt: NOW.toISOString(),
      },
    ]);
  });
});

describe("GET status", () => {
  it("sends the status use case's report", async () => {
    const { response, body } = await call("reader", { path: "/api/status" });
    expect(response.status).toBe(200);
    expect(body).toEqual({ certificates: { valid: 3 } });
  });

  it("refuses parameters it does not take", async () => {
    const { response, body, calls } = await call("reader", { path: "/api/status", query: "verbose=1" });
    expect(response.status).toBe(400);
    expect(body.error?.message).toBe('query: unknown parameter "verbose"');
    expect(calls.readStatus).toBe(0);
  });
});

describe("GET health", () => {
  const cases: {
    name: string;
    checks: Record<string, () => Promise<void>>;
    status: number;
    body: object;
  }[] = [
    { name: "no dependencies", checks: {}, status: 200, body: { status: "ok", checks: {} } },
    {
      name: "all answer",
      checks: { tables: async () => {}, bus: async () => {} },
      status: 200,
      body: { status: "ok", checks: { tables: "ok", bus: "ok" } },
    },
    {
      name: "one fails",
      checks: {
        tables: async () => {},
        bus: async () => {
          throw new Error("amqp://sb.example: 401 SharedAccessKey=abc rejected");
        },
      },
      status: 503,
      body: { status: "degraded", checks: { tables: "ok", bus: "failing" } },
    },
    {
      name: "one never answers",
      checks: { tables: () => new Promise<void>(() => {}) },
      status: 503,
      body: { status: "degraded", checks: { tables: "failing" } },
    },
  ];

  it.each(cases)("$name → $status, no details", async ({ checks, status, body }) => {
    const log = capturingLogger();
    const router = createRouter([getHealthRoute({ checks, logger: log.logger, timeoutMs: 50 })], {
      verifier: verifierFor(key),
      logger: log.logger,
    });
    const response = await router.dispatch(request({ path: "/api/health" }));
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual(body);
    if (status === 503) expect(log.text()).toContain("health check failing");
    expect(log.text()).not.toContain("abc rejected");
  });
});
