/**
 * onNotification, the function: the runtime's deps (Azurite stores, the demo tenant's Graph gateway) and its
 * settings (NOTIFY_CHANNEL, MAIL_SENDER), a message as the Service Bus trigger hands it over.
 */
import { InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onNotification } from "../../../functions/on-notification.ts";
import { createGraphGateway, staticToken } from "../../../shared/adapters/graph/index.ts";
import { createJsonLogger } from "../../../shared/adapters/logger.ts";
import { parseSettings } from "../../../shared/config.ts";
import { createEvent } from "../../../shared/contracts/events.ts";
import { PoisonMessageError } from "../../../shared/errors.ts";
import { installRuntime, uninstallRuntime } from "../../../shared/runtime.ts";
import { NOW, type Started, startTestTenant } from "../demo-tenant/support.ts";
import { type Harness, harness } from "../usecases/harness.ts";

let h: Harness;
let started: Started;
const SENDER = "aino@demo.smime-lifecycle.local";

beforeAll(async () => {
  h = await harness("notifyfn");
  h.clock.set(NOW);
  started = await startTestTenant();
  const graph = createGraphGateway({ baseUrl: started.tenant.baseUrl, credential: staticToken("demo") });
  for (const u of started.tenant.dataset?.users ?? [])
    await h.stores.users.put(
      {
        userId: u.id,
        userPrincipalName: u.userPrincipalName,
        primarySmtp: u.primarySmtp,
        preferredLanguage: u.spec.language,
        accountEnabled: true,
        deleted: false,
        reasons: [],
        updatedAt: NOW.toISOString(),
      },
      { ifAbsent: true },
    );
  // The runtime's deps carry the gateway (GraphDeps) beside the stores, as the composition root builds them.
  const deps = { ...h.deps, graph, notifications: h.stores.notifications, operations: h.stores.operations };
  installRuntime({
    mode: "local",
    settings: parseSettings({ NOTIFY_CHANNEL: "both", MAIL_SENDER: SENDER }),
    logger: createJsonLogger({ write: () => undefined }),
    deps,
    close: async () => undefined,
  });
}, 60_000);
afterAll(async () => {
  uninstallRuntime();
  await started?.stop();
  await h?.close();
});

const context = (messageId: string, deliveryCount = 1) =>
  new InvocationContext({
    functionName: "onNotification",
    invocationId: `inv-${messageId}-${deliveryCount}`,
    triggerMetadata: { messageId, deliveryCount, enqueuedTimeUtc: NOW.toISOString() },
  });

const demoUser = (name: string) => {
  const u = started.tenant.dataset?.users.find((x) => x.spec.name === name);
  if (!u) throw new Error(`no demo user ${name}`);
  return u;
};

describe("onNotification (the function)", () => {
  it("sends on both channels by the settings, once however often the message comes", async () => {
    const gosta = demoUser("gosta");
    const event = createEvent(
      "notification.requested",
      { userId: gosta.id, thumbprint: "A".repeat(40), reason: "revoked" },
      { source: "/test", time: NOW },
    );
    const before = started.tenant.outbox().length;
    await onNotification(JSON.parse(JSON.stringify(event)), context(event.id));
    await onNotification(JSON.parse(JSON.stringify(event)), context(event.id, 2));
    const sent = started.tenant.outbox().slice(before);
    expect(sent.map((e) => e.kind).sort()).toEqual(["companyPortal", "mail"]);
    expect(sent.find((e) => e.kind === "mail")).toMatchObject({
      from: SENDER,
      to: [gosta.primarySmtp],
      subject: "Ditt S/MIME-certifikat har spärrats",
    });
  });

  it("completes a notice for a user nobody knows (logged), and throws a poison message on", async () => {
    const event = createEvent(
      "notification.requested",
      { userId: "nobody", reason: "reprovisioned", operationId: "op-9" },
      { source: "/test", time: NOW },
    );
    await expect(
      onNotification(JSON.parse(JSON.stringify(event)), context(event.id)),
    ).resolves.toBeUndefined();
    expect(h.logger.lines.filter((l) => l.message.includes("failed for good"))).toHaveLength(1);
    await expect(onNotification({ not: "an event" }, context("poison"))).rejects.toBeInstanceOf(
      PoisonMessageError,
    );
  });
});
