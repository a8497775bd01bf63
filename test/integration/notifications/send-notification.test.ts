/**
 * onNotification's use case against the demo tenant over HTTP: the real Graph gateway, Azurite stores (the
 * notification ledger), the in-process bus. What users are sent is read from the tenant's outbox.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGraphGateway, staticToken } from "../../../shared/adapters/graph/index.ts";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import { createEvent, type EventData } from "../../../shared/contracts/events.ts";
import type { NotificationKey } from "../../../shared/contracts/rows.ts";
import { RetryableError } from "../../../shared/errors.ts";
import type { DemoUserRecord, OutboxEntry } from "../../../shared/local/demo-tenant/index.ts";
import type { GraphGateway } from "../../../shared/ports.ts";
import {
  type NotifySettings,
  type SendNotificationDeps,
  sendNotification,
} from "../../../shared/usecases/send-notification.ts";
import { NOW, type Started, startTestTenant } from "../demo-tenant/support.ts";
import { type Harness, harness, messageOf } from "../usecases/harness.ts";

let h: Harness;
let started: Started;
let throttled: Started;
let graph: GraphGateway;
let users: Map<string, DemoUserRecord>;

/** A mailbox the demo directory knows (Graph sends only from an existing mailbox). */
const SENDER = "aino@demo.smime-lifecycle.local";
const NOT_SYNCED = "isak";
const THUMB = (n: number) => n.toString(16).toUpperCase().padStart(40, "0");

const gatewayFor = (s: Started) =>
  createGraphGateway({
    baseUrl: s.tenant.baseUrl,
    credential: staticToken("demo"),
    sleep: async () => undefined,
    random: () => 0.5,
    retry: { maxAttempts: 2 },
  });

beforeAll(async () => {
  h = await harness("notify");
  h.clock.set(NOW);
  started = await startTestTenant();
  throttled = await startTestTenant({ throttleRate: 1, retryAfterSeconds: 0 });
  graph = gatewayFor(started);
  const dataset = started.tenant.dataset!;
  users = new Map(dataset.users.map((u) => [u.spec.name, u]));
  // Isak is left for the directory sync to store later: his notices read him from Graph.
  for (const u of dataset.users.filter((x) => x.spec.name !== NOT_SYNCED))
    await h.stores.users.put(
      {
        userId: u.id,
        userPrincipalName: u.userPrincipalName,
        displayName: u.spec.displayName,
        primarySmtp: u.primarySmtp,
        preferredLanguage: u.spec.language,
        accountEnabled: u.spec.accountEnabled ?? true,
        deleted: false,
        reasons: [],
        updatedAt: NOW.toISOString(),
      },
      { ifAbsent: true },
    );
}, 60_000);
afterAll(async () => {
  await started?.stop();
  await throttled?.stop();
  await h?.close();
});

const user = (name: string): DemoUserRecord => {
  const u = users.get(name);
  if (!u) throw new Error(`no demo user ${name}`);
  return u;
};

function depsWith(notify: Partial<NotifySettings> = {}, g: SendNotificationDeps["graph"] = graph) {
  return {
    ...h.deps,
    notifications: h.stores.notifications,
    graph: g,
    notify: { channel: "companyPortal", dryRun: false, ...notify },
  } satisfies SendNotificationDeps;
}

const request = (data: EventData<"notification.requested">): CloudEventEnvelope =>
  createEvent("notification.requested", data, { source: "/test", time: NOW });

/** Runs `act` and returns what it added to the tenant's outbox. */
async function sentBy(act: () => Promise<unknown>, tenant: Started = started): Promise<OutboxEntry[]> {
  const before = tenant.tenant.outbox().length;
  await act();
  return tenant.tenant.outbox().slice(before);
}

const ledger = (key: NotificationKey) => h.stores.notifications.get(key);

describe("sendNotification on the demo tenant", () => {
  it.each([
    {
      name: "Swedish user, expiring at 30 days",
      who: "astrid",
      data: { reason: "expiring", thresholdDays: 30, notAfter: "2026-03-27T09:00:00.000Z" },
      title: "S/MIME-certifikatet går ut om 25 dagar",
    },
    {
      name: "English user, revoked",
      who: "jenny",
      data: { reason: "revoked" },
      title: "Your S/MIME certificate was revoked",
    },
    {
      name: "Swedish user, re-provisioned",
      who: "bertil",
      data: { reason: "reprovisioned", operationId: "op-1" },
      title: "Nya S/MIME-certifikat är klara",
    },
  ] as const)(
    "$name: one Company Portal notice per device, in the user's language",
    async ({ who, data, title }) => {
      const u = user(who);
      const event = request({ userId: u.id, thumbprint: THUMB(1), ...data });
      const sent = await sentBy(() => sendNotification(depsWith(), messageOf(event)));
      expect(sent).toHaveLength(u.devices.length);
      for (const entry of sent) {
        expect(entry).toMatchObject({ kind: "companyPortal", notificationTitle: title });
        if (entry.kind !== "companyPortal") continue;
        expect(u.devices.map((d) => d.id)).toContain(entry.deviceId);
        expect([...entry.notificationTitle].length).toBeLessThanOrEqual(50);
        expect([...entry.notificationBody].length).toBeLessThanOrEqual(500);
      }
      const sentEvents = h.events("notification.sent").filter((e) => e.userid === u.id);
      expect(sentEvents.map((e) => e.data)).toEqual([
        { requestId: event.id, userId: u.id, channel: "companyPortal", sentAt: NOW.toISOString() },
      ]);
    },
  );

  it("a redelivery sends nothing new and records one outcome", async () => {
    const u = user("carmen");
    const event = request({ userId: u.id, thumbprint: THUMB(2), reason: "expired" });
    const deps = depsWith();
    const first = await sentBy(() => sendNotification(deps, messageOf(event)));
    expect(first).toHaveLength(2);
    let again: Awaited<ReturnType<typeof sendNotification>> | undefined;
    const second = await sentBy(async () => {
      again = await sendNotification(deps, messageOf(event, 2));
    });
    expect(second).toEqual([]);
    expect(again?.outcomes).toEqual({ companyPortal: "skipped" });
    const lines = await h.stores.audit.list({ type: "notification.sent", userId: u.id, limit: 10 });
    expect(lines).toHaveLength(1);
    const key = {
      userId: u.id,
      subjectId: THUMB(2),
      reason: "expired",
      thresholdDays: 0,
      channel: "companyPortal",
    };
    expect((await ledger(key as NotificationKey))?.value.status).toBe("sent");
  });

  it("dry run: records the notice as dryRun and sends nothing", async () => {
    const u = user("dag");
    const event = request({ userId: u.id, thumbprint: THUMB(3), reason: "revoked" });
    const sent = await sentBy(() => sendNotification(depsWith({ dryRun: true }), messageOf(event)));
    expect(sent).toEqual([]);
    const key: NotificationKey = {
      userId: u.id,
      subjectId: THUMB(3),
      reason: "revoked",
      thresholdDays: 0,
      channel: "companyPortal",
    };
    expect((await ledger(key))?.value).toMatchObject({ status: "dryRun", claimedAt: NOW.toISOString() });
    expect(h.events("notification.sent").filter((e) => e.userid === u.id)).toEqual([]);
    // Switched to real sending, the notice dry-run recorded still goes out, once.
    const real = await sentBy(() => sendNotification(depsWith(), messageOf(event, 2)));
    expect(real).toHaveLength(1);
    expect((await ledger(key))?.value.status).toBe("sent");
  });

  it("a user without an enrolled iOS or Android device gets e-mail, text and HTML, in their language", async () => {
    const u = user("ebba");
    // Ebba's phones were retired; only her Windows laptop is enrolled.
    const laptopOnly: SendNotificationDeps["graph"] = {
      ...graph,
      userDevices: async (id) =>
        id === u.id ? [{ id: "laptop-1", operatingSystem: "Windows" }] : graph.userDevices(id),
    };
    const event = request({
      userId: u.id,
      thumbprint: THUMB(4),
      reason: "validationFailed",
      problems: [{ code: "SMTP_MISMATCH", severity: "error", message: "…" }],
    });
    const sent = await sentBy(() =>
      sendNotification(depsWith({ mailSender: SENDER }, laptopOnly), messageOf(event)),
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      kind: "mail",
      from: SENDER,
      to: [u.primarySmtp],
      subject: "Ditt S/MIME-certifikat kan inte användas",
      format: "mime",
      text: expect.stringContaining("annan e-postadress än din"),
      html: expect.stringContaining("<p>Certifikatet anger en annan e-postadress än din"),
      messageId: expect.stringMatching(/^notice\.[0-9a-f]{32}@demo\.smime-lifecycle\.local$/),
    });
    expect(sent[0]?.kind === "mail" && sent[0].text).toMatch(/^Hej /);
    expect(h.events("notification.sent").find((e) => e.userid === u.id)?.data).toMatchObject({
      channel: "email",
    });
  });

  it("channel both: Company Portal on each device and one e-mail", async () => {
    const u = user("karl");
    const event = request({ userId: u.id, thumbprint: THUMB(5), reason: "expiring", thresholdDays: 30 });
    const sent = await sentBy(() =>
      sendNotification(depsWith({ channel: "both", mailSender: SENDER }), messageOf(event)),
    );
    expect(sent.map((e) => e.kind).sort()).toEqual(["companyPortal", "companyPortal", "mail"]);
  });

  it("a permanent 4xx (an unknown sender mailbox) → notification.failed, and the message completes", async () => {
    const u = user("frank");
    const event = request({ userId: u.id, thumbprint: THUMB(6), reason: "expired" });
    const deps = depsWith({ channel: "email", mailSender: "nobody@demo.smime-lifecycle.local" });
    const sent = await sentBy(() => sendNotification(deps, messageOf(event)));
    expect(sent).toEqual([]);
    const failed = h.events("notification.failed").filter((e) => e.userid === u.id);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.data).toMatchObject({ requestId: event.id, channel: "email" });
    expect(failed[0]?.data).toMatchObject({ error: expect.stringMatching(/invalid/i) });
    const key: NotificationKey = {
      userId: u.id,
      subjectId: THUMB(6),
      reason: "expired",
      thresholdDays: 0,
      channel: "email",
    };
    expect((await ledger(key))?.value.status).toBe("failed");
    // A redelivery tries no second time.
    const again = await sendNotification(deps, messageOf(event, 2));
    expect(again.outcomes).toEqual({ email: "skipped" });
  });

  it("Graph 429 → RetryableError; the claim is given back, so the next delivery sends at once", async () => {
    const u = user("harriet");
    const busy: SendNotificationDeps["graph"] = {
      ...graph,
      notifyCompanyPortal: gatewayFor(throttled).notifyCompanyPortal,
    };
    const event = request({ userId: u.id, thumbprint: THUMB(7), reason: "revoked" });
    await expect(sendNotification(depsWith({}, busy), messageOf(event))).rejects.toBeInstanceOf(
      RetryableError,
    );
    const key: NotificationKey = {
      userId: u.id,
      subjectId: THUMB(7),
      reason: "revoked",
      thresholdDays: 0,
      channel: "companyPortal",
    };
    expect((await ledger(key))?.value).toMatchObject({
      status: "claimed",
      error: expect.stringMatching(/^released/),
    });
    const sent = await sentBy(() => sendNotification(depsWith(), messageOf(event, 2)));
    expect(sent).toHaveLength(1);
  });

  it("a claim held by a live delivery makes a concurrent one retry later; a stale claim is taken over", async () => {
    const u = user("lisa");
    const key: NotificationKey = {
      userId: u.id,
      subjectId: THUMB(8),
      reason: "expired",
      thresholdDays: 0,
      channel: "companyPortal",
    };
    await h.stores.notifications.claim({ ...key, status: "claimed", claimedAt: NOW.toISOString() });
    const event = request({ userId: u.id, thumbprint: THUMB(8), reason: "expired" });
    await expect(sendNotification(depsWith(), messageOf(event))).rejects.toBeInstanceOf(RetryableError);
    // Ten minutes on, the claimant is presumed dead: the notice goes out.
    h.clock.set(new Date(NOW.getTime() + 10 * 60_000));
    try {
      const sent = await sentBy(() => sendNotification(depsWith(), messageOf(event, 2)));
      expect(sent).toHaveLength(1);
    } finally {
      h.clock.set(NOW);
    }
  });

  it("a user the directory sync has not stored yet is read from Graph: told, in his language", async () => {
    const u = user(NOT_SYNCED);
    expect(await h.stores.users.get(u.id)).toBeUndefined();
    const event = request({ userId: u.id, thumbprint: THUMB(10), reason: "expired" });
    const sent = await sentBy(() => sendNotification(depsWith(), messageOf(event)));
    expect(sent).toHaveLength(u.devices.length);
    expect(sent[0]).toMatchObject({
      kind: "companyPortal",
      notificationTitle: "Ditt S/MIME-certifikat har gått ut",
    });
  });

  it("an unknown user is a permanent failure; a disabled one is told nothing", async () => {
    const nobody = request({ userId: "no-such-user", thumbprint: THUMB(9), reason: "revoked" });
    await expect(sendNotification(depsWith(), messageOf(nobody))).rejects.toThrow(/unknown user/);
    const vera = user("vera");
    const disabled = request({ userId: vera.id, thumbprint: THUMB(9), reason: "revoked" });
    const sent = await sentBy(() => sendNotification(depsWith(), messageOf(disabled)));
    expect(sent).toEqual([]);
  });
});

describe("Company Portal's limit on the demo tenant: 10 per device per hour", () => {
  it("the 11th notice to a device is scheduled for when the first leaves the hour, then sent", async () => {
    const u = user("oliver");
    const deps = depsWith();
    const base = new Date("2026-03-02T10:00:00Z");
    const sent: OutboxEntry[] = [];
    let last: Awaited<ReturnType<typeof sendNotification>> | undefined;
    for (let i = 0; i < 11; i += 1) {
      h.clock.set(new Date(base.getTime() + i * 60_000));
      const event = request({ userId: u.id, thumbprint: THUMB(100 + i), reason: "revoked" });
      sent.push(
        ...(await sentBy(async () => {
          last = await sendNotification(deps, messageOf(event));
        })),
      );
    }
    expect(sent).toHaveLength(10);
    expect(last?.outcomes).toEqual({ companyPortal: "deferred" });
    expect(await h.inProcessBus.depth("notifications")).toMatchObject({ scheduled: 1 });

    // The scheduled copy comes due an hour after the first notice, and goes out then.
    const due = new Date(base.getTime() + 60 * 60_000);
    h.clock.set(new Date(due.getTime() - 1000));
    expect(await h.inProcessBus.depth("notifications")).toMatchObject({ scheduled: 1, active: 0 });
    h.clock.set(due);
    const handled: string[] = [];
    const subscription = h.inProcessBus.subscribe("notifications", async (message) => {
      const result = await sendNotification(deps, message);
      handled.push(JSON.stringify(result.outcomes));
    });
    try {
      for (let i = 0; i < 200 && handled.length === 0; i += 1) await new Promise((r) => setTimeout(r, 25));
    } finally {
      await subscription.close();
      h.clock.set(NOW);
    }
    expect(handled).toEqual([JSON.stringify({ companyPortal: "sent" })]);
    const titles = started.tenant
      .outbox()
      .filter((e) => e.kind === "companyPortal" && e.userPrincipalName === u.userPrincipalName);
    expect(titles).toHaveLength(11);
  });
});

describe("concurrent deliveries on the demo tenant", () => {
  it("the same notice delivered twice at once goes out once; the loser retries later", async () => {
    const u = user("jakob");
    const event = request({ userId: u.id, thumbprint: THUMB(200), reason: "revoked" });
    const deps = depsWith();
    let results: PromiseSettledResult<unknown>[] = [];
    const sent = await sentBy(async () => {
      results = await Promise.allSettled([
        sendNotification(deps, messageOf(event)),
        sendNotification(deps, messageOf(event, 2)),
      ]);
    });
    expect(sent).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(RetryableError);
  });

  it("twelve different notices to one device at once: never more than 10 go out this hour", async () => {
    const u = user("ronja");
    const deps = depsWith();
    const events = Array.from({ length: 12 }, (_, i) =>
      request({ userId: u.id, thumbprint: THUMB(300 + i), reason: "expired" }),
    );
    let results: PromiseSettledResult<Awaited<ReturnType<typeof sendNotification>>>[] = [];
    const sent = await sentBy(async () => {
      results = await Promise.allSettled(events.map((e) => sendNotification(deps, messageOf(e))));
    });
    const outcomes = results.map((r) =>
      r.status === "fulfilled" ? String(r.value.outcomes.companyPortal) : (r.reason as Error).name,
    );
    expect(sent.length).toBeLessThanOrEqual(10);
    expect(sent).toHaveLength(outcomes.filter((o) => o === "sent").length);
    // Every notice not sent is either scheduled for later or left to the bus to retry.
    for (const o of outcomes) expect(["sent", "deferred", "RetryableError"]).toContain(o);
    expect(outcomes.filter((o) => o !== "sent").length).toBeGreaterThanOrEqual(2);
    // The bus's retry of a notice that lost the race for a slot finds the hour full: scheduled, not sent.
    const retried = events.filter((_, i) => outcomes[i] === "RetryableError");
    const again = await sentBy(async () => {
      for (const e of retried)
        expect((await sendNotification(deps, messageOf(e, 2))).outcomes).toEqual({
          companyPortal: "deferred",
        });
    });
    expect(again).toEqual([]);
  });
});
