/**
 * The pipeline's metrics, read from the process's in-memory metric reader after the real use cases ran on
 * their real parts (Azurite stores, the in-process bus, CRLs on loopback, the demo tenant for Graph).
 * Counters are cumulative over the process, so each case compares before and after.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGraphGateway, staticToken } from "../../../shared/adapters/graph/index.ts";
import { createInProcessBus, type InProcessBus } from "../../../shared/adapters/in-process-bus/bus.ts";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import { createEvent, type EventData } from "../../../shared/contracts/events.ts";
import { MetricNames, watchDeadLetters } from "../../../shared/telemetry/metrics.ts";
import type { Telemetry } from "../../../shared/telemetry/start.ts";
import { checkCrls } from "../../../shared/usecases/check-crls.ts";
import { queryStatus } from "../../../shared/usecases/query-status.ts";
import { scanExpiry } from "../../../shared/usecases/scan-expiry.ts";
import { type SendNotificationDeps, sendNotification } from "../../../shared/usecases/send-notification.ts";
import { certificateEvent, thumbprintOf } from "../../support/bus-events.ts";
import { histogramOf, memoryTelemetry, metricValue } from "../../support/telemetry.ts";
import { type Started, startTestTenant, NOW as TENANT_NOW } from "../demo-tenant/support.ts";
import { base64, type Harness, harness, messageOf, NOW, storedRecord } from "../usecases/harness.ts";

let telemetry: Telemetry;
let files = 0;
beforeAll(async () => {
  telemetry = await memoryTelemetry();
});

/** A certificate record as onCertificateEvent would have stored it. */

const DAY = 86_400_000;
const inDays = (days: number) => new Date(NOW.getTime() + days * DAY + 3_600_000).toISOString();

describe("certificates by state and days to expiry", () => {
  let h: Harness;
  afterEach(() => h.close());

  it("the daily expiry scan counts every state and records each live certificate's days to expiry", async () => {
    h = await harness(`metricscan${++files}`);
    const records = [
      storedRecord("soon", { notAfter: inDays(9), state: "expiring" }),
      storedRecord("later", { notAfter: inDays(100) }),
      storedRecord("far", { notAfter: inDays(800) }),
      storedRecord("gone", { notAfter: inDays(-1), state: "valid" }),
      storedRecord("revoked", { notAfter: inDays(20), state: "revoked" }),
      storedRecord("removed", { notAfter: inDays(20), state: "removed" }),
    ];
    for (const r of records) await h.stores.certificates.put(r, { force: true });
    const before = await histogramOf(telemetry, MetricNames.daysToExpiry);

    await scanExpiry(h.deps, { now: NOW });

    const byState = Object.fromEntries(
      await Promise.all(
        ["valid", "expiring", "revoked", "removed", "expired", "invalid", "discovered"].map(
          async (state) =>
            [state, await metricValue(telemetry, MetricNames.certificates, { state })] as const,
        ),
      ),
    );
    expect(byState).toEqual({
      valid: 3,
      expiring: 1,
      revoked: 1,
      removed: 1,
      expired: 0,
      invalid: 0,
      discovered: 0,
    });
    // Soon, later and far: the expired, revoked and removed ones have no days left to count.
    const after = await histogramOf(telemetry, MetricNames.daysToExpiry);
    expect((after?.count ?? 0) - (before?.count ?? 0)).toBe(3);
    expect((after?.sum ?? 0) - (before?.sum ?? 0)).toBe(9 + 100 + 800);
    // The buckets: ≤14 days, ≤180 days, and over 730 days.
    const grew = (i: number) => (after?.buckets.counts[i] ?? 0) - (before?.buckets.counts[i] ?? 0);
    expect(after?.buckets.boundaries).toEqual([1, 7, 14, 30, 60, 90, 180, 365, 730]);
    expect([grew(2), grew(6), grew(9)]).toEqual([1, 1, 1]);
  });

  it("the status query sets the gauge to what it counted", async () => {
    h = await harness(`metricstatus${++files}`);
    await h.stores.certificates.put(storedRecord("one", { state: "invalid" }), { force: true });
    await h.stores.certificates.put(storedRecord("two", { state: "invalid" }), { force: true });
    const status = await queryStatus(h.deps);
    expect(status.certificates.byState.invalid).toBe(2);
    expect(await metricValue(telemetry, MetricNames.certificates, { state: "invalid" })).toBe(2);
    expect(await metricValue(telemetry, MetricNames.certificates, { state: "valid" })).toBe(0);
  });
});

describe("CRL fetch failures", () => {
  let h: Harness;
  afterEach(() => h.close());

  it("count once per endpoint and run while it cannot be fetched, by its host, and not when it is", async () => {
    h = await harness(`metriccrl${++files}`);
    const leaf = await h.pki.leaf({ email: "crl@contoso.com" });
    await h.stores.certificates.put(
      storedRecord("crl", {
        thumbprint: thumbprintOf("crl-leaf"),
        certificate: base64(leaf.der),
        crlUrls: [h.pki.caCrlUrl, h.pki.rootCrlUrl],
      }),
      { force: true },
    );
    const host = new URL(h.pki.caCrlUrl).host;
    const failures = () => metricValue(telemetry, MetricNames.crlFetchFailures, { "server.address": host });
    const start = await failures();

    await checkCrls(h.deps, { now: NOW });
    expect(await failures()).toBe(start);

    h.pki.server.route("/ca.crl", { status: 503 });
    for (const at of ["2026-06-01T01:00:00Z", "2026-06-01T02:00:00Z"]) {
      h.resetNetworkCaches();
      h.clock.set(at);
      await checkCrls(h.deps, { now: h.clock.now() });
    }
    // Two runs, one endpoint down each time (the root's CRL on the same host still answers).
    expect(await failures()).toBe(start + 2);
  });
});

describe("dead letters", () => {
  let bus: InProcessBus | undefined;
  afterEach(async () => {
    await bus?.close();
    bus = undefined;
  });

  it("report each queue's dead-letter depth, read from the bus at each collection", async () => {
    bus = createInProcessBus({
      file: ":memory:",
      pollIntervalMs: 5,
      backoff: { baseMs: 0, maxMs: 0 },
      queues: { certificateEvents: { maxDeliveryCount: 2 } },
    });
    const open = bus;
    watchDeadLetters(() => open);
    expect(await metricValue(telemetry, MetricNames.deadLetters, { queue: "certificate-events" })).toBe(0);

    const subscription = open.subscribe("certificateEvents", async () => {
      throw new Error("poison");
    });
    await open.publish("certificateEvents", certificateEvent("metrics-dead", "alice", 1));
    await open.publish("certificateEvents", certificateEvent("metrics-dead", "bob", 2));
    const deadline = Date.now() + 10_000;
    while ((await open.depth("certificateEvents")).deadLetter < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await subscription.close();

    expect(await metricValue(telemetry, MetricNames.deadLetters, { queue: "certificate-events" })).toBe(2);
    expect(await metricValue(telemetry, MetricNames.deadLetters, { queue: "notifications" })).toBe(0);
  });
});

describe("notifications sent and failed", () => {
  let h: Harness;
  let tenant: Started;
  beforeAll(async () => {
    h = await harness(`metricnotify${++files}`);
    h.clock.set(TENANT_NOW);
    tenant = await startTestTenant();
  }, 60_000);
  afterAll(async () => {
    await tenant?.stop();
    await h?.close();
  });

  const deps = (notify: Partial<SendNotificationDeps["notify"]> = {}): SendNotificationDeps => ({
    ...h.deps,
    notifications: h.stores.notifications,
    graph: createGraphGateway({
      baseUrl: tenant.tenant.baseUrl,
      credential: staticToken("demo"),
      sleep: async () => undefined,
      retry: { maxAttempts: 1 },
    }),
    notify: { channel: "companyPortal", dryRun: false, ...notify },
  });
  const userId = (name: string) => {
    const u = tenant.tenant.dataset?.users.find((x) => x.spec.name === name);
    if (!u) throw new Error(`no demo user ${name}`);
    return u.id;
  };
  const request = (data: EventData<"notification.requested">): CloudEventEnvelope =>
    createEvent("notification.requested", data, { source: "/test", time: TENANT_NOW });
  const counts = async () => ({
    sentPortal: await metricValue(telemetry, MetricNames.notificationsSent, { channel: "companyPortal" }),
    failedEmail: await metricValue(telemetry, MetricNames.notificationsFailed, { channel: "email" }),
  });

  const cases: {
    name: string;
    who: string;
    notify?: Partial<SendNotificationDeps["notify"]>;
    grew: { sentPortal: number; failedEmail: number };
  }[] = [
    // Once per notice and channel, however many devices it went to.
    {
      name: "a Company Portal notice counts once as sent",
      who: "jenny",
      grew: { sentPortal: 1, failedEmail: 0 },
    },
    {
      name: "a refused e-mail (unknown sender mailbox) counts once as failed",
      who: "frank",
      notify: { channel: "email", mailSender: "nobody@demo.smime-lifecycle.local" },
      grew: { sentPortal: 0, failedEmail: 1 },
    },
    {
      name: "a dry run counts neither",
      who: "dag",
      notify: { dryRun: true },
      grew: { sentPortal: 0, failedEmail: 0 },
    },
  ];
  it.each(cases)("$name, and its redelivery adds nothing", async ({ who, notify, grew }) => {
    const event = request({ userId: userId(who), thumbprint: thumbprintOf(who), reason: "revoked" });
    const before = await counts();
    await sendNotification(deps(notify), messageOf(event));
    const after = await counts();
    expect({
      sentPortal: after.sentPortal - before.sentPortal,
      failedEmail: after.failedEmail - before.failedEmail,
    }).toEqual(grew);
    await sendNotification(deps(notify), messageOf(event, 2));
    expect(await counts()).toEqual(after);
  });
});
