/**
 * The audit on the demo tenant's own Outlook policies (shared/local/demo-tenant/policies.ts): the iOS policy
 * deploys S/MIME as intended, the Android one has drifted, a Teams policy is among them. The policies reach
 * the use case as the Graph adapter hands them over: each parsed by the contract schema its `@odata.type`
 * names. Stores on Azurite, the in-process bus.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSettings } from "../../../shared/config.ts";
import {
  ANDROID_MANAGED_STORE_APP_CONFIGURATION_TYPE,
  AndroidManagedStoreAppConfiguration,
  IOS_MOBILE_APP_CONFIGURATION_TYPE,
  IosMobileAppConfiguration,
} from "../../../shared/contracts/graph.ts";
import type { GraphItem } from "../../../shared/local/demo-tenant/model.ts";
import { mobileAppConfigurations, OUTLOOK_KEYS } from "../../../shared/local/demo-tenant/policies.ts";
import { type AuditAppConfigDeps, auditAppConfig } from "../../../shared/usecases/audit-app-config.ts";
import { driftedPlatforms } from "../../../shared/usecases/policy-drift-state.ts";
import { type Harness, harness } from "../usecases/harness.ts";

const AT = new Date("2026-06-01T00:00:00Z");
const LDAP_HOST = "ldap.demo.smime-lifecycle.local";

/** As the adapter reads them: the two kinds the audit knows, each through its schema; the rest skipped. */
function asGraphReturnsThem(
  items: readonly GraphItem[],
): (IosMobileAppConfiguration | AndroidManagedStoreAppConfiguration)[] {
  const out: (IosMobileAppConfiguration | AndroidManagedStoreAppConfiguration)[] = [];
  for (const item of items) {
    if (item["@odata.type"] === IOS_MOBILE_APP_CONFIGURATION_TYPE)
      out.push(IosMobileAppConfiguration.parse(item));
    else if (item["@odata.type"] === ANDROID_MANAGED_STORE_APP_CONFIGURATION_TYPE)
      out.push(AndroidManagedStoreAppConfiguration.parse(item));
  }
  return out;
}

let h: Harness;
let policies: GraphItem[];
let deps: AuditAppConfigDeps;

beforeAll(async () => {
  h = await harness("ucappconfigdemo");
  policies = mobileAppConfigurations({ seed: "demo", ldapHost: LDAP_HOST, at: AT });
  deps = { ...h.deps, graph: { appConfigurations: async () => asGraphReturnsThem(policies) } };
});
afterAll(() => h.close());

const androidId = () =>
  String(policies.find((p) => p["@odata.type"] === ANDROID_MANAGED_STORE_APP_CONFIGURATION_TYPE)?.id);

describe("auditAppConfig on the demo tenant's policies", () => {
  it("finds the Android drift with its differing keys, iOS in line, Teams ignored (default settings)", async () => {
    const desired = parseSettings({}).outlook;
    const result = await auditAppConfig(deps, { now: AT, desired });
    expect(result.audits.map((a) => [a.platform, a.drifted, a.policyIds.length])).toEqual([
      ["iOS", false, 1],
      ["android", true, 1],
    ]);
    const [event] = h.events("policy.drifted");
    expect(event?.data).toEqual({
      platform: "android",
      policyId: androidId(),
      differences: [
        { key: OUTLOOK_KEYS.smimeEnabled, expected: true, actual: false },
        { key: OUTLOOK_KEYS.certsFromIntune, expected: true, actual: null },
      ],
      observedAt: AT.toISOString(),
    });
    expect(await driftedPlatforms(h.stores.cursors)).toEqual(["android"]);
  });

  it("a second audit emits the same id", async () => {
    await auditAppConfig(deps, { now: new Date("2026-06-01T06:41:00Z"), desired: parseSettings({}).outlook });
    const events = h.events("policy.drifted");
    expect(events).toHaveLength(2);
    expect(events[1]?.id).toBe(events[0]?.id);
  });

  it("with the demo's own baseline as the desired state, iOS stays in line and Android differs only where it drifted", async () => {
    const desired = parseSettings({
      OUTLOOK_SMIME_USER_CHANGE_ALLOWED: "false",
      OUTLOOK_SMIME_ENCRYPT_ALL_MAIL: "false",
      OUTLOOK_SMIME_SIGN_ALL_MAIL: "true",
      OUTLOOK_LDAP_HOST: LDAP_HOST,
    }).outlook;
    const result = await auditAppConfig(deps, { now: new Date("2026-06-02T00:00:00Z"), desired });
    expect(result.drifted).toEqual(["android"]);
    expect(result.audits.find((a) => a.platform === "android")?.differences.map((d) => d.key)).toEqual([
      OUTLOOK_KEYS.smimeEnabled,
      OUTLOOK_KEYS.certsFromIntune,
    ]);
  });
});
