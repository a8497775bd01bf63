/**
 * Subscriptions against a webhook receiver on loopback: the validation handshake (token echoed as text/plain
 * within the timeout, or creation fails with Graph's 400), renewal and deletion, change notifications when a
 * demo user changes, and lifecycle notifications on request.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ChangeNotificationCollection,
  LifecycleNotificationCollection,
} from "../../../shared/contracts/graph.ts";
import { graph, NOW, type Started, startTestTenant } from "./support.ts";

type Behaviour = "echo" | "wrongEcho" | "serverError" | "jsonEcho" | "hang";

interface Received {
  readonly path: string;
  readonly token: string | null;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** A webhook receiver whose answer to the handshake is chosen per path: `/{behaviour}/...`. */
class Receiver {
  readonly received: Received[] = [];
  private server!: Server;
  base = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const token = url.searchParams.get("validationToken");
        this.received.push({
          path: url.pathname,
          token,
          contentType: req.headers["content-type"],
          body: Buffer.concat(chunks).toString("utf8"),
        });
        const behaviour = url.pathname.split("/")[1] as Behaviour;
        if (token === null) return void res.writeHead(202).end();
        if (behaviour === "hang") return;
        if (behaviour === "serverError") return void res.writeHead(500).end();
        if (behaviour === "jsonEcho")
          return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(token));
        const answer = behaviour === "wrongEcho" ? `${token}x` : token;
        res.writeHead(200, { "content-type": "text/plain" }).end(answer);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const receiver = new Receiver();
let s: Started;
const inOneDay = new Date(NOW.getTime() + 86_400_000).toISOString();

beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());
beforeEach(async () => {
  receiver.received.length = 0;
  s = await startTestTenant({ handshakeTimeoutMs: 300 });
  return () => s.stop();
});

function subscribe(notify: Behaviour, lifecycle: Behaviour = "echo", extra: Record<string, unknown> = {}) {
  return graph(s.tenant, "/v1.0/subscriptions", {
    method: "POST",
    body: {
      changeType: "updated,deleted",
      notificationUrl: `${receiver.base}/${notify}/notifications`,
      lifecycleNotificationUrl: `${receiver.base}/${lifecycle}/lifecycle`,
      resource: "users",
      expirationDateTime: inOneDay,
      clientState: "s3cret-client-state",
      ...extra,
    },
  });
}

describe("creating a subscription", () => {
  it("validates both URLs with a text/plain POST carrying the token, then answers 201", async () => {
    const res = await subscribe("echo");
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      resource: "users",
      changeType: "updated,deleted",
      clientState: "s3cret-client-state",
      expirationDateTime: inOneDay,
    });
    const handshakes = receiver.received.filter((r) => r.token !== null);
    expect(handshakes.map((r) => r.path)).toEqual(["/echo/notifications", "/echo/lifecycle"]);
    for (const h of handshakes) {
      expect(h.contentType).toMatch(/^text\/plain/);
      expect(h.token).toMatch(/^Validation: /);
    }
    expect(s.tenant.subscriptions().length).toBe(1);
  });

  it.each<{ name: string; notify: Behaviour; lifecycle?: Behaviour; code: string; message: RegExp }>([
    {
      name: "echoes the wrong text",
      notify: "wrongEcho",
      code: "ValidationError",
      message: /must exactly match/,
    },
    {
      name: "answers 500",
      notify: "serverError",
      code: "ValidationError",
      message: /must respond with 200 OK/,
    },
    {
      name: "echoes as JSON, not text/plain",
      notify: "jsonEcho",
      code: "ValidationError",
      message: /must exactly match/,
    },
    { name: "never answers", notify: "hang", code: "InvalidRequest", message: /timed out/ },
    {
      name: "fails only on the lifecycle URL",
      notify: "echo",
      lifecycle: "serverError",
      code: "ValidationError",
      message: /200 OK/,
    },
  ])("fails with Graph's 400 when the receiver $name", async ({ notify, lifecycle, code, message }) => {
    const res = await subscribe(notify, lifecycle);
    expect(res.status).toBe(400);
    const error = res.json.error as { code: string; message: string };
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(s.tenant.subscriptions()).toEqual([]);
  });

  it.each([
    {
      name: "expiry beyond 41,760 minutes",
      extra: { expirationDateTime: new Date(NOW.getTime() + 30 * 86_400_000).toISOString() },
    },
    {
      name: "expiry in the past",
      extra: { expirationDateTime: new Date(NOW.getTime() - 1000).toISOString() },
    },
    { name: "a resource other than users", extra: { resource: "deviceManagement/managedDevices" } },
    { name: "an unknown change type", extra: { changeType: "renamed" } },
  ])("refuses $name with 400 before any handshake", async ({ extra }) => {
    const res = await subscribe("echo", "echo", extra);
    expect(res.status).toBe(400);
    expect((res.json.error as { code: string }).code).toBe("InvalidRequest");
    expect(receiver.received).toEqual([]);
  });
});

describe("a live subscription", () => {
  it("is renewed by PATCH, read without its clientState, and deleted", async () => {
    const id = String((await subscribe("echo")).json.id);
    const later = new Date(NOW.getTime() + 2 * 86_400_000).toISOString();
    const renewed = await graph(s.tenant, `/v1.0/subscriptions/${id}`, {
      method: "PATCH",
      body: { expirationDateTime: later },
    });
    expect(renewed.status).toBe(200);
    expect(renewed.json.expirationDateTime).toBe(later);
    const read = await graph(s.tenant, `/v1.0/subscriptions/${id}`);
    expect(read.json.clientState).toBeNull();
    expect((await graph(s.tenant, `/v1.0/subscriptions/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await graph(s.tenant, `/v1.0/subscriptions/${id}`)).status).toBe(404);
  });

  it.each([
    { name: "disabled", change: { accountEnabled: false }, changeType: "updated" },
    {
      name: "primary SMTP changed",
      change: { primarySmtp: "ebba.n@demo.smime-lifecycle.local" },
      changeType: "updated",
    },
    { name: "deleted", change: { deleted: true as const }, changeType: "deleted" },
  ])("posts a change notification when a user is $name", async ({ change, changeType }) => {
    const id = String((await subscribe("echo")).json.id);
    const deliveries = await s.tenant.changeUser("ebba@demo.smime-lifecycle.local", change);
    expect(deliveries.map((d) => d.status)).toEqual([202]);
    const posted = receiver.received.filter((r) => r.token === null);
    expect(posted.length).toBe(1);
    const body = ChangeNotificationCollection.parse(JSON.parse(posted[0]?.body ?? ""));
    const ebba = s.tenant.dataset?.users.find((u) => u.spec.name === "ebba");
    expect(body.value).toEqual([
      expect.objectContaining({
        subscriptionId: id,
        changeType,
        clientState: "s3cret-client-state",
        resource: `Users/${ebba?.id}`,
        resourceData: expect.objectContaining({ id: ebba?.id }),
        tenantId: s.tenant.tenantId,
      }),
    ]);
  });

  it("does not notify for a change type it did not ask for", async () => {
    await subscribe("echo", "echo", { changeType: "deleted" });
    const deliveries = await s.tenant.changeUser("ebba@demo.smime-lifecycle.local", {
      accountEnabled: false,
    });
    expect(deliveries).toEqual([]);
  });

  it.each(["reauthorizationRequired", "missed", "subscriptionRemoved"] as const)(
    "sends a %s lifecycle notification to the lifecycle URL",
    async (event) => {
      const id = String((await subscribe("echo")).json.id);
      const delivery = await s.tenant.sendLifecycle(id, event);
      expect(delivery.url).toBe(`${receiver.base}/echo/lifecycle`);
      const body = LifecycleNotificationCollection.parse(delivery.body);
      expect(body.value[0]).toMatchObject({
        subscriptionId: id,
        lifecycleEvent: event,
        clientState: "s3cret-client-state",
      });
      expect(s.tenant.subscriptions().length).toBe(event === "subscriptionRemoved" ? 0 : 1);
    },
  );
});

describe("the hooks over HTTP (for a test driving a separate host process)", () => {
  async function post(path: string, body: unknown) {
    const res = await fetch(`${s.tenant.baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it.each([
    {
      name: "a user change notifies",
      path: "/_demo/users/ebba@demo.smime-lifecycle.local",
      body: { accountEnabled: false },
      status: 200,
    },
    {
      name: "an unknown user is 404",
      path: "/_demo/users/nobody@demo.smime-lifecycle.local",
      body: { accountEnabled: false },
      status: 404,
    },
    {
      name: "a malformed change is 400",
      path: "/_demo/users/ebba@demo.smime-lifecycle.local",
      body: { shoeSize: 44 },
      status: 400,
    },
  ])("$name", async ({ path, body, status }) => {
    await subscribe("echo");
    const res = await post(path, body);
    expect(res.status).toBe(status);
    if (status === 200)
      expect((res.json.deliveries as { status: number }[]).map((d) => d.status)).toEqual([202]);
  });

  it("sends a lifecycle notification", async () => {
    const id = String((await subscribe("echo")).json.id);
    const res = await post(`/_demo/subscriptions/${id}/lifecycle`, { lifecycleEvent: "missed" });
    expect(res.status).toBe(200);
    expect(res.json.kind).toBe("lifecycle");
    expect((await post("/_demo/subscriptions/nope/lifecycle", { lifecycleEvent: "missed" })).status).toBe(
      404,
    );
  });
});
