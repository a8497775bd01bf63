/**
 * Users through change notifications, end to end on loopback: the demo tenant (a Graph look-alike that
 * performs the validation handshake and posts notifications), the real Graph gateway, the webhook routes
 * served by the real router over node:http, Table stores on Azurite and the in-process bus. The certificate
 * processor handles what the webhook enqueued, so a directory change is followed to the user's certificate.
 */
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGraphGateway, staticToken } from "../../../shared/adapters/graph/index.ts";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import { createEvent, type PipelineEvent } from "../../../shared/contracts/events.ts";
import { createNodeHandler } from "../../../shared/http/node-adapter.ts";
import { createRouter } from "../../../shared/http/router.ts";
import { graphLifecycleRoute } from "../../../shared/http/routes/graph-lifecycle.ts";
import { graphNotificationsRoute } from "../../../shared/http/routes/graph-notifications.ts";
import { openDemoCa } from "../../../shared/local/demo-ca.ts";
import { type DemoTenant, startDemoTenant } from "../../../shared/local/demo-tenant/index.ts";
import type { GraphGateway } from "../../../shared/ports.ts";
import { processUserRefreshRequested } from "../../../shared/usecases/graph-refresh-user.ts";
import { handleGraphLifecycle } from "../../../shared/usecases/handle-graph-lifecycle.ts";
import { handleGraphNotifications } from "../../../shared/usecases/handle-graph-notifications.ts";
import {
  type ManageSubscriptionDeps,
  manageSubscription,
} from "../../../shared/usecases/manage-subscription.ts";
import { processCertificateEvent } from "../../../shared/usecases/process-certificate-event.ts";
import { readCertificate } from "../../../shared/usecases/register-certificate.ts";
import { syncUsers } from "../../../shared/usecases/sync-users.ts";
import { type Harness, harness, messageOf } from "../usecases/harness.ts";

const SECRET = "demo-client-state-0123456789abcdef";

let h: Harness;
let dir: string;
let tenant: DemoTenant;
let gateway: GraphGateway;
let server: Server;
let base: string;
let deps: ManageSubscriptionDeps;

beforeAll(async () => {
  h = await harness("graphusersdemo");
  dir = await mkdtemp(join(tmpdir(), "graph-users-"));
  const ca = await openDemoCa({
    dir: join(dir, "demo-ca"),
    baseUrl: "http://127.0.0.1:7071",
    now: h.clock.now(),
  });
  tenant = await startDemoTenant({
    dataDir: dir,
    ca,
    now: h.clock.now(),
    clock: h.clock,
    handshakeTimeoutMs: 5000,
  });
  gateway = createGraphGateway({ baseUrl: tenant.baseUrl, credential: staticToken("demo-token") });
  const bound = { ...h.deps, clientState: SECRET };
  const router = createRouter(
    [
      graphNotificationsRoute({
        handleGraphNotifications: (input) => handleGraphNotifications(bound, input),
      }),
      graphLifecycleRoute({ handleGraphLifecycle: (input) => handleGraphLifecycle(bound, input) }),
    ],
    {
      verifier: {
        verify: async () => {
          throw new Error("not asked: the graph routes are anonymous");
        },
      },
      logger: h.logger,
    },
  );
  server = createServer(createNodeHandler(router));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  deps = {
    ...h.deps,
    graph: gateway,
    webhook: {
      notificationUrl: `${base}/api/graph/notifications`,
      lifecycleNotificationUrl: `${base}/api/graph/lifecycle`,
      clientState: SECRET,
    },
  };
});

afterAll(async () => {
  await tenant?.close();
  await new Promise((resolve) => server?.close(resolve));
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

const demoUser = (name: string) => {
  const user = tenant.dataset?.users.find((u) => u.userPrincipalName.startsWith(`${name}@`));
  if (!user) throw new Error(`no demo user ${name}`);
  return user;
};

/** Waits (bounded) until the tenant has made `count` deliveries of `kind`; returns them. */
async function deliveries(kind: "notification" | "lifecycle", count: number) {
  for (let i = 0; i < 200; i++) {
    const made = tenant.deliveries().filter((d) => d.kind === kind);
    if (made.length >= count) return made;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the tenant made fewer than ${count} ${kind} deliveries`);
}

const processed = new Set<string>();
/** Handles every certificate-events message published so far, and what that publishes, until none is left. */
async function drain(): Promise<void> {
  for (;;) {
    const pending = h.bus.published.filter(
      (p) => p.queue === "certificateEvents" && !processed.has(p.event.id),
    );
    if (pending.length === 0) return;
    for (const { event } of pending) {
      processed.add(event.id);
      const copy = JSON.parse(JSON.stringify(event)) as CloudEventEnvelope;
      if (copy.type === "user.refreshRequested")
        await processUserRefreshRequested(
          { ...h.deps, graph: gateway },
          copy as PipelineEvent & { type: "user.refreshRequested" },
        );
      else await processCertificateEvent(h.deps, messageOf(copy));
    }
  }
}

const changesOf = (userId: string) =>
  h
    .events("user.changed")
    .filter((e) => e.userid === userId)
    .map((e) => (e.data as { change: string }).change);

describe("users through the demo tenant's change notifications", () => {
  it("the subscription is created, validated by the tenant's handshake against the real routes", async () => {
    const result = await manageSubscription(deps);
    expect(result.action).toBe("create");
    const [subscription] = tenant.subscriptions();
    expect(subscription).toMatchObject({
      id: result.subscriptionId,
      resource: "/users",
      changeType: "updated,deleted",
      clientState: SECRET,
      notificationUrl: `${base}/api/graph/notifications`,
      lifecycleNotificationUrl: `${base}/api/graph/lifecycle`,
    });
    expect((await manageSubscription(deps)).action).toBe("none");
  });

  it("the first sync stores the tenant's users; its scripted changes arrive as notifications, 202 each", async () => {
    const xenia = demoUser("xenia");
    // Before the sync: a certificate for Xenia's address as it is now (minted by the harness CA, which the
    // engine trusts), valid.
    const leaf = await h.pki.leaf({ email: xenia.primarySmtp });
    const { thumbprint } = readCertificate(leaf.pem);
    await h.bus.publish(
      "certificateEvents",
      discovered(xenia.id, xenia.userPrincipalName, leaf.der, thumbprint),
    );
    await drain();
    expect((await h.stores.certificates.get(xenia.id, thumbprint))?.value.state).toBe("valid");

    const result = await syncUsers(deps);
    expect(result.mode).toBe("full");
    expect(result.seen).toBe(tenant.dataset?.users.length);
    expect((await h.stores.users.get(xenia.id))?.value.primarySmtp).toBe(xenia.primarySmtp);
    // The tenant applies its scripted changes after the first delta round: Wilhelm leaves, Xenia's address
    // changes. Each is posted to the webhook, which answers 202 and enqueues a refresh.
    const made = await deliveries("notification", 2);
    expect(made.map((d) => d.status)).toEqual([202, 202]);
    expect(
      h.bus
        .ofType("user.refreshRequested")
        .map((e) => e.userid)
        .sort(),
    ).toEqual([demoUser("wilhelm").id, xenia.id].sort());
  });

  it("each notification refreshes the user from Graph: user.changed, and Xenia's certificate now fails SMTP_MISMATCH", async () => {
    const xenia = demoUser("xenia");
    await drain();
    expect(changesOf(demoUser("wilhelm").id)).toEqual(["deleted"]);
    const last = h
      .events("user.changed")
      .filter((e) => e.userid === xenia.id)
      .at(-1);
    expect(last?.data).toMatchObject({
      change: "primarySmtpChanged",
      primarySmtp: expect.stringMatching(/^xenia\.novak@/),
      previousPrimarySmtp: xenia.primarySmtp,
    });
    const [certificate] = await h.stores.certificates.listByUser(xenia.id);
    expect(certificate?.state).toBe("invalid");
    expect(certificate?.signing?.problems.map((p) => p.code)).toContain("SMTP_MISMATCH");
    expect((await h.stores.users.get(demoUser("wilhelm").id))?.value.reasons).toContain("USER_DELETED");
  });

  it("a user disabled in the tenant is disabled here within one notification", async () => {
    const adele = tenant.dataset!.users.find(
      (u) => u.spec.accountEnabled !== false && !u.spec.afterFirstDelta,
    )!;
    const made = await tenant.changeUser(adele.id, { accountEnabled: false });
    expect(made.map((d) => d.status)).toEqual([202]);
    await drain();
    expect(changesOf(adele.id)).toEqual(["disabled"]);
    expect((await h.stores.users.get(adele.id))?.value).toMatchObject({ accountEnabled: false });
  });

  it("a notification with a wrong clientState is answered 202 and never processed", async () => {
    const before = h.bus.published.length;
    const response = await fetch(`${base}/api/graph/notifications`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        value: [
          {
            subscriptionId: tenant.subscriptions()[0]!.id,
            clientState: "guessed-0123456789abcdef",
            changeType: "updated",
            resource: `Users/${demoUser("xenia").id}`,
            resourceData: { id: demoUser("xenia").id },
          },
        ],
      }),
    });
    expect(response.status).toBe(202);
    expect(h.bus.published.length).toBe(before);
  });

  it("missed: recorded by the lifecycle route, and the next run resyncs by delta", async () => {
    const [subscription] = tenant.subscriptions();
    h.clock.set(new Date(h.clock.now().getTime() + 60_000));
    const delivery = await tenant.sendLifecycle(subscription!.id, "missed");
    expect(delivery.status).toBe(202);
    h.clock.set(new Date(h.clock.now().getTime() + 60_000));
    const result = await manageSubscription(deps);
    expect(result).toMatchObject({
      action: "none",
      subscriptionId: subscription!.id,
      resync: { mode: "incremental" },
    });
  });

  it("reauthorizationRequired: recorded by the lifecycle route, and the next run reauthorizes the same subscription", async () => {
    const [subscription] = tenant.subscriptions();
    h.clock.set(new Date(h.clock.now().getTime() + 60_000));
    expect((await tenant.sendLifecycle(subscription!.id, "reauthorizationRequired")).status).toBe(202);
    h.clock.set(new Date(h.clock.now().getTime() + 60_000));
    const result = await manageSubscription(deps);
    expect(result).toMatchObject({ action: "reauthorize", subscriptionId: subscription!.id });
    expect(result.resync).toBeUndefined();
    expect(tenant.subscriptions().map((s) => s.id)).toEqual([subscription!.id]);
  });

  it("subscriptionRemoved: the next run creates a new subscription (validated again) and resyncs", async () => {
    const [old] = tenant.subscriptions();
    h.clock.set(new Date(h.clock.now().getTime() + 60_000));
    expect((await tenant.sendLifecycle(old!.id, "subscriptionRemoved")).status).toBe(202);
    expect(tenant.subscriptions()).toEqual([]);
    h.clock.set(new Date(h.clock.now().getTime() + 60_000));
    const result = await manageSubscription(deps);
    expect(result.action).toBe("create");
    expect(result.resync).toBeDefined();
    expect(tenant.subscriptions().map((s) => s.id)).toEqual([result.subscriptionId]);
    expect(result.subscriptionId).not.toBe(old!.id);
  });
});

function discovered(userId: string, upn: string, der: Uint8Array, thumbprint: string) {
  return createEvent(
    "certificate.discovered",
    {
      userId,
      thumbprint,
      userPrincipalName: upn,
      source: "manual",
      purpose: "signing",
      certificate: Buffer.from(der).toString("base64"),
    },
    { source: "/smime-lifecycle/test", time: h.clock.now() },
  );
}
