/**
 * Outlook's S/MIME app configuration, desired versus actual (DESIGN.md rule 6: automated certificate delivery
 * needs, per platform, an Outlook app configuration policy with S/MIME enabled and "deploy S/MIME
 * certificates from Intune" on). Pure: the caller reads the policies from Graph and passes them in.
 *
 * The keys, as Outlook for iOS and Android reads them from its managed app configuration:
 *
 * | key | type | meaning |
 * |---|---|---|
 * | `com.microsoft.outlook.Mail.SMIMEEnabled` | bool | S/MIME on in the app (Outlook's default: false) |
 * | `….SMIMEEnabled.UserChangeAllowed` | bool | the user may turn it off (default: true) |
 * | `….SMIMEEnabled.EncryptAllMail` | bool | every message must be encrypted (default: false; enrolled devices only) |
 * | `….SMIMEEnabled.EncryptAllMail.UserChangeAllowed` | bool | the user may change that (default: true) |
 * | `….SMIMEEnabled.SignAllMail` | bool | every message must be signed (default: false; enrolled devices only) |
 * | `….SMIMEEnabled.SignAllMail.UserChangeAllowed` | bool | the user may change that (default: true) |
 * | `….SMIMEEnabled.LDAPHostName` | string | the LDAP directory recipients' certificates are looked up in |
 * | `….SMIMEEnabled.CertsFromIntune` | bool | "Deploy S/MIME certificates from Intune" |
 *
 * Sources: the first six are the "S/MIME settings" table of Microsoft's "Deploying Outlook for iOS and Android
 * app configuration settings in Exchange Online" (learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/
 * outlook-for-ios-and-android/outlook-for-ios-and-android-configuration-with-microsoft-intune). "S/MIME for
 * Outlook for iOS and Android in Exchange Online" (…/smime-outlook-for-ios-and-android) says the LDAP endpoint
 * is delivered by app configuration (formats `ldaps://contoso.com:636`, `contoso.com:389`, …) and that automated
 * delivery needs "Deploy S/MIME certificates from Intune" set to Yes in Intune's configuration designer; that
 * page names no keys for those two. `LDAPHostName` and `CertsFromIntune` are the keys the configuration
 * designer writes for them, as seen in exported Intune policies (e.g. the Android managed-store payloads in
 * the Graph-based Terraform provider for Microsoft 365's test fixtures) — check them against a policy exported
 * from a real tenant when one is at hand.
 *
 * Where the values live:
 * - iOS (`#microsoft.graph.iosMobileAppConfiguration`): `settings[]` of `{appConfigKey, appConfigKeyType,
 *   appConfigKeyValue}`, every value a string typed by `appConfigKeyType` (`booleanType` "true"/"false", …).
 * - Android Enterprise (`#microsoft.graph.androidManagedStoreAppConfiguration`): `payloadJson`, base64 of
 *   Google's managed configuration JSON `{kind: "androidenterprise#managedConfiguration", productId:
 *   "app:com.microsoft.office.outlook", managedProperty: [{key, valueBool | valueString | valueInteger}]}`.
 */
import { z } from "zod";
import type { OutlookPolicySettings } from "../config.ts";
import { PLATFORMS, type PlatformName } from "./certificate-facts.ts";

/** Outlook's app identifiers: the iOS bundle id and the Android package name. */
export const OUTLOOK_APP: Readonly<Record<PlatformName, string>> = {
  iOS: "com.microsoft.Office.Outlook",
  android: "com.microsoft.office.outlook",
};

const SMIME = "com.microsoft.outlook.Mail.SMIMEEnabled";

/** The audited keys, in the order differences are reported; `setting` is the desired state's field. */
export const OUTLOOK_SMIME_KEYS = [
  { key: SMIME, setting: "smimeEnabled", kind: "boolean" },
  { key: `${SMIME}.UserChangeAllowed`, setting: "smimeUserChangeAllowed", kind: "boolean" },
  { key: `${SMIME}.EncryptAllMail`, setting: "encryptAllMail", kind: "boolean" },
  {
    key: `${SMIME}.EncryptAllMail.UserChangeAllowed`,
    setting: "encryptAllMailUserChangeAllowed",
    kind: "boolean",
  },
  { key: `${SMIME}.SignAllMail`, setting: "signAllMail", kind: "boolean" },
  { key: `${SMIME}.SignAllMail.UserChangeAllowed`, setting: "signAllMailUserChangeAllowed", kind: "boolean" },
  { key: `${SMIME}.LDAPHostName`, setting: "ldapHost", kind: "host" },
  { key: `${SMIME}.CertsFromIntune`, setting: "certsFromIntune", kind: "boolean" },
] as const satisfies readonly {
  key: string;
  setting: keyof OutlookPolicySettings;
  kind: "boolean" | "host";
}[];

/** A configuration value as the app receives it. */
export type SettingValue = boolean | string | number;

/** One app configuration policy, already read from Graph and decoded. */
export interface AppConfiguration {
  readonly id: string;
  readonly platform: PlatformName;
  /** The apps it targets: iOS bundle ids, Android package names. */
  readonly apps: readonly string[];
  readonly settings: Readonly<Record<string, SettingValue>>;
}

/** One key that is not what it should be; `actual` is undefined when the key is missing. */
export interface PolicyDifference {
  readonly key: string;
  readonly expected: SettingValue;
  /** The value; when several policies set the key differently, every distinct value (a conflict). */
  readonly actual: SettingValue | readonly SettingValue[] | undefined;
}

/** The audit of one platform: the Outlook policies found and how they differ from the desired state. */
export interface PlatformPolicyAudit {
  readonly platform: PlatformName;
  /** Ids of the Outlook policies merged, sorted; empty when the platform has none. */
  readonly policyIds: readonly string[];
  readonly differences: readonly PolicyDifference[];
  readonly drifted: boolean;
}

/** A policy payload that cannot be read (bad base64, not JSON, not a managed configuration). */
export class AppConfigurationPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AppConfigurationPayloadError";
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading the platforms' formats.
// ---------------------------------------------------------------------------------------------------------

/** An iOS app configuration setting (`appConfigurationSettingItem`). */
export interface IosSettingItem {
  readonly appConfigKey: string;
  readonly appConfigKeyType: string;
  readonly appConfigKeyValue: string;
}

/**
 * The iOS settings as the app sees them: `booleanType` "true"/"false" a boolean, `integerType`/`realType` a
 * number, the rest (stringType, tokenType) a string. A value its type cannot hold stays the raw string, so it
 * compares unequal to a typed expectation (the app would not read it as the type either).
 */
export function iosSettings(items: readonly IosSettingItem[]): Record<string, SettingValue> {
  const out: Record<string, SettingValue> = {};
  for (const item of items) out[item.appConfigKey] = typedIosValue(item);
  return out;
}

function typedIosValue({ appConfigKeyType: type, appConfigKeyValue: raw }: IosSettingItem): SettingValue {
  if (type === "booleanType") {
    const v = raw.trim().toLowerCase();
    return v === "true" ? true : v === "false" ? false : raw;
  }
  if (type === "integerType" || type === "realType") {
    const n = Number(raw);
    return raw.trim() !== "" && Number.isFinite(n) && (type === "realType" || Number.isInteger(n)) ? n : raw;
  }
  return raw;
}

const ManagedProperty = z.object({
  key: z.string().min(1),
  valueBool: z.boolean().optional(),
  valueString: z.string().optional(),
  valueInteger: z.number().int().optional(),
});

/**
 * Google's managed configuration. Graph's own samples write `managedProperty` (Google's name); some tools
 * write `managedProperties`, which Intune stores as it is given — both are read.
 */
const ManagedConfiguration = z.object({
  kind: z.string().optional(),
  productId: z.string().optional(),
  managedProperty: z.array(ManagedProperty).optional(),
  managedProperties: z.array(ManagedProperty).optional(),
});

export interface AndroidPayload {
  /** The package it names (`app:` prefix removed), when it names one. */
  readonly packageName?: string;
  readonly settings: Record<string, SettingValue>;
}

/**
 * Decodes a managed-store app configuration's `payloadJson`.
 * @throws AppConfigurationPayloadError naming what is wrong (not base64, not JSON, not a managed configuration)
 */
export function decodeAndroidPayload(payloadJson: string): AndroidPayload {
  const text = payloadJson.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1)
    throw new AppConfigurationPayloadError("payloadJson is not base64");
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, "base64").toString("utf8"));
  } catch (error) {
    throw new AppConfigurationPayloadError(`payloadJson is not base64 of JSON: ${(error as Error).message}`);
  }
  const parsed = ManagedConfiguration.safeParse(json);
  if (!parsed.success)
    throw new AppConfigurationPayloadError(
      `payloadJson is not a managed configuration: ${z.prettifyError(parsed.error)}`,
    );
  const settings: Record<string, SettingValue> = {};
  for (const p of [...(parsed.data.managedProperty ?? []), ...(parsed.data.managedProperties ?? [])]) {
    const value = p.valueBool ?? p.valueString ?? p.valueInteger;
    if (value !== undefined) settings[p.key] = value;
  }
  const packageName =
    parsed.data.productId === undefined ? undefined : androidPackageName(parsed.data.productId);
  return { ...(packageName !== undefined && { packageName }), settings };
}

/** `app:com.microsoft.office.outlook` (Graph's packageId, Google's productId) → the package name. */
export const androidPackageName = (id: string): string => id.trim().replace(/^app:/i, "");

// ---------------------------------------------------------------------------------------------------------
// The comparison.
// ---------------------------------------------------------------------------------------------------------

const targetsOutlook = (c: AppConfiguration) =>
  c.apps.some((app) => app.toLowerCase() === OUTLOOK_APP[c.platform].toLowerCase());

/** The keys the desired state audits, with their expected values (an unset setting is not audited). */
export function expectedSettings(
  desired: OutlookPolicySettings,
): { key: string; kind: "boolean" | "host"; expected: SettingValue }[] {
  return OUTLOOK_SMIME_KEYS.flatMap(({ key, setting, kind }) => {
    const expected = desired[setting];
    return expected === undefined ? [] : [{ key, kind, expected }];
  });
}

/** LDAP hosts compare without case and trailing slash: `LDAPS://Contoso.com/` is `ldaps://contoso.com`. */
const normalHost = (v: string) => v.trim().toLowerCase().replace(/\/$/, "");

function matches(kind: "boolean" | "host", expected: SettingValue, actual: SettingValue): boolean {
  if (kind === "host")
    return (
      typeof actual === "string" &&
      typeof expected === "string" &&
      normalHost(actual) === normalHost(expected)
    );
  return actual === expected;
}

/** Every distinct value the policies give `key`, in policy order. */
function valuesOf(policies: readonly AppConfiguration[], key: string): SettingValue[] {
  const values: SettingValue[] = [];
  for (const p of policies) {
    const v = p.settings[key];
    if (v !== undefined && !values.includes(v)) values.push(v);
  }
  return values;
}

/**
 * One platform's audit. Several Outlook policies are merged key by key. Intune defines no precedence between
 * app configuration policies of one app, so a key they set differently is a conflict the device may resolve
 * either way: it is reported as a difference with every value, even when one of them is the expected one.
 * No Outlook policy at all is drift too: without one, Outlook never receives S/MIME settings and Intune never
 * delivers the certificates to it (every expected key is then reported missing).
 */
export function auditPlatform(
  platform: PlatformName,
  configurations: readonly AppConfiguration[],
  desired: OutlookPolicySettings,
): PlatformPolicyAudit {
  const policies = configurations
    .filter((c) => c.platform === platform && targetsOutlook(c))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const differences: PolicyDifference[] = [];
  for (const { key, kind, expected } of expectedSettings(desired)) {
    const values = valuesOf(policies, key);
    const [only] = values;
    if (values.length === 1 && only !== undefined && matches(kind, expected, only)) continue;
    differences.push({ key, expected, actual: values.length > 1 ? values : only });
  }
  return {
    platform,
    policyIds: policies.map((p) => p.id),
    differences,
    drifted: policies.length === 0 || differences.length > 0,
  };
}

/** Both platforms' audits, iOS first. */
export function auditOutlookPolicies(
  configurations: readonly AppConfiguration[],
  desired: OutlookPolicySettings,
): PlatformPolicyAudit[] {
  return PLATFORMS.map((platform) => auditPlatform(platform, configurations, desired));
}
