import { describe, expect, it } from "vitest";
import type { OutlookPolicySettings } from "../../../shared/config.ts";
import {
  type AppConfiguration,
  AppConfigurationPayloadError,
  auditOutlookPolicies,
  auditPlatform,
  decodeAndroidPayload,
  expectedSettings,
  iosSettings,
  OUTLOOK_APP,
  type SettingValue,
} from "../../../shared/domain/outlook-policy.ts";

const K = "com.microsoft.outlook.Mail.SMIMEEnabled";
const KEYS = {
  enabled: K,
  userChange: `${K}.UserChangeAllowed`,
  encryptAll: `${K}.EncryptAllMail`,
  encryptAllUserChange: `${K}.EncryptAllMail.UserChangeAllowed`,
  signAll: `${K}.SignAllMail`,
  signAllUserChange: `${K}.SignAllMail.UserChangeAllowed`,
  ldap: `${K}.LDAPHostName`,
  certs: `${K}.CertsFromIntune`,
};

/** Microsoft's automated delivery, the settings' default. */
const DEFAULT: OutlookPolicySettings = { smimeEnabled: true, certsFromIntune: true };
/** Every key audited. */
const STRICT: OutlookPolicySettings = {
  smimeEnabled: true,
  smimeUserChangeAllowed: false,
  encryptAllMail: false,
  encryptAllMailUserChangeAllowed: true,
  signAllMail: true,
  signAllMailUserChangeAllowed: false,
  certsFromIntune: true,
  ldapHost: "ldaps://directory.contoso.com:636",
};
const STRICT_SETTINGS: Record<string, SettingValue> = {
  [KEYS.enabled]: true,
  [KEYS.userChange]: false,
  [KEYS.encryptAll]: false,
  [KEYS.encryptAllUserChange]: true,
  [KEYS.signAll]: true,
  [KEYS.signAllUserChange]: false,
  [KEYS.certs]: true,
  [KEYS.ldap]: "ldaps://directory.contoso.com:636",
};

/** Fixture builder: an Outlook policy for a platform, with settings overridden. */
function policy(
  platform: AppConfiguration["platform"],
  settings: Record<string, SettingValue>,
  overrides: Partial<AppConfiguration> = {},
): AppConfiguration {
  return { id: `${platform}-1`, platform, apps: [OUTLOOK_APP[platform]], settings, ...overrides };
}
const without = (key: string) =>
  Object.fromEntries(Object.entries(STRICT_SETTINGS).filter(([k]) => k !== key));

describe("auditPlatform", () => {
  const cases: ReadonlyArray<{
    name: string;
    desired: OutlookPolicySettings;
    configurations: AppConfiguration[];
    platform?: AppConfiguration["platform"];
    expected: { drifted: boolean; policyIds: string[]; differences: unknown[] };
  }> = [
    {
      name: "every key as desired",
      desired: STRICT,
      configurations: [policy("iOS", STRICT_SETTINGS)],
      expected: { drifted: false, policyIds: ["iOS-1"], differences: [] },
    },
    {
      name: "the default desired state ignores keys it does not set",
      desired: DEFAULT,
      configurations: [policy("iOS", { [KEYS.enabled]: true, [KEYS.certs]: true, [KEYS.signAll]: true })],
      expected: { drifted: false, policyIds: ["iOS-1"], differences: [] },
    },
    ...(Object.entries(KEYS) as [keyof typeof KEYS, string][]).map(([name, key]) => {
      const expected = STRICT_SETTINGS[key] as SettingValue;
      const wrong = typeof expected === "boolean" ? !expected : "ldap://elsewhere.example";
      return {
        name: `${name} wrong`,
        desired: STRICT,
        configurations: [policy("iOS", { ...STRICT_SETTINGS, [key]: wrong })],
        expected: { drifted: true, policyIds: ["iOS-1"], differences: [{ key, expected, actual: wrong }] },
      };
    }),
    {
      name: "a missing key: actual undefined",
      desired: DEFAULT,
      configurations: [policy("android", without(KEYS.certs))],
      platform: "android",
      expected: {
        drifted: true,
        policyIds: ["android-1"],
        differences: [{ key: KEYS.certs, expected: true, actual: undefined }],
      },
    },
    {
      name: "a wrong type: the string 'true' is not the boolean true",
      desired: DEFAULT,
      configurations: [policy("iOS", { ...STRICT_SETTINGS, [KEYS.enabled]: "true" })],
      expected: {
        drifted: true,
        policyIds: ["iOS-1"],
        differences: [{ key: KEYS.enabled, expected: true, actual: "true" }],
      },
    },
    {
      name: "a number where a boolean belongs",
      desired: DEFAULT,
      configurations: [policy("android", { ...STRICT_SETTINGS, [KEYS.certs]: 1 })],
      platform: "android",
      expected: {
        drifted: true,
        policyIds: ["android-1"],
        differences: [{ key: KEYS.certs, expected: true, actual: 1 }],
      },
    },
    {
      name: "the LDAP host compares without case or trailing slash",
      desired: STRICT,
      configurations: [
        policy("iOS", { ...STRICT_SETTINGS, [KEYS.ldap]: "LDAPS://Directory.Contoso.com:636/" }),
      ],
      expected: { drifted: false, policyIds: ["iOS-1"], differences: [] },
    },
    {
      name: "no policy for the platform: drift, every expected key missing",
      desired: DEFAULT,
      configurations: [policy("iOS", STRICT_SETTINGS)],
      platform: "android",
      expected: {
        drifted: true,
        policyIds: [],
        differences: [
          { key: KEYS.enabled, expected: true, actual: undefined },
          { key: KEYS.certs, expected: true, actual: undefined },
        ],
      },
    },
    {
      name: "a policy for another app does not count",
      desired: DEFAULT,
      configurations: [policy("iOS", STRICT_SETTINGS, { apps: ["com.microsoft.skype.teams"] })],
      expected: {
        drifted: true,
        policyIds: [],
        differences: [
          { key: KEYS.enabled, expected: true, actual: undefined },
          { key: KEYS.certs, expected: true, actual: undefined },
        ],
      },
    },
    {
      name: "the app id matches without case",
      desired: DEFAULT,
      configurations: [policy("iOS", STRICT_SETTINGS, { apps: ["COM.MICROSOFT.OFFICE.OUTLOOK"] })],
      expected: { drifted: false, policyIds: ["iOS-1"], differences: [] },
    },
    {
      name: "two policies merged: each supplies a key",
      desired: DEFAULT,
      configurations: [
        policy("android", { [KEYS.certs]: true }, { id: "b" }),
        policy("android", { [KEYS.enabled]: true }, { id: "a" }),
      ],
      platform: "android",
      expected: { drifted: false, policyIds: ["a", "b"], differences: [] },
    },
    {
      name: "two policies agreeing on a key",
      desired: DEFAULT,
      configurations: [
        policy("iOS", { [KEYS.enabled]: true, [KEYS.certs]: true }, { id: "a" }),
        policy("iOS", { [KEYS.enabled]: true }, { id: "b" }),
      ],
      expected: { drifted: false, policyIds: ["a", "b"], differences: [] },
    },
    {
      name: "two policies in conflict: every value, even with the expected one among them",
      desired: DEFAULT,
      configurations: [
        policy("iOS", { [KEYS.enabled]: false, [KEYS.certs]: true }, { id: "b" }),
        policy("iOS", { [KEYS.enabled]: true }, { id: "a" }),
      ],
      expected: {
        drifted: true,
        policyIds: ["a", "b"],
        differences: [{ key: KEYS.enabled, expected: true, actual: [true, false] }],
      },
    },
  ];
  it.each(cases)("$name", ({ desired, configurations, platform, expected }) => {
    expect(auditPlatform(platform ?? "iOS", configurations, desired)).toEqual({
      platform: platform ?? "iOS",
      ...expected,
    });
  });

  it("reports differences in the keys' documented order", () => {
    const audit = auditPlatform("iOS", [policy("iOS", {})], STRICT);
    expect(audit.differences.map((d) => d.key)).toEqual([
      KEYS.enabled,
      KEYS.userChange,
      KEYS.encryptAll,
      KEYS.encryptAllUserChange,
      KEYS.signAll,
      KEYS.signAllUserChange,
      KEYS.ldap,
      KEYS.certs,
    ]);
  });
});

describe("auditOutlookPolicies", () => {
  it("audits both platforms on their own policies", () => {
    const audits = auditOutlookPolicies(
      [policy("iOS", STRICT_SETTINGS), policy("android", { [KEYS.enabled]: false, [KEYS.certs]: true })],
      DEFAULT,
    );
    expect(audits.map((a) => [a.platform, a.drifted, a.differences.map((d) => d.key)])).toEqual([
      ["iOS", false, []],
      ["android", true, [KEYS.enabled]],
    ]);
  });
});

describe("expectedSettings", () => {
  it("holds only the settings that are set", () => {
    expect(expectedSettings(DEFAULT).map((e) => [e.key, e.expected])).toEqual([
      [KEYS.enabled, true],
      [KEYS.certs, true],
    ]);
  });
});

describe("iosSettings", () => {
  const cases: ReadonlyArray<{ name: string; type: string; value: string; expected: SettingValue }> = [
    { name: "booleanType true", type: "booleanType", value: "true", expected: true },
    { name: "booleanType False (any case)", type: "booleanType", value: "False", expected: false },
    {
      name: "booleanType that is not a boolean stays a string",
      type: "booleanType",
      value: "yes",
      expected: "yes",
    },
    { name: "integerType", type: "integerType", value: "42", expected: 42 },
    {
      name: "integerType with a fraction stays a string",
      type: "integerType",
      value: "4.2",
      expected: "4.2",
    },
    { name: "realType", type: "realType", value: "4.5", expected: 4.5 },
    { name: "empty realType stays a string", type: "realType", value: "", expected: "" },
    { name: "stringType", type: "stringType", value: "true", expected: "true" },
    {
      name: "tokenType",
      type: "tokenType",
      value: "{{userprincipalname}}",
      expected: "{{userprincipalname}}",
    },
  ];
  it.each(cases)("$name", ({ type, value, expected }) => {
    expect(iosSettings([{ appConfigKey: "k", appConfigKeyType: type, appConfigKeyValue: value }])).toEqual({
      k: expected,
    });
  });
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");

describe("decodeAndroidPayload", () => {
  const cases: ReadonlyArray<{ name: string; payload: string; expected: unknown }> = [
    {
      name: "Google's managedProperty, every value type",
      payload: b64({
        kind: "androidenterprise#managedConfiguration",
        productId: "app:com.microsoft.office.outlook",
        managedProperty: [
          { key: KEYS.enabled, valueBool: true },
          { key: KEYS.ldap, valueString: "contoso.com:636" },
          { key: "com.example.count", valueInteger: 3 },
          { key: "com.example.list", valueStringArray: ["a"] },
        ],
      }),
      expected: {
        packageName: "com.microsoft.office.outlook",
        settings: { [KEYS.enabled]: true, [KEYS.ldap]: "contoso.com:636", "com.example.count": 3 },
      },
    },
    {
      name: "managedProperties, as some tools write it",
      payload: b64({
        productId: "app:com.microsoft.office.outlook",
        managedProperties: [{ key: KEYS.certs, valueBool: false }],
      }),
      expected: { packageName: "com.microsoft.office.outlook", settings: { [KEYS.certs]: false } },
    },
    {
      name: "no productId, no properties",
      payload: b64({ kind: "androidenterprise#managedConfiguration" }),
      expected: { settings: {} },
    },
    {
      name: "base64 wrapped over lines",
      payload: b64({ managedProperty: [{ key: KEYS.enabled, valueBool: true }] }).replace(/(.{16})/g, "$1\n"),
      expected: { settings: { [KEYS.enabled]: true } },
    },
  ];
  it.each(cases)("$name", ({ payload, expected }) => {
    expect(decodeAndroidPayload(payload)).toEqual(expected);
  });

  const bad: ReadonlyArray<{ name: string; payload: string; message: RegExp }> = [
    { name: "not base64", payload: "{not base64}", message: /^payloadJson is not base64$/ },
    {
      name: "base64 of text that is not JSON",
      payload: Buffer.from("kind=x").toString("base64"),
      message: /not base64 of JSON/,
    },
    {
      name: "JSON that is not a managed configuration",
      payload: b64({ managedProperty: [{ key: KEYS.enabled, valueBool: "yes" }] }),
      message: /not a managed configuration.*valueBool/s,
    },
    { name: "a JSON array", payload: b64([1, 2]), message: /not a managed configuration/ },
  ];
  it.each(bad)("refuses $name with a clear error", ({ payload, message }) => {
    let error: unknown;
    try {
      decodeAndroidPayload(payload);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppConfigurationPayloadError);
    expect((error as Error).message).toMatch(message);
  });
});
