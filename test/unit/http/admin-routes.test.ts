/**
 * The admin API's routes (admin/reprovision, admin/operations/{id}, users/{upn}/readiness,
 * certificates/validate) over recording use cases: who may call each, what each refuses before a use case
 * runs, and what each answers.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { OperationRecord } from "../../../shared/contracts/rows.ts";
import type { UserReadiness } from "../../../shared/domain/readiness.ts";
import { AppRoles } from "../../../shared/http/auth.ts";
import { createRouter } from "../../../shared/http/router.ts";
import { adminOperationsRoute } from "../../../shared/http/routes/admin-operations.ts";
import {
  ADMIN_REPROVISION_BODY_LIMIT,
  adminReprovisionRoute,
} from "../../../shared/http/routes/admin-reprovision.ts";
import {
  CERTIFICATES_VALIDATE_BODY_LIMIT,
  certificatesValidateRoute,
} from "../../../shared/http/routes/certificates-validate.ts";
import { userReadinessRoute } from "../../../shared/http/routes/user-readiness.ts";
import type { RequestReprovisionInput } from "../../../shared/usecases/reprovision.ts";
import type { ValidateUploadBody } from "../../../shared/usecases/validate-upload.ts";
import {
  capturingLogger,
  mint,
  NOW,
  type RequestOptions,
  request,
  type SigningKey,
  signingKey,
  verifierFor,
} from "./fixtures.ts";
import { describeRouteGuards, type GuardedRoute } from "./route-guards.ts";

const OPERATION_ID = "4e1c0a9b-2d3f-8a4b-a5c6-d7e8f9a0b1c2";
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

const OPERATION: OperationRecord = {
  operationId: OPERATION_ID,
  kind: "reprovision",
  userPrincipalName: "alice@contoso.com",
  userId: "u-alice",
  purpose: "both",
  reason: "new phone",
  requestedBy: "ops@contoso.com",
  status: "running",
  steps: [{ at: NOW.toISOString(), message: "requested by ops@contoso.com: new phone" }],
  deadline: "2026-11-29T12:00:00.000Z",
  knownThumbprints: ["0123456789ABCDEF0123456789ABCDEF01234567"],
  nextCheckAt: "2026-11-28T12:05:00.000Z",
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
};

const notReady: UserReadiness["signing"]["iOS"] = {
  ready: false,
  reasons: [{ code: "NO_CERTIFICATE", message: "none" }],
};
const READINESS: UserReadiness = {
  userId: "u-alice",
  userPrincipalName: "alice@contoso.com",
  signing: { iOS: notReady, android: notReady },
  encryption: { iOS: notReady, android: notReady },
  platforms: ["iOS", "android"],
  signingReady: false,
  encryptionReady: false,
  reasons: ["NO_CERTIFICATE"],
};

function setup() {
  const calls = {
    reprovision: [] as RequestReprovisionInput[],
    operations: [] as string[],
    readiness: [] as string[],
    validate: [] as ValidateUploadBody[],
  };
  const routes = [
    adminReprovisionRoute({
      requestReprovision: async (input) => {
        calls.reprovision.push(input);
        return { operationId: OPERATION_ID, created: true };
      },
    }),
    adminOperationsRoute({
      operations: {
        get: async (id) => {
          calls.operations.push(id);
          return id === OPERATION_ID ? { value: OPERATION, etag: "1" } : undefined;
        },
      },
    }),
    userReadinessRoute({
      queryReadiness: async (upn) => {
        calls.readiness.push(upn);
        return upn.toLowerCase() === "alice@contoso.com" ? READINESS : undefined;
      },
    }),
    certificatesValidateRoute({
      validateUpload: async (input) => {
        calls.validate.push(input);
        return {
          ready: false,
          report: {
            file: "upload",
            certificate: null,
            chain: [],
            signing: { ready: false, problems: [] },
            encryption: { ready: false, problems: [] },
            checkedAt: NOW.toISOString(),
          },
        };
      },
    }),
  ];
  const log = capturingLogger();
  const router = createRouter(routes, { verifier: verifierFor(key), logger: log.logger });
  const touched = () =>
    calls.reprovision.length + calls.operations.length + calls.readiness.length + calls.validate.length;
  return { router, calls, touched, log };
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
  const setupResult = setup();
  const headers = {
    ...options.headers,
    ...(as === "anonymous" ? {} : { authorization: `Bearer ${tokens[as]}` }),
  };
  const response = await setupResult.router.dispatch(request({ ...options, headers }));
  const body = JSON.parse(response.body) as Record<string, unknown> & {
    error?: { code: string; message: string };
  };
  return { response, body, ...setupResult };
}

const reprovisionBody = (fields: Record<string, unknown> = {}): RequestOptions => ({
  method: "POST",
  path: "/api/admin/reprovision",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    userPrincipalName: "alice@contoso.com",
    purpose: "both",
    reason: "new phone",
    ...fields,
  }),
});

const validateJson = (fields: Record<string, unknown> = {}): RequestOptions => ({
  method: "POST",
  path: "/api/certificates/validate",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ certificate: PEM, ...fields }),
});

const ROUTES: GuardedRoute[] = [
  {
    route: "POST admin/reprovision",
    ok: reprovisionBody(),
    role: "admin" as const,
    lacking: "reader" as const,
    limit: ADMIN_REPROVISION_BODY_LIMIT,
  },
  {
    route: "GET admin/operations/{id}",
    ok: { path: `/api/admin/operations/${OPERATION_ID}` },
    role: "admin" as const,
    lacking: "reader" as const,
    limit: 0,
  },
  {
    route: "GET users/{upn}/readiness",
    ok: { path: "/api/users/alice@contoso.com/readiness" },
    role: "reader" as const,
    lacking: "none" as const,
    limit: 0,
  },
  {
    route: "POST certificates/validate",
    ok: validateJson(),
    role: "reader" as const,
    lacking: "none" as const,
    limit: CERTIFICATES_VALIDATE_BODY_LIMIT,
  },
];

describeRouteGuards(ROUTES, call);

describe("bad input → 400 (or 415) naming the field, the use case never called", () => {
  const cases: { name: string; request: RequestOptions; status: number; message: string }[] = [
    {
      name: "reprovision: no userPrincipalName",
      request: reprovisionBody({ userPrincipalName: undefined }),
      status: 400,
      message: "body.userPrincipalName: required",
    },
    {
      name: "reprovision: userPrincipalName not a UPN",
      request: reprovisionBody({ userPrincipalName: "alice" }),
      status: 400,
      message: "body.userPrincipalName: a user principal name: user@domain",
    },
    {
      name: "reprovision: bad purpose",
      request: reprovisionBody({ purpose: "all" }),
      status: 400,
      message: "body.purpose: must be one of signing, encryption, both",
    },
    {
      name: "reprovision: no reason",
      request: reprovisionBody({ reason: undefined }),
      status: 400,
      message: "body.reason: required",
    },
    {
      name: "reprovision: empty reason",
      request: reprovisionBody({ reason: "   " }),
      status: 400,
      message: "body.reason: required",
    },
    {
      name: "reprovision: unknown field",
      request: reprovisionBody({ purpse: "both" }),
      status: 400,
      message: 'body: unknown field "purpse"',
    },
    {
      name: "reprovision: not JSON",
      request: { ...reprovisionBody(), body: "upn=alice" },
      status: 400,
      message: "body: not valid JSON",
    },
    {
      name: "reprovision: form content type",
      request: { ...reprovisionBody(), headers: { "content-type": "application/x-www-form-urlencoded" } },
      status: 415,
      message: "content-type must be application/json",
    },
    {
      name: "readiness: not a UPN",
      request: { path: "/api/users/alice/readiness" },
      status: 400,
      message: "path.upn: a user principal name: user@domain",
    },
    {
      name: "validate: no certificate",
      request: validateJson({ certificate: undefined }),
      status: 400,
      message: "body.certificate: required",
    },
    {
      name: "validate: bad purpose",
      request: validateJson({ purpose: "signature" }),
      status: 400,
      message: "body.purpose: must be one of signing, encryption, both",
    },
    {
      name: "validate: bad smtp",
      request: validateJson({ smtp: "nobody" }),
      status: 400,
      message: "body.smtp:",
    },
    {
      name: "validate: unknown field",
      request: validateJson({ stmp: "alice@contoso.com" }),
      status: 400,
      message: 'body: unknown field "stmp"',
    },
    {
      name: "validate: empty PEM body",
      request: {
        method: "POST",
        path: "/api/certificates/validate",
        headers: { "content-type": "text/plain" },
        body: "",
      },
      status: 400,
      message: "body: required",
    },
    {
      name: "validate: an image",
      request: {
        method: "POST",
        path: "/api/certificates/validate",
        headers: { "content-type": "image/png" },
        body: "x",
      },
      status: 415,
      message: "content-type must be application/json or text/plain or application/x-pem-file",
    },
  ];
  it.each(cases)("$name → $status", async ({ request: req, status, message }) => {
    const as = req.path.includes("admin") ? "admin" : "reader";
    const { response, body, touched } = await call(as, req);
    expect(response.status).toBe(status);
    expect(body.error?.message).toContain(message);
    expect(touched()).toBe(0);
  });
});

describe("answers", () => {
  it("reprovision → 202 {operationId}, Location at its progress, the caller's name (not the token) passed on", async () => {
    const { response, body, calls, log } = await call("admin", reprovisionBody());
    expect(response.status).toBe(202);
    expect(body).toEqual({ operationId: OPERATION_ID });
    expect(response.headers.location).toBe(`/api/admin/operations/${OPERATION_ID}`);
    expect(calls.reprovision).toEqual([
      {
        userPrincipalName: "alice@contoso.com",
        purpose: "both",
        reason: "new phone",
        requestedBy: "ops@contoso.com",
      },
    ]);
    expect(log.text()).not.toContain(tokens.admin);
  });

  it.each([
    { name: "known operation → 200 without the processor's bookkeeping", id: OPERATION_ID, status: 200 },
    { name: "unknown operation → 404", id: "nope", status: 404 },
  ])("$name", async ({ id, status }) => {
    const { response, body } = await call("admin", { path: `/api/admin/operations/${id}` });
    expect(response.status).toBe(status);
    if (status === 200) {
      expect(body).toMatchObject({ operationId: OPERATION_ID, status: "running", steps: OPERATION.steps });
      expect(body).not.toHaveProperty("knownThumbprints");
      expect(body).not.toHaveProperty("nextCheckAt");
    } else expect(body.error?.code).toBe("not_found");
  });

  it.each([
    { name: "known user → 200 with the verdict", upn: "Alice@Contoso.com", status: 200 },
    { name: "unknown user → 404", upn: "bob@contoso.com", status: 404 },
    { name: "an encoded UPN is decoded", upn: "alice%40contoso.com", status: 200 },
  ])("readiness: $name", async ({ upn, status }) => {
    const { response, body } = await call("reader", { path: `/api/users/${upn}/readiness` });
    expect(response.status).toBe(status);
    if (status === 200) expect(body).toEqual(READINESS);
  });

  it.each([
    { name: "text/plain", type: "text/plain" },
    { name: "application/x-pem-file", type: "application/x-pem-file; charset=utf-8" },
  ])("validate a PEM body sent as $name → the report, x-smime-ready", async ({ type }) => {
    const { response, body, calls } = await call("reader", {
      method: "POST",
      path: "/api/certificates/validate",
      headers: { "content-type": type },
      body: PEM,
    });
    expect(response.status).toBe(200);
    expect(response.headers["x-smime-ready"]).toBe("false");
    expect(body).toMatchObject({ file: "upload", checkedAt: NOW.toISOString() });
    expect(calls.validate).toEqual([{ certificate: PEM }]);
  });

  it("validate JSON with smtp and purpose passes both on", async () => {
    const { response, calls } = await call(
      "reader",
      validateJson({ smtp: "alice@contoso.com", purpose: "signing" }),
    );
    expect(response.status).toBe(200);
    expect(calls.validate).toEqual([{ certificate: PEM, smtp: "alice@contoso.com", purpose: "signing" }]);
  });
});
