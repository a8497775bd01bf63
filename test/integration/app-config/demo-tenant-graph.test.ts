/**
 * The audit end to end over HTTP: the demo tenant on loopback, the real Graph gateway reading its
 * `deviceAppManagement/mobileAppConfigurations` (listing, then each policy through its type cast), the use
 * case on Azurite stores and the in-process bus. What `npm start` shows: the drift in the demo's Android policy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGraphGateway, staticToken } from "../../../shared/adapters/graph/index.ts";
import { parseSettings } from "../../../shared/config.ts";
import { OUTLOOK_KEYS } from "../../../shared/local/demo-tenant/policies.ts";
import { auditAppConfig } from "../../../shared/usecases/audit-app-config.ts";
import { driftedPlatforms } from "../../../shared/usecases/policy-drift-state.ts";
import { NOW, type Started, startTestTenant } from "../demo-tenant/support.ts";
import { type Harness, harness } from "../usecases/harness.ts";

let h: Harness;
let started: Started;

beforeAll(async () => {
  h = await harness("ucappconfighttp");
  // Calls answered 429 at a rate of one in five: the gateway's retries make the audit see every policy anyway.
  started = await startTestTenant({ throttleRate: 0.2, retryAfterSeconds: 0 });
});
afterAll(async () => {
  await started?.stop();
  await h?.close();
});

describe("auditAppConfig against the demo tenant over HTTP", () => {
  it("finds the demo's Android drift through the Graph gateway, twice with one id", async () => {
    const graph = createGraphGateway({
      baseUrl: started.tenant.baseUrl,
      credential: staticToken("demo"),
      sleep: async () => undefined,
      random: () => 0.5,
    });
    const deps = { ...h.deps, graph };
    const desired = parseSettings({}).outlook;
    const first = await auditAppConfig(deps, { now: NOW, desired });
    expect(first.unreadable).toEqual([]);
    expect(first.drifted).toEqual(["android"]);
    expect(first.audits.find((a) => a.platform === "iOS")).toMatchObject({ drifted: false, differences: [] });
    const second = await auditAppConfig(deps, { now: new Date(NOW.getTime() + 6 * 3_600_000), desired });
    expect(second.drifted).toEqual(["android"]);
    const events = h.events("policy.drifted");
    expect(events).toHaveLength(2);
    expect(events[1]?.id).toBe(events[0]?.id);
    expect(events[0]?.data).toMatchObject({
      platform: "android",
      differences: [
        { key: OUTLOOK_KEYS.smimeEnabled, expected: true, actual: false },
        { key: OUTLOOK_KEYS.certsFromIntune, expected: true, actual: null },
      ],
    });
    expect(await driftedPlatforms(h.stores.cursors)).toEqual(["android"]);
  });
});
