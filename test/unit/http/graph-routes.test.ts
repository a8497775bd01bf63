/**
 * `POST graph/notifications` and `POST graph/lifecycle` through the real router: the validation handshake,
 * the batch answered 202 by enqueuing only, a wrong clientState answered alike but never processed, and the
 * refusals. The notifications use case runs for real over an in-memory ledger and bus.
 */
import { describe, expect, it } from "vitest";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import { RetryableError } from "../../../shared/errors.ts";
import type { TokenVerifier } from "../../../shared/http/auth.ts";
import { createRouter } from "../../../shared/http/router.ts";
import { graphLifecycleRoute } from "../../../shared/http/routes/graph-lifecycle.ts";
import {
  GRAPH_NOTIFICATIONS_BODY_LIMIT,
  graphNotificationsRoute,
  VALIDATION_TOKEN_MAX_LENGTH,
} from "../../../shared/http/routes/graph-notifications.ts";
import type { AuditLedger, EventBus } from "../../../shared/ports.ts";
import { handleGraphLifecycle } from "../../../shared/usecases/handle-graph-lifecycle.ts";
import { handleGraphNotifications } from "../../../shared/usecases/handle-graph-notifications.ts";
import { capturingLogger, fixedClock, json, type RequestOptions, request } from "./fixtures.ts";

const SECRET = "client-state-secret-0123456789";

/** The routes over the real use cases, an in-memory ledger and bus, and a verifier that must never be asked. */
function setup(options: { failPublish?: boolean } = {}) {
  const published: CloudEventEnvelope[] = [];
  const lifecycle: unknown[][] = [];
  const bus: EventBus = {
    publish: async () => {
      throw new Error("the webhook publishes in one batch");
    },
    publishMany: async (_queue, events) => {
      if (options.failPublish) throw new RetryableError("bus unavailable");
      published.push(...events);
    },
    schedule: async () => "",
    cancel: async () => {},
  };
  const audit: AuditLedger = { append: async () => {}, list: async () => [] };
  const { logger, text } = capturingLogger();
  const verifier: TokenVerifier = {
    verify: async () => {
      throw new Error("graph routes are anonymous at the bearer level");
    },
  };
  const deps = { audit, bus, clock: fixedClock(), logger, clientState: SECRET };
  const router = createRouter(
    [
      graphNotificationsRoute({ handleGraphNotifications: (input) => handleGraphNotifications(deps, input) }),
      graphLifecycleRoute({
        handleGraphLifecycle: async (input) => {
          lifecycle.push([...input.notifications]);
          return handleGraphLifecycle(
            {
              cursors: { get: async () => undefined, set: async () => {} },
              clock: fixedClock(),
              logger,
              clientState: SECRET,
            },
            input,
          );
        },
      }),
    ],
    { verifier, logger },
  );
  const post = (path: string, o: Omit<RequestOptions, "path"> = {}) =>
    router.dispatch(request({ method: "POST", path: `/api/graph/${path}`, ...o }));
  return { post, router, published, lifecycle, text };
}

const notification = (userId: string, clientState: string | null = SECRET) => ({
  subscriptionId: "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
  subscriptionExpirationDateTime: "2026-12-20T11:00:00.0000000+00:00",
  clientState,
  changeType: "updated",
  resource: `Users/${userId}`,
  resourceData: { "@odata.type": "#Microsoft.Graph.User", "@odata.id": `Users/${userId}`, id: userId },
  tenantId: "8f3a9c1e-2b4d-4e6f-9a0b-1c2d3e4f5a6b",
});

describe("the validation handshake", () => {
  const tokens = [
    {
      name: "Graph's token, percent-encoded",
      query:
        "validationToken=Validation%3A%20Testing%20client%20application%20reachability%20for%20subscription%20Request-Id%3A%20522a8e7e-096a-494c-aaf1-ac0dcfca45b7",
      expected:
        "Validation: Testing client application reachability for subscription Request-Id: 522a8e7e-096a-494c-aaf1-ac0dcfca45b7",
    },
    { name: "form-encoded spaces", query: "validationToken=a+b+c", expected: "a b c" },
    { name: "an encoded plus", query: "validationToken=a%2Bb", expected: "a+b" },
    { name: "markup, echoed as plain text", query: "validationToken=%3Cscript%3E", expected: "<script>" },
  ];
  for (const path of ["notifications", "lifecycle"])
    it.each(tokens)(`${path}: $name → 200 text/plain with the decoded token`, async ({ query, expected }) => {
      const { post, published, lifecycle } = setup();
      const response = await post(path, { query, headers: { "content-type": "text/plain" } });
      expect(response.status).toBe(200);
      expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
      expect(response.headers["x-content-type-options"]).toBe("nosniff");
      expect(response.body).toBe(expected);
      expect(published).toEqual([]);
      expect(lifecycle).toEqual([]);
    });

  const refused = [
    { name: "an empty token", query: "validationToken=" },
    { name: "a token given twice", query: "validationToken=a&validationToken=b" },
    {
      name: "a token over the limit",
      query: `validationToken=${"a".repeat(VALIDATION_TOKEN_MAX_LENGTH + 1)}`,
    },
  ];
  it.each(refused)("$name → 400", async ({ query }) => {
    const response = await setup().post("notifications", { query });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.code).toBe("invalid_request");
  });

  it("a token at the limit is echoed", async () => {
    const token = "a".repeat(VALIDATION_TOKEN_MAX_LENGTH);
    const response = await setup().post("notifications", { query: `validationToken=${token}` });
    expect(response).toMatchObject({ status: 200, body: token });
  });
});

describe("POST graph/notifications", () => {
  it("a batch is answered 202 with no body, and enqueued", async () => {
    const { post, published } = setup();
    const response = await post("notifications", json({ value: [notification("u-1"), notification("u-2")] }));
    expect(response).toMatchObject({ status: 202, body: "" });
    expect(published.map((e) => [e.type, e.userid])).toEqual([
      ["user.refreshRequested", "u-1"],
      ["user.refreshRequested", "u-2"],
    ]);
  });

  it("a wrong clientState is answered 202 too, and never processed nor logged", async () => {
    const { post, published, text } = setup();
    const response = await post(
      "notifications",
      json({ value: [notification("u-1", "forged-state-0123456789")] }),
    );
    expect(response).toMatchObject({ status: 202, body: "" });
    expect(published).toEqual([]);
    expect(text()).toContain("wrong clientState");
    expect(text()).not.toContain("forged-state-0123456789");
    expect(text()).not.toContain(SECRET);
  });

  it("a forger gets the same answer as Graph", async () => {
    const { post } = setup();
    const genuine = await post("notifications", json({ value: [notification("u-1")] }));
    const forged = await post("notifications", json({ value: [notification("u-1", "x".repeat(30))] }));
    expect({ ...forged, headers: { ...forged.headers, "x-request-id": "" } }).toEqual({
      ...genuine,
      headers: { ...genuine.headers, "x-request-id": "" },
    });
  });

  const refusals = [
    {
      name: "no body and no token",
      options: { headers: { "content-type": "application/json" } },
      status: 400,
    },
    {
      name: "not JSON",
      options: { body: "{", headers: { "content-type": "application/json" } },
      status: 400,
    },
    { name: "JSON without value", options: json({ items: [] }), status: 400 },
    {
      name: "another content type",
      options: { body: "{}", headers: { "content-type": "text/plain" } },
      status: 415,
    },
    {
      name: "a body over the limit",
      options: { ...json({}), declaredLength: GRAPH_NOTIFICATIONS_BODY_LIMIT + 1 },
      status: 413,
    },
  ];
  it.each(refusals)("$name → $status, nothing enqueued", async ({ options, status }) => {
    const { post, published } = setup();
    expect((await post("notifications", options)).status).toBe(status);
    expect(published).toEqual([]);
  });

  it("a bus that cannot take the batch → 503, so Graph delivers it again", async () => {
    const response = await setup({ failPublish: true }).post(
      "notifications",
      json({ value: [notification("u-1")] }),
    );
    expect(response.status).toBe(503);
  });

  it("only POST", async () => {
    const { router } = setup();
    const response = await router.dispatch(request({ method: "GET", path: "/api/graph/notifications" }));
    expect(response).toMatchObject({ status: 405, headers: { allow: "POST" } });
  });
});

describe("POST graph/lifecycle", () => {
  it("a batch is handed to the use case and answered 202", async () => {
    const { post, lifecycle } = setup();
    const item = {
      subscriptionId: "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
      subscriptionExpirationDateTime: "2026-12-20T11:00:00.0000000+00:00",
      tenantId: "8f3a9c1e-2b4d-4e6f-9a0b-1c2d3e4f5a6b",
      clientState: SECRET,
      lifecycleEvent: "reauthorizationRequired",
    };
    const response = await post("lifecycle", json({ value: [item] }));
    expect(response).toMatchObject({ status: 202, body: "" });
    expect(lifecycle).toEqual([[item]]);
  });
});
