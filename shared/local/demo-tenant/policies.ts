/**
 * The demo tenant's Outlook app configuration policies (`deviceAppManagement/mobileAppConfigurations`):
 * iOS as settings keys, Android (managed Google Play) as a base64 `payloadJson` — the shapes Intune uses.
 * The iOS policy deploys S/MIME as intended; the Android one has drifted (S/MIME switched off, certificates
 * no longer taken from Intune), so the policy audit finds `POLICY_DRIFT` for Android. A Teams policy is there
 * so the audit has to pick Outlook's out of the list.
 *
 * Key names are Outlook's documented app configuration keys.
 */
import type { GraphItem } from "./model.ts";
import { guid } from "./seeded.ts";

export const OUTLOOK_KEYS = {
  smimeEnabled: "com.microsoft.outlook.Mail.SMIMEEnabled",
  smimeUserChangeAllowed: "com.microsoft.outlook.Mail.SMIMEEnabled.UserChangeAllowed",
  encryptAllMail: "com.microsoft.outlook.Mail.SMIMEEnabled.EncryptAllMail",
  signAllMail: "com.microsoft.outlook.Mail.SMIMEEnabled.SignAllMail",
  ldapHostName: "com.microsoft.outlook.Mail.SMIMEEnabled.LDAPHostName",
  certsFromIntune: "com.microsoft.outlook.Mail.SMIMEEnabled.CertsFromIntune",
} as const;

/** The S/MIME settings the demo's iOS policy deploys (what a correct policy looks like). */
export function outlookBaseline(ldapHost: string): Readonly<Record<string, boolean | string>> {
  return {
    [OUTLOOK_KEYS.smimeEnabled]: true,
    [OUTLOOK_KEYS.smimeUserChangeAllowed]: false,
    [OUTLOOK_KEYS.encryptAllMail]: false,
    [OUTLOOK_KEYS.signAllMail]: true,
    [OUTLOOK_KEYS.ldapHostName]: ldapHost,
    [OUTLOOK_KEYS.certsFromIntune]: true,
  };
}

/** What the Android policy changes relative to the baseline (an absent key is `undefined`): the drift to find. */
export const ANDROID_DRIFT: Readonly<Record<string, boolean | undefined>> = {
  [OUTLOOK_KEYS.smimeEnabled]: false,
  [OUTLOOK_KEYS.certsFromIntune]: undefined,
};

export const OUTLOOK_IOS_BUNDLE = "com.microsoft.Office.Outlook";
export const OUTLOOK_ANDROID_PACKAGE = "com.microsoft.office.outlook";

function iosSetting(key: string, value: boolean | string) {
  return {
    appConfigKey: key,
    appConfigKeyType: typeof value === "boolean" ? "booleanType" : "stringType",
    appConfigKeyValue: String(value),
  };
}

function androidProperty(key: string, value: boolean | string) {
  return typeof value === "boolean" ? { key, valueBool: value } : { key, valueString: value };
}

/** The three policies, dated `at` (the dataset's creation). */
export function mobileAppConfigurations(options: {
  readonly seed: string;
  readonly ldapHost: string;
  readonly at: Date;
}): GraphItem[] {
  const baseline = outlookBaseline(options.ldapHost);
  const android: Record<string, boolean | string> = {};
  for (const [key, value] of Object.entries(baseline)) {
    if (!(key in ANDROID_DRIFT)) android[key] = value;
    else if (ANDROID_DRIFT[key] !== undefined) android[key] = ANDROID_DRIFT[key] as boolean;
  }
  const payload = {
    kind: "androidenterprise#managedConfiguration",
    productId: `app:${OUTLOOK_ANDROID_PACKAGE}`,
    productName: "Microsoft Outlook",
    managedProperty: Object.entries(android).map(([k, v]) => androidProperty(k, v)),
  };
  const dates = {
    createdDateTime: new Date(options.at.getTime() - 90 * 86_400_000).toISOString(),
    lastModifiedDateTime: new Date(options.at.getTime() - 2 * 86_400_000).toISOString(),
  };
  return [
    {
      "@odata.type": "#microsoft.graph.iosMobileAppConfiguration",
      id: guid(options.seed, "policy", "ios-outlook"),
      targetedMobileApps: [guid(options.seed, "app", "ios-outlook")],
      roleScopeTagIds: ["0"],
      description: "S/MIME for Outlook on iOS: certificates from Intune, signing on by default",
      displayName: "Outlook S/MIME (iOS)",
      version: 3,
      ...dates,
      encodedSettingXml: null,
      settings: Object.entries(baseline).map(([k, v]) => iosSetting(k, v)),
    },
    {
      "@odata.type": "#microsoft.graph.androidManagedStoreAppConfiguration",
      id: guid(options.seed, "policy", "android-outlook"),
      targetedMobileApps: [guid(options.seed, "app", "android-outlook")],
      roleScopeTagIds: ["0"],
      description: "S/MIME for Outlook on Android (edited by hand last week)",
      displayName: "Outlook S/MIME (Android)",
      version: 5,
      ...dates,
      packageId: `app:${OUTLOOK_ANDROID_PACKAGE}`,
      payloadJson: Buffer.from(JSON.stringify(payload)).toString("base64"),
      permissionActions: [],
      appSupportsOemConfig: false,
      profileApplicability: "default",
      connectedAppsEnabled: false,
    },
    {
      "@odata.type": "#microsoft.graph.iosMobileAppConfiguration",
      id: guid(options.seed, "policy", "ios-teams"),
      targetedMobileApps: [guid(options.seed, "app", "ios-teams")],
      roleScopeTagIds: ["0"],
      description: "Teams: work accounts only",
      displayName: "Teams (iOS)",
      version: 1,
      ...dates,
      encodedSettingXml: null,
      settings: [iosSetting("IntuneMAMAllowedAccountsOnly", "Enabled")],
    },
  ];
}
