import { describe, expect, it } from "vitest";
import {
  AndroidManagedStoreAppConfiguration,
  IosMobileAppConfiguration,
} from "../../../shared/contracts/graph.ts";
import { readConfigurations } from "../../../shared/usecases/audit-app-config.ts";

const K = "com.microsoft.outlook.Mail.SMIMEEnabled";
const payload = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");

const ios = (id: string, settings: { key: string; type: string; value: string }[], targeted = ["app-guid"]) =>
  IosMobileAppConfiguration.parse({
    id,
    targetedMobileApps: targeted,
    settings: settings.map((s) => ({
      appConfigKey: s.key,
      appConfigKeyType: s.type,
      appConfigKeyValue: s.value,
    })),
  });
const android = (id: string, fields: { packageId?: string; payloadJson?: string }) =>
  AndroidManagedStoreAppConfiguration.parse({ id, targetedMobileApps: ["app-guid"], ...fields });

describe("readConfigurations", () => {
  const cases: ReadonlyArray<{
    name: string;
    policy: IosMobileAppConfiguration | AndroidManagedStoreAppConfiguration;
    configurations: unknown[];
    unreadable?: unknown[];
  }> = [
    {
      name: "an iOS policy with Outlook's keys is Outlook's, its values typed",
      policy: ios("i1", [{ key: K, type: "booleanType", value: "true" }]),
      configurations: [
        {
          id: "i1",
          platform: "iOS",
          apps: ["app-guid", "com.microsoft.Office.Outlook"],
          settings: { [K]: true },
        },
      ],
    },
    {
      name: "an iOS policy without Outlook's keys targets only its app ids",
      policy: ios("i2", [{ key: "com.microsoft.teams.x", type: "stringType", value: "y" }]),
      configurations: [
        { id: "i2", platform: "iOS", apps: ["app-guid"], settings: { "com.microsoft.teams.x": "y" } },
      ],
    },
    {
      name: "an Android policy names its package; its payload decoded",
      policy: android("a1", {
        packageId: "app:com.microsoft.office.outlook",
        payloadJson: payload({ managedProperty: [{ key: K, valueBool: false }] }),
      }),
      configurations: [
        { id: "a1", platform: "android", apps: ["com.microsoft.office.outlook"], settings: { [K]: false } },
      ],
    },
    {
      name: "an Android policy without packageId: the payload's productId names the package",
      policy: android("a2", {
        payloadJson: payload({ productId: "app:com.microsoft.office.outlook", managedProperty: [] }),
      }),
      configurations: [
        { id: "a2", platform: "android", apps: ["com.microsoft.office.outlook"], settings: {} },
      ],
    },
    {
      name: "an Android policy without payload has no settings",
      policy: android("a3", { packageId: "app:com.microsoft.office.outlook" }),
      configurations: [
        { id: "a3", platform: "android", apps: ["com.microsoft.office.outlook"], settings: {} },
      ],
    },
    {
      name: "another app's unreadable payload is skipped",
      policy: android("a4", { packageId: "app:com.microsoft.teams", payloadJson: "!!" }),
      configurations: [],
    },
    {
      name: "Outlook's unreadable payload is reported",
      policy: android("a5", { packageId: "app:com.microsoft.office.outlook", payloadJson: payload("text") }),
      configurations: [],
      unreadable: [
        { id: "a5", platform: "android", reason: expect.stringMatching(/not a managed configuration/) },
      ],
    },
    {
      name: "an unreadable payload of an unknown package is reported (it may be Outlook's)",
      policy: android("a6", { payloadJson: "!!" }),
      configurations: [],
      unreadable: [{ id: "a6", platform: "android", reason: "payloadJson is not base64" }],
    },
  ];
  it.each(cases)("$name", ({ policy, configurations, unreadable = [] }) => {
    const errors: unknown[] = [];
    const result = readConfigurations([policy], {
      error: (message, fields) => void errors.push({ message, fields }),
    });
    expect(result).toEqual({ configurations, unreadable });
    expect(errors).toHaveLength(unreadable.length);
  });
});
