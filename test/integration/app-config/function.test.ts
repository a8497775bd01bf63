/**
 * The auditAppConfig timer function: the runtime's deps and settings (OUTLOOK_* parsed by shared/config.ts)
 * reach the use case; Graph faked in memory, the rest real (Azurite, in-process bus).
 */
import { InvocationContext, type Timer } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditAppConfig, auditAppConfigOptions } from "../../../functions/audit-app-config.ts";
import { createJsonLogger } from "../../../shared/adapters/logger.ts";
import { parseSettings } from "../../../shared/config.ts";
import { AndroidManagedStoreAppConfiguration } from "../../../shared/contracts/graph.ts";
import { installRuntime, type Runtime, uninstallRuntime } from "../../../shared/runtime.ts";
import { driftedPlatforms } from "../../../shared/usecases/policy-drift-state.ts";
import { type Harness, harness } from "../usecases/harness.ts";

const K = "com.microsoft.outlook.Mail.SMIMEEnabled";
let h: Harness;

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: "", lastUpdated: "", next: "" },
};
const context = () => new InvocationContext({ functionName: "auditAppConfig", invocationId: "inv-audit" });

/** Only an Android Outlook policy, saying S/MIME on and certificates from Intune on. */
const policies = [
  AndroidManagedStoreAppConfiguration.parse({
    id: "android-outlook",
    packageId: "app:com.microsoft.office.outlook",
    payloadJson: Buffer.from(
      JSON.stringify({
        managedProperty: [
          { key: K, valueBool: true },
          { key: `${K}.CertsFromIntune`, valueBool: true },
        ],
      }),
    ).toString("base64"),
  }),
];

function install(env: Record<string, string>, withGraph: boolean) {
  const deps = {
    ...h.deps,
    notifications: h.stores.notifications,
    operations: h.stores.operations,
    ...(withGraph && { graph: { appConfigurations: async () => policies } }),
  };
  const runtime: Runtime = {
    mode: "local",
    settings: parseSettings(env),
    logger: createJsonLogger({ write: () => undefined }),
    deps,
    close: async () => undefined,
  };
  installRuntime(runtime);
}

beforeAll(async () => {
  h = await harness("ucappconfigfn");
});
afterAll(async () => {
  uninstallRuntime();
  await h.close();
});

describe("auditAppConfig (the function)", () => {
  it("runs on a valid six-field schedule", () => {
    expect(auditAppConfigOptions.schedule.split(" ")).toHaveLength(6);
  });

  const cases: ReadonlyArray<{ name: string; env: Record<string, string>; drifted: string[] }> = [
    { name: "default settings: Android in line, iOS without a policy", env: {}, drifted: ["iOS"] },
    {
      name: "OUTLOOK_SMIME_SIGN_ALL_MAIL=true: Android drifts too",
      env: { OUTLOOK_SMIME_SIGN_ALL_MAIL: "true" },
      drifted: ["iOS", "android"],
    },
  ];
  it.each(cases)("audits with the desired state from settings — $name", async ({ env, drifted }) => {
    install(env, true);
    await auditAppConfig(timer, context());
    expect(await driftedPlatforms(h.stores.cursors)).toEqual(drifted);
  });

  it("fails, saying why, when the runtime has no Graph gateway", async () => {
    install({}, false);
    await expect(auditAppConfig(timer, context())).rejects.toThrow(/no Graph gateway/);
  });
});
