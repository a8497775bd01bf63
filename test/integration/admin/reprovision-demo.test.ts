/**
 * Re-provisioning against the demo tenant, end to end but for the queue consumer: the admin route (real
 * router, bearer token) stores the operation on Azurite and publishes `reprovision.requested`; the test hands
 * each message the bus got (first delivery, redeliveries, scheduled re-checks) to `processReprovision`, with
 * the real Graph gateway talking to the demo tenant over loopback, and moves the clock. A device sync on the
 * tenant installs only what its user lacks (device-installs.ts), and these users lack nothing, so here an
 * install is what the next Intune sync would announce: a `certificate.discovered` of a new certificate from
 * the demo CA, through the real certificate processor. The tenant's own install, found by a real Intune sync
 * in the local host, is test/e2e/reprovision.e2e.test.ts.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminApiDeps } from "../../../functions/admin-api-deps.ts";
import { createGraphGateway, staticToken } from "../../../shared/adapters/graph/index.ts";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import { createEvent, type EventData } from "../../../shared/contracts/events.ts";
import type { OperationRecord } from "../../../shared/contracts/rows.ts";
import { AppRoles } from "../../../shared/http/auth.ts";
import { createRouter, type Router } from "../../../shared/http/router.ts";
import { adminOperationsRoute } from "../../../shared/http/routes/admin-operations.ts";
import { adminReprovisionRoute } from "../../../shared/http/routes/admin-reprovision.ts";
import { type DemoCa, openDemoCa } from "../../../shared/local/demo-ca.ts";
import type { DemoDataset, DemoUserRecord } from "../../../shared/local/demo-tenant/index.ts";
import { parseCertificate } from "../../../shared/pki/certificate.ts";
import type { GraphGateway } from "../../../shared/ports.ts";
import { createPkiDeps } from "../../../shared/runtime.ts";
import { processCertificateEvent } from "../../../shared/usecases/process-certificate-event.ts";
import {
  type ProcessReprovisionDeps,
  processReprovision,
} from "../../../shared/usecases/reprovision-process.ts";
import { mint, request, signingKey, verifierFor } from "../../unit/http/fixtures.ts";
import { NOW, type Started, startTestTenant } from "../demo-tenant/support.ts";
import { type Harness, harness, messageOf } from "../usecases/harness.ts";

const MINUTE = 60_000;
const TIMING = { recheckIntervalMs: MINUTE, deadlineMs: 30 * MINUTE };
/** A Windows laptop: a managed device Outlook mobile never runs on. */
const LAPTOP = { id: "laptop-1", deviceName: "Work laptop", operatingSystem: "Windows" };

let h: Harness;
let started: Started;
let dataset: DemoDataset;
let ca: DemoCa;
let graph: GraphGateway;
let router: Router;
let adminToken = "";
/** Users for whom the Graph gateway answers another device list (users/{id}/managedDevices). */
const devicesOverride = new Map<string, (typeof LAPTOP)[]>();

const SOURCE = { pfx: "intunePfx", scep: "intuneScep", pkcs: "intunePkcs" } as const;

const demoUser = (name: string): DemoUserRecord => {
  const user = dataset.users.find((u) => u.spec.name === name);
  if (!user) throw new Error(`no demo user ${name}`);
  return user;
};

const reprovisionDeps = (): ProcessReprovisionDeps => ({
  ...h.deps,
  operations: h.stores.operations,
  timing: TIMING,
  graph: {
    getUser: (id) => graph.getUser(id),
    syncDevice: (id) => graph.syncDevice(id),
    // Lets a case give a user other devices than the demo tenant's.
    userDevices: async (id) => devicesOverride.get(id) ?? graph.userDevices(id),
  },
});

/** What the next Intune sync announces for a certificate on the user's devices, handled by the processor. */
async function discovered(user: DemoUserRecord, data: Partial<EventData<"certificate.discovered">>) {
  const event = createEvent(
    "certificate.discovered",
    {
      userId: user.id,
      userPrincipalName: user.userPrincipalName,
      smtp: user.primarySmtp,
      source: "intuneScep",
      purpose: "signing",
      thumbprint: "",
      ...data,
    } as EventData<"certificate.discovered">,
    { source: "/smime-lifecycle/syncIntune", time: h.clock.now() },
  );
  await processCertificateEvent(h.deps, messageOf(event));
}

/** The demo tenant's own certificates of a user, announced as the first Intune sync would. */
async function inventoryOf(user: DemoUserRecord) {
  for (const c of dataset.certificates.filter((c) => c.userId === user.id))
    await discovered(user, {
      thumbprint: c.thumbprint,
      source: SOURCE[c.delivery],
      purpose: c.purpose,
      certificate: Buffer.from(c.der).toString("base64"),
      ...(c.platforms.length === 1 && { platform: c.platforms[0] }),
    });
}

/** A certificate the demo CA issues now, as Intune would deliver it to the user's devices after the request. */
async function install(user: DemoUserRecord, purpose: "signing" | "encryption") {
  const now = h.clock.now();
  const leaf = await ca.issue({
    email: user.primarySmtp,
    purpose,
    displayName: user.spec.displayName,
    notBefore: new Date(now.getTime() - MINUTE),
    notAfter: new Date(now.getTime() + 365 * 86_400_000),
  });
  await discovered(user, {
    thumbprint: parseCertificate(leaf.der).thumbprint,
    source: purpose === "encryption" ? "intunePfx" : "intuneScep",
    purpose,
    certificate: Buffer.from(leaf.der).toString("base64"),
  });
}

async function post(body: Record<string, unknown>) {
  const response = await router.dispatch(
    request({
      method: "POST",
      path: "/api/admin/reprovision",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
      body: JSON.stringify(body),
    }),
  );
  return { status: response.status, body: JSON.parse(response.body) as { operationId: string } };
}

async function progress(operationId: string): Promise<OperationRecord> {
  const response = await router.dispatch(
    request({
      path: `/api/admin/operations/${operationId}`,
      headers: { authorization: `Bearer ${adminToken}` },
    }),
  );
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as OperationRecord;
}

/** The reprovision.requested the bus carries for an operation (the one message every look re-delivers). */
const requestedMessage = (operationId: string): CloudEventEnvelope => {
  const found = h.bus
    .ofType("reprovision.requested")
    .find((e) => (e.data as { operationId: string }).operationId === operationId);
  if (!found) throw new Error(`no reprovision.requested for ${operationId}`);
  return found;
};

const deliver = (operationId: string, deliveryCount = 1) =>
  processReprovision(reprovisionDeps(), messageOf(requestedMessage(operationId), deliveryCount));

const later = (ms: number) => h.clock.set(new Date(h.clock.now().getTime() + ms));
const syncsOf = (user: DemoUserRecord) =>
  started.tenant
    .outbox()
    .filter((e) => e.kind === "syncDevice" && user.devices.some((d) => d.id === e.deviceId));
const outcomes = (operationId: string) =>
  h.appended
    .filter((e) => e.type === "reprovision.completed" || e.type === "reprovision.failed")
    .filter((e) => (e.data as { operationId: string }).operationId === operationId);

beforeAll(async () => {
  h = await harness("adminreprov");
  h.clock.set(NOW);
  started = await startTestTenant();
  dataset = started.tenant.dataset!;
  ca = await openDemoCa({ dir: join(started.dir, "demo-ca"), baseUrl: "http://127.0.0.1:7071", now: NOW });
  graph = createGraphGateway({
    baseUrl: started.tenant.baseUrl,
    credential: staticToken("demo"),
    sleep: async () => undefined,
    random: () => 0.5,
  });
  // The engine over the demo CA's trust store, its CRLs answered in process as the local host does.
  Object.assign(h.deps, {
    pki: createPkiDeps({
      trustStorePath: ca.trustStorePath,
      allowPrivateNetwork: false,
      clock: h.clock,
      localCrl: ca.crl,
    }),
  });
  for (const u of dataset.users)
    await h.stores.users.put(
      {
        userId: u.id,
        userPrincipalName: u.userPrincipalName,
        primarySmtp: u.primarySmtp,
        accountEnabled: true,
        deleted: false,
        reasons: [],
        updatedAt: NOW.toISOString(),
      },
      { ifAbsent: true },
    );
  const key = await signingKey();
  adminToken = await mint(key, { roles: [AppRoles.admin], claims: { upn: "admin@contoso.com" } });
  const admin = adminApiDeps({ ...h.deps, operations: h.stores.operations });
  router = createRouter([adminReprovisionRoute(admin), adminOperationsRoute(admin)], {
    verifier: verifierFor(key),
    logger: h.logger,
  });
}, 60_000);
afterAll(async () => {
  await started?.stop();
  await h?.close();
});

describe("re-provisioning a demo user ends completed when the new certificates are installed", () => {
  let operationId = "";
  const aino = () => demoUser("aino");

  it("POST admin/reprovision → 202 {operationId}; the same request again joins the same operation", async () => {
    await inventoryOf(aino());
    const body = { userPrincipalName: aino().userPrincipalName, purpose: "both", reason: "new iPhone" };
    const first = await post(body);
    expect(first.status).toBe(202);
    operationId = first.body.operationId;
    expect((await post(body)).body.operationId).toBe(operationId);
    // Both requests published the operation's one event id: the queue and the ledger keep one.
    expect(new Set(h.events("reprovision.requested").map((e) => e.id)).size).toBe(1);
    expect(h.events("reprovision.requested")[0]?.data).toMatchObject({
      operationId,
      requestedBy: "admin@contoso.com",
      purpose: "both",
    });
    expect(await progress(operationId)).toMatchObject({
      status: "requested",
      requestedBy: "admin@contoso.com",
    });
  });

  it("the first delivery syncs each iOS and Android device once, asks for the notice and follows", async () => {
    const outcome = await deliver(operationId);
    expect(outcome).toMatchObject({ kind: "following" });
    expect(
      syncsOf(aino())
        .map((e) => (e.kind === "syncDevice" ? e.deviceId : ""))
        .sort(),
    ).toEqual(
      aino()
        .devices.map((d) => d.id)
        .sort(),
    );
    expect(h.events("notification.requested").map((e) => e.data)).toContainEqual({
      userId: aino().id,
      reason: "reprovisioned",
      operationId,
    });
    const op = await progress(operationId);
    expect(op.status).toBe("running");
    expect(op.deadline).toBe(new Date(NOW.getTime() + TIMING.deadlineMs).toISOString());
    expect(op.steps.map((s) => s.message).join("\n")).toMatch(/asked .*iPhone.* \(iOS\) to sync/);
  });

  it("a redelivery before the next look repeats nothing", async () => {
    const notices = h.events("notification.requested").length;
    expect(await deliver(operationId, 2)).toMatchObject({ kind: "ignored" });
    expect(syncsOf(aino())).toHaveLength(aino().devices.length);
    expect(h.events("notification.requested")).toHaveLength(notices);
  });

  it("a look with only the new signing certificate installed keeps following (encryption missing)", async () => {
    later(TIMING.recheckIntervalMs);
    await install(aino(), "signing");
    expect(await deliver(operationId)).toMatchObject({ kind: "following" });
    expect((await progress(operationId)).status).toBe("running");
    expect(syncsOf(aino())).toHaveLength(aino().devices.length);
  });

  it("the next look after the new encryption PFX arrived: completed, announced once", async () => {
    later(TIMING.recheckIntervalMs);
    await install(aino(), "encryption");
    expect(await deliver(operationId)).toMatchObject({ kind: "completed" });
    const op = await progress(operationId);
    expect(op.status).toBe("completed");
    expect(op.steps.at(-1)?.message).toMatch(/^new certificate\(s\) installed: [0-9A-F]{40}, [0-9A-F]{40}$/);
    expect(await deliver(operationId, 3)).toMatchObject({ kind: "ignored" });
    expect(outcomes(operationId).map((e) => e.type)).toEqual(["reprovision.completed"]);
  });
});

describe("re-provisioning that cannot finish ends failed with the reason", () => {
  const cases: { name: string; user: string; devices?: (typeof LAPTOP)[]; reason: string }[] = [
    {
      name: "a demo user with no managed device, as the tenant answers",
      user: "nils",
      reason: "nils@demo.smime-lifecycle.local has no enrolled iOS or Android device",
    },
    {
      name: "a user whose devices were all retired",
      user: "bertil",
      devices: [],
      reason: "bertil@demo.smime-lifecycle.local has no enrolled iOS or Android device",
    },
    {
      name: "a user with only a Windows laptop",
      user: "carmen",
      devices: [LAPTOP],
      reason:
        "carmen@demo.smime-lifecycle.local has no enrolled iOS or Android device (1 other device(s): Outlook mobile needs iOS or Android)",
    },
    {
      name: "a user Entra ID does not know",
      user: "",
      devices: [],
      reason: "no user nobody@demo.smime-lifecycle.local in Entra ID",
    },
  ];
  it.each(cases)("$name", async ({ user, devices, reason }) => {
    const upn = user ? demoUser(user).userPrincipalName : "nobody@demo.smime-lifecycle.local";
    if (user && devices) devicesOverride.set(demoUser(user).id, devices);
    const { status, body } = await post({ userPrincipalName: upn, purpose: "signing", reason: "test" });
    expect(status).toBe(202);
    expect(await deliver(body.operationId)).toMatchObject({ kind: "failed" });
    const op = await progress(body.operationId);
    expect(op).toMatchObject({ status: "failed", error: reason });
    expect(op.steps.at(-1)?.message).toBe(`failed: ${reason}`);
    expect(outcomes(body.operationId).map((e) => e.data)).toEqual([
      expect.objectContaining({ operationId: body.operationId, reason }),
    ]);
    if (user) expect(syncsOf(demoUser(user))).toHaveLength(0);
  });

  it("a device retired since the listing (Graph 404 on its sync) is noted; the others are still asked", async () => {
    const frank = demoUser("frank");
    const phone = frank.devices[0]!;
    devicesOverride.set(frank.id, [
      { id: "retired-phone", deviceName: "Old iPhone", operatingSystem: "iOS" },
      { id: phone.id, deviceName: phone.name, operatingSystem: "iOS" },
    ]);
    const { body } = await post({
      userPrincipalName: frank.userPrincipalName,
      purpose: "signing",
      reason: "retired",
    });
    expect(await deliver(body.operationId)).toMatchObject({ kind: "following" });
    const messages = (await progress(body.operationId)).steps.map((s) => s.message);
    expect(messages).toContainEqual(expect.stringMatching(/^could not ask Old iPhone \(iOS\) to sync: /));
    expect(messages).toContain(`asked ${phone.name} (iOS) to sync with Intune`);
    expect(syncsOf(frank)).toHaveLength(1);
  });

  it("nothing installed by the deadline: failed, naming what is missing", async () => {
    const dag = demoUser("dag");
    const { body } = await post({
      userPrincipalName: dag.userPrincipalName,
      purpose: "encryption",
      reason: "lost key",
    });
    expect(await deliver(body.operationId)).toMatchObject({ kind: "following" });
    later(TIMING.deadlineMs);
    expect(await deliver(body.operationId)).toMatchObject({ kind: "failed" });
    const op = await progress(body.operationId);
    expect(op.error).toBe(`no new encryption certificate was installed by ${op.deadline}`);
    expect(syncsOf(dag)).toHaveLength(dag.devices.length);
  });
});

describe("through the in-process bus: the scheduled re-check comes due when the clock passes it", () => {
  /** Waits (polling, no time limit asserted) until `check` holds. */
  async function until(check: () => Promise<boolean>) {
    for (let i = 0; i < 400 && !(await check()); i++) await new Promise((r) => setTimeout(r, 25));
    expect(await check()).toBe(true);
  }

  it("requested → running on delivery; the new certificate installed; the re-check the bus delivers completes it", async () => {
    const ebba = demoUser("ebba");
    await inventoryOf(ebba);
    const handled: string[] = [];
    const subscription = h.inProcessBus.subscribe("reprovision", async (message) => {
      const outcome = await processReprovision(reprovisionDeps(), message);
      handled.push(`${outcome.operationId}:${outcome.kind}`);
    });
    try {
      const { body } = await post({
        userPrincipalName: ebba.userPrincipalName,
        purpose: "signing",
        reason: "bus",
      });
      const id = body.operationId;
      await until(async () => handled.includes(`${id}:following`));
      expect((await progress(id)).status).toBe("running");
      await install(ebba, "signing");
      // Nothing comes before the look is due; then the bus delivers the scheduled message.
      later(TIMING.recheckIntervalMs);
      await until(async () => handled.includes(`${id}:completed`));
      expect((await progress(id)).status).toBe("completed");
      expect(handled.filter((line) => line.startsWith(id))).toEqual([`${id}:following`, `${id}:completed`]);
      expect(syncsOf(ebba)).toHaveLength(ebba.devices.length);
    } finally {
      await subscription.close();
    }
  });
});
