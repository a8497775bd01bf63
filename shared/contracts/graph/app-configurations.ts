/**
 * Graph contracts: Outlook app configuration policies (deviceAppManagement/mobileAppConfigurations; beta,
 * because the Android managed-store type is beta only).
 */
import { z } from "zod";
import { evolvable, GraphDateTime, opt } from "./common.ts";

export const IOS_MOBILE_APP_CONFIGURATION_TYPE = "#microsoft.graph.iosMobileAppConfiguration";
export const ANDROID_MANAGED_STORE_APP_CONFIGURATION_TYPE =
  "#microsoft.graph.androidManagedStoreAppConfiguration";

/** Listing the collection (its declared type's properties; each policy is then read whole, with its derived ones). */
export const MOBILE_APP_CONFIGURATION_SELECT = [
  "id",
  "displayName",
  "targetedMobileApps",
  "version",
  "lastModifiedDateTime",
] as const;

/** One policy in the collection listing: only the base properties; `@odata.type` says which kind. */
export const MobileAppConfigurationSummary = z
  .object({
    "@odata.type": z.string(),
    id: z.string().min(1),
    displayName: opt(z.string()),
    targetedMobileApps: opt(z.array(z.string())).transform((v) => v ?? []),
    version: opt(z.number().int()),
    lastModifiedDateTime: opt(GraphDateTime),
  })
  .transform(({ "@odata.type": odataType, ...summary }) => ({ ...summary, odataType }));
export type MobileAppConfigurationSummary = z.infer<typeof MobileAppConfigurationSummary>;

/** appConfigurationSettingItem. */
export const AppConfigurationSettingItem = z.object({
  appConfigKey: z.string().min(1),
  appConfigKeyType: evolvable(["stringType", "integerType", "realType", "booleanType", "tokenType"]),
  appConfigKeyValue: opt(z.string()).transform((v) => v ?? ""),
});
export type AppConfigurationSettingItem = z.infer<typeof AppConfigurationSettingItem>;

export const IosMobileAppConfiguration = z.object({
  id: z.string().min(1),
  displayName: opt(z.string()),
  targetedMobileApps: opt(z.array(z.string())).transform((v) => v ?? []),
  version: opt(z.number().int()),
  lastModifiedDateTime: opt(GraphDateTime),
  settings: opt(z.array(AppConfigurationSettingItem)).transform((v) => v ?? []),
});
export type IosMobileAppConfiguration = z.infer<typeof IosMobileAppConfiguration>;

export const AndroidManagedStoreAppConfiguration = z.object({
  id: z.string().min(1),
  displayName: opt(z.string()),
  targetedMobileApps: opt(z.array(z.string())).transform((v) => v ?? []),
  version: opt(z.number().int()),
  lastModifiedDateTime: opt(GraphDateTime),
  packageId: opt(z.string()),
  /** Base64 of the managed-configuration JSON; decode with `decodeAndroidPayload`. */
  payloadJson: opt(z.string()),
  profileApplicability: opt(evolvable(["default", "androidWorkProfile", "androidDeviceOwner"])),
});
export type AndroidManagedStoreAppConfiguration = z.infer<typeof AndroidManagedStoreAppConfiguration>;

/**
 * The decoded `payloadJson` of an Android managed-store configuration: the managed configuration
 * (`managedProperty` entries, each a `key` and one `value*` member). Unknown members are kept (passthrough)
 * because the audit compares only the keys it knows.
 */
export const AndroidManagedConfigurationPayload = z.looseObject({
  kind: opt(z.string()),
  productId: opt(z.string()),
  managedProperty: opt(
    z.array(
      z.looseObject({
        key: z.string().min(1),
        valueBool: opt(z.boolean()),
        valueInteger: opt(z.number()),
        valueString: opt(z.string()),
      }),
    ),
  ).transform((v) => v ?? []),
});
export type AndroidManagedConfigurationPayload = z.infer<typeof AndroidManagedConfigurationPayload>;

/** Decodes a base64 `payloadJson`; throws (a ZodError or a SyntaxError) when it is not base64 JSON of that shape. */
export function decodeAndroidPayload(payloadJson: string): AndroidManagedConfigurationPayload {
  const text = Buffer.from(payloadJson, "base64").toString("utf8");
  return AndroidManagedConfigurationPayload.parse(JSON.parse(text));
}
