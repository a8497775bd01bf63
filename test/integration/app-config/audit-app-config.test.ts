/**
 * auditAppConfig on its real surroundings (Table stores on Azurite, the in-process bus, readiness computed by
 * the real processors) with Graph faked in memory: the fake answers what Graph's adapter answers, policies
 * parsed by the Graph contracts' own schemas.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutlookPolicySettings } from "../../../shared/config.ts";
import { createEvent, parseEvent } from "../../../shared/contracts/events.ts";
import {
  AndroidManagedStoreAppConfiguration,
  IosMobileAppConfiguration,
} from "../../../shared/contracts/graph.ts";
import type { IntuneDevices } from "../../../shared/ports.ts";
import {
  AUDIT_APP_CONFIG_LAST_RUN,
  type AuditAppConfigDeps,
  auditAppConfig,
  NO_POLICY_ID,
} from "../../../shared/usecases/audit-app-config.ts";
import {
  driftedPlatforms,
  POLICY_DRIFT_CURSOR,
  readPolicyDrift,
} from "../../../shared/usecases/policy-drift-state.ts";
import { processCertificateEvent } from "../../../shared/usecases/process-certificate-event.ts";
import { refreshReadiness } from "../../../shared/usecases/refresh-readiness.ts";
import { base64, type Harness, harness, messageOf, NOW } from "../usecases/harness.ts";

const K = "com.microsoft.outlook.Mail.SMIMEEnabled";
const DESIRED: OutlookPolicySettings = { smimeEnabled: true, certsFromIntune: true };
const OUTLOOK_IOS_APP_ID = "8a1f6c3e-0000-4000-8000-0000000000a1";

type GraphPolicy = IosMobileAppConfiguration | AndroidManagedStoreAppConfiguration;

/** Graph, faked: the policies the tenant holds, as the adapter returns them (parsed by the contracts). */
function fakeGraph(): Pick<IntuneDevices, "appConfigurations"> & { policies: GraphPolicy[]; calls: number } {
  const graph = {
    policies: [] as GraphPolicy[],
    calls: 0,
    async appConfigurations() {
      graph.calls++;
      return graph.policies.map((p) => structuredClone(p));
    },
  };
  return graph;
}

const iosPolicy = (id: string, settings: Record<string, boolean | string>) =>
  IosMobileAppConfiguration.parse({
    id,
    displayName: `Outlook iOS ${id}`,
    targetedMobileApps: [OUTLOOK_IOS_APP_ID],
    settings: Object.entries(settings).map(([appConfigKey, v]) => ({
      appConfigKey,
      appConfigKeyType: typeof v === "boolean" ? "booleanType" : "stringType",
      appConfigKeyValue: String(v),
    })),
  });

const androidPolicy = (
  id: string,
  properties: Record<string, boolean | string>,
  packageName = "com.microsoft.office.outlook",
) =>
  AndroidManagedStoreAppConfiguration.parse({
    id,
    displayName: `Outlook Android ${id}`,
    targetedMobileApps: ["8a1f6c3e-0000-4000-8000-0000000000b2"],
    packageId: `app:${packageName}`,
    payloadJson: Buffer.from(
      JSON.stringify({
        kind: "androidenterprise#managedConfiguration",
        productId: `app:${packageName}`,
        managedProperty: Object.entries(properties).map(([key, v]) =>
          typeof v === "boolean" ? { key, valueBool: v } : { key, valueString: v },
        ),
      }),
    ).toString("base64"),
  });

const GOOD = { [K]: true, [`${K}.CertsFromIntune`]: true };
/** The demo tenant's misconfiguration: S/MIME off, certificates from Intune never said. */
const MISCONFIGURED = { [K]: false };

let h: Harness;
let graph: ReturnType<typeof fakeGraph>;
let deps: AuditAppConfigDeps;
const users: { userId: string; upn: string }[] = [];

const sha1 = (der: Uint8Array) => createHash("sha1").update(der).digest("hex").toUpperCase();

/** A user whose one certificate is valid for both purposes: ready everywhere unless a policy drifted. */
async function readyUser(label: string) {
  const user = { userId: `user-${label}`, upn: `${label}@contoso.com` };
  const leaf = await h.pki.leaf({ email: user.upn });
  const event = createEvent(
    "certificate.discovered",
    {
      userId: user.userId,
      thumbprint: sha1(leaf.der),
      userPrincipalName: user.upn,
      source: "manual",
      purpose: "both",
      certificate: base64(leaf.der),
      smtp: user.upn,
    },
    { source: "/smime-lifecycle/test", time: NOW },
  );
  await processCertificateEvent(h.deps, messageOf(event));
  users.push(user);
  return user;
}

const summary = async (userId: string) => (await h.stores.users.get(userId))?.value;
const audit = (at: string, desired = DESIRED) => {
  h.clock.set(at);
  return auditAppConfig(deps, { now: new Date(at), desired });
};
const ledgerDrifts = async () =>
  (await h.stores.audit.list({ type: "policy.drifted", limit: 100 })).map((r) => r.event);

beforeAll(async () => {
  h = await harness("ucappconfig");
  graph = fakeGraph();
  deps = { ...h.deps, graph };
  await readyUser("alice");
  await readyUser("bob");
});
afterAll(() => h.close());

describe("auditAppConfig", () => {
  it("starts from ready users and no drift", async () => {
    expect(await driftedPlatforms(h.stores.cursors)).toEqual([]);
    for (const u of users)
      expect(await summary(u.userId)).toMatchObject({
        signingReady: true,
        encryptionReady: true,
        reasons: [],
      });
  });

  it("finds the misconfigured Android policy: policy.drifted for android with the differing keys, POLICY_DRIFT in readiness", async () => {
    graph.policies = [iosPolicy("ios-outlook", GOOD), androidPolicy("android-outlook", MISCONFIGURED)];
    const result = await audit("2026-06-01T03:41:00Z");
    expect(result.drifted).toEqual(["android"]);
    expect(result.audits.map((a) => [a.platform, a.drifted])).toEqual([
      ["iOS", false],
      ["android", true],
    ]);
    expect(result.refreshedUsers).toBe(users.length);
    const events = h.events("policy.drifted");
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toEqual({
      platform: "android",
      policyId: "android-outlook",
      differences: [
        { key: K, expected: true, actual: false },
        { key: `${K}.CertsFromIntune`, expected: true, actual: null },
      ],
      observedAt: "2026-06-01T03:41:00.000Z",
    });
    // It survives JSON: what the ledger stores parses back as the same event.
    expect(parseEvent(JSON.parse(JSON.stringify(events[0])))).toMatchObject({
      ok: true,
      event: { id: events[0]?.id },
    });
    // Ledger only: nothing in the pipeline acts on it.
    expect(h.bus.ofType("policy.drifted")).toEqual([]);
    for (const u of users) {
      const s = await summary(u.userId);
      expect(s).toMatchObject({ signingReady: false, encryptionReady: false });
      expect(s?.reasons).toEqual(["POLICY_DRIFT"]);
    }
    expect((await h.stores.cursors.get(AUDIT_APP_CONFIG_LAST_RUN))?.value).toBe("2026-06-01T03:41:00.000Z");
  });

  it("a user whose certificate changes while the drift lasts keeps POLICY_DRIFT", async () => {
    const carol = await readyUser("carol");
    expect((await summary(carol.userId))?.reasons).toEqual(["POLICY_DRIFT"]);
  });

  it("the same drift the next day is the same event, and no user is refreshed again", async () => {
    const before = await ledgerDrifts();
    const result = await audit("2026-06-02T03:41:00Z");
    expect(result.drifted).toEqual(["android"]);
    expect(result.refreshedUsers).toBe(0);
    const events = h.events("policy.drifted");
    expect(events.at(-1)?.id).toBe(events[0]?.id);
    expect((await ledgerDrifts()).map((e) => e.id)).toEqual(before.map((e) => e.id));
  });

  it("a changed drift is a new event", async () => {
    graph.policies = [iosPolicy("ios-outlook", GOOD), androidPolicy("android-outlook", { [K]: true })];
    const result = await audit("2026-06-03T03:41:00Z");
    expect(result.drifted).toEqual(["android"]);
    expect(result.refreshedUsers).toBe(0);
    const ids = new Set(h.events("policy.drifted").map((e) => e.id));
    expect(ids.size).toBe(2);
    expect(h.events("policy.drifted").at(-1)?.data).toMatchObject({
      differences: [{ key: `${K}.CertsFromIntune`, expected: true, actual: null }],
    });
  });

  it("fixed: the drift clears and POLICY_DRIFT leaves readiness", async () => {
    graph.policies = [iosPolicy("ios-outlook", GOOD), androidPolicy("android-outlook", GOOD)];
    const published = h.events("policy.drifted").length;
    const result = await audit("2026-06-04T03:41:00Z");
    expect(result.drifted).toEqual([]);
    expect(result.refreshedUsers).toBe(users.length);
    expect(h.events("policy.drifted")).toHaveLength(published);
    expect(await driftedPlatforms(h.stores.cursors)).toEqual([]);
    for (const u of users)
      expect(await summary(u.userId)).toMatchObject({
        signingReady: true,
        encryptionReady: true,
        reasons: [],
      });
  });

  it("no Outlook policy for a platform is drift: policyId none, every expected key missing", async () => {
    graph.policies = [
      androidPolicy("android-outlook", GOOD),
      androidPolicy("teams", GOOD, "com.microsoft.teams"),
    ];
    const result = await audit("2026-06-05T03:41:00Z");
    expect(result.drifted).toEqual(["iOS"]);
    expect(h.events("policy.drifted").at(-1)?.data).toMatchObject({
      platform: "iOS",
      policyId: NO_POLICY_ID,
      differences: [
        { key: K, expected: true, actual: null },
        { key: `${K}.CertsFromIntune`, expected: true, actual: null },
      ],
    });
    const s = await summary(users[0]!.userId);
    expect(s?.reasons).toEqual(["POLICY_DRIFT"]);
  });

  it("an Outlook Android policy whose payload cannot be read: reported, the platform keeps its last verdict", async () => {
    graph.policies = [
      androidPolicy("android-outlook", GOOD),
      { ...androidPolicy("android-outlook-2", GOOD), payloadJson: "%%% not base64 %%%" },
      iosPolicy("ios-outlook", GOOD),
    ];
    const result = await audit("2026-06-06T03:41:00Z");
    expect(result.unreadable).toEqual([
      { id: "android-outlook-2", platform: "android", reason: "payloadJson is not base64" },
    ]);
    expect(result.audits.map((a) => a.platform)).toEqual(["iOS"]);
    expect(result.drifted).toEqual([]);
    expect(h.logger.lines.some((l) => l.level === "error" && l.fields.policyId === "android-outlook-2")).toBe(
      true,
    );
  });

  it("the unreadable platform keeps a drift it had", async () => {
    graph.policies = [androidPolicy("android-outlook", MISCONFIGURED), iosPolicy("ios-outlook", GOOD)];
    await audit("2026-06-07T03:41:00Z");
    graph.policies = [
      { ...androidPolicy("android-outlook", GOOD), payloadJson: Buffer.from("not json").toString("base64") },
      iosPolicy("ios-outlook", GOOD),
    ];
    const result = await audit("2026-06-08T03:41:00Z");
    expect(result.unreadable.map((u) => u.id)).toEqual(["android-outlook"]);
    expect(result.drifted).toEqual(["android"]);
    expect(await driftedPlatforms(h.stores.cursors)).toEqual(["android"]);
  });

  it("a stored drift that does not parse counts as none for readiness, and the next audit replaces it", async () => {
    await h.stores.cursors.set(POLICY_DRIFT_CURSOR, "{not json", new Date("2026-06-09T00:00:00Z"));
    expect(await driftedPlatforms(h.stores.cursors)).toEqual([]);
    const alice = users[0]!;
    await refreshReadiness(
      h.deps,
      { userId: alice.userId, userPrincipalName: alice.upn },
      new Date("2026-06-09T00:00:00Z"),
    );
    expect((await summary(alice.userId))?.reasons).toEqual([]);
    graph.policies = [androidPolicy("android-outlook", GOOD), iosPolicy("ios-outlook", GOOD)];
    const result = await audit("2026-06-09T03:41:00Z");
    expect(result.drifted).toEqual([]);
    expect(h.logger.lines.some((l) => l.level === "warn" && /policy drift unreadable/.test(l.message))).toBe(
      true,
    );
    expect((await readPolicyDrift(h.stores.cursors)).kind).toBe("state");
  });

  it("a Graph failure propagates and leaves the stored drift as it was", async () => {
    const stored = await h.stores.cursors.get(POLICY_DRIFT_CURSOR);
    const failing: AuditAppConfigDeps = {
      ...deps,
      graph: {
        appConfigurations: async () => {
          throw new Error("Graph answered 503");
        },
      },
    };
    await expect(
      auditAppConfig(failing, { now: new Date("2026-06-10T03:41:00Z"), desired: DESIRED }),
    ).rejects.toThrow("503");
    expect(await h.stores.cursors.get(POLICY_DRIFT_CURSOR)).toEqual(stored);
  });
});
