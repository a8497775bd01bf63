/**
 * Every Microsoft Graph payload the pipeline reads or sends: one zod schema each, types inferred. A Graph
 * response is `unknown` until it is parsed with one of these (the gateway does it, naming the resource and the
 * field that did not fit). Each readable resource has its `$select` list beside it: the gateway asks for those
 * fields and nothing more (less data on the wire, and the pipeline never sees what it does not use).
 *
 * Property names and enum members are Graph's own (Microsoft Graph documentation, v1.0 and beta). Two rules
 * make parsing robust against Graph's evolution without hiding real faults:
 * - Graph's enums are "evolvable": Microsoft adds members. An unknown member parses as `unknownFutureValue`
 *   (Graph's own sentinel) instead of failing the whole page; code that decides on an enum treats that
 *   member as "not known to be good".
 * - Graph sends `null` for unset properties; every optional property accepts null or absence and yields
 *   `undefined`. Dates arrive with offsets and 7-digit fractions; they come out as ISO-8601 UTC strings.
 */
import { z } from "zod";
import { Thumbprint } from "./events.ts";

// ---------------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------------

/** null or absent → absent (the key stays optional in the inferred type). */
const opt = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());

/** A DateTimeOffset, normalised to UTC ISO-8601 with milliseconds. */
export const GraphDateTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

/** Graph's thumbprints come in either case, sometimes with spaces; the pipeline keys on upper-case hex. */
export const GraphThumbprint = z
  .string()
  .transform((s) => s.replace(/[\s:]/g, "").toUpperCase())
  .pipe(Thumbprint);

/** An evolvable enum: a member Graph added after this code was written parses as `unknownFutureValue`. */
const evolvable = <const T extends readonly [string, ...string[]]>(members: T) =>
  z
    .string()
    .transform((v): T[number] | "unknownFutureValue" =>
      (members as readonly string[]).includes(v) ? (v as T[number]) : "unknownFutureValue",
    );

/** A flags enum (Graph serialises it as "a,b"): the members set, as an array. */
const flags = <const T extends readonly [string, ...string[]]>(members: T) =>
  z.string().transform((v) =>
    v
      .split(",")
      .map((m) => m.trim())
      .filter((m) => m.length > 0)
      .map((m): T[number] | "unknownFutureValue" =>
        (members as readonly string[]).includes(m) ? (m as T[number]) : "unknownFutureValue",
      ),
  );

/** A Graph collection page: `value` items are parsed one by one by the gateway, so one bad item is named alone. */
export const GraphCollectionPage = z.object({
  value: z.array(z.unknown()),
  "@odata.nextLink": opt(z.string()),
  "@odata.deltaLink": opt(z.string()),
});
export type GraphCollectionPage = z.infer<typeof GraphCollectionPage>;

/** Graph's error body: `{ error: { code, message } }`. */
export const GraphErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().default(""),
    innerError: opt(z.object({ "request-id": opt(z.string()), date: opt(z.string()) })),
  }),
});
export type GraphErrorBody = z.infer<typeof GraphErrorBody>;

// ---------------------------------------------------------------------------------------------------------
// Entra ID users (v1.0)
// ---------------------------------------------------------------------------------------------------------

export const USER_SELECT = [
  "id",
  "userPrincipalName",
  "mail",
  "proxyAddresses",
  "accountEnabled",
  "preferredLanguage",
  "displayName",
] as const;

/** A user, as `GET /users/{id}` answers it. */
export const GraphUser = z.object({
  id: z.string().min(1),
  userPrincipalName: z.string().min(1),
  mail: opt(z.string()),
  /** "SMTP:" (upper case) marks the primary address, "smtp:" the others. */
  proxyAddresses: opt(z.array(z.string())).transform((v) => v ?? []),
  accountEnabled: opt(z.boolean()),
  preferredLanguage: opt(z.string()),
  displayName: opt(z.string()),
});
export type GraphUser = z.infer<typeof GraphUser>;

/**
 * One entry of a `/users/delta` page. A new user comes whole; an updated one with its id and at least the
 * changed properties (so every property but `id` is optional); a removed one with `@removed`: reason
 * `changed` (soft-deleted, restorable for 30 days) or `deleted` (gone for good).
 */
export const GraphUserDelta = z
  .object({
    id: z.string().min(1),
    userPrincipalName: opt(z.string()),
    mail: opt(z.string()),
    proxyAddresses: opt(z.array(z.string())),
    accountEnabled: opt(z.boolean()),
    preferredLanguage: opt(z.string()),
    displayName: opt(z.string()),
    "@removed": opt(z.object({ reason: evolvable(["changed", "deleted"]) })),
  })
  .transform(({ "@removed": removed, ...user }) => ({ ...user, removed }));
export type GraphUserDelta = z.infer<typeof GraphUserDelta>;

// ---------------------------------------------------------------------------------------------------------
// Imported PKCS (PFX) certificates (beta only: deviceManagement/userPfxCertificates)
// ---------------------------------------------------------------------------------------------------------

/** Never the encrypted blob or its password: the pipeline has no use for them and should not hold them. */
export const USER_PFX_CERTIFICATE_SELECT = [
  "id",
  "thumbprint",
  "intendedPurpose",
  "userPrincipalName",
  "startDateTime",
  "expirationDateTime",
  "providerName",
  "keyName",
  "paddingScheme",
  "createdDateTime",
  "lastModifiedDateTime",
] as const;

/** userPfxIntendedPurpose, a flags enum. */
export const UserPfxIntendedPurpose = [
  "unassigned",
  "smimeEncryption",
  "smimeSigning",
  "vpn",
  "wifi",
] as const;

export const UserPfxCertificate = z.object({
  id: z.string().min(1),
  thumbprint: GraphThumbprint,
  intendedPurpose: flags(UserPfxIntendedPurpose),
  userPrincipalName: z.string().min(1),
  startDateTime: GraphDateTime,
  expirationDateTime: GraphDateTime,
  providerName: opt(z.string()),
  keyName: opt(z.string()),
  paddingScheme: opt(evolvable(["none", "pkcs1", "oaepSha1", "oaepSha256", "oaepSha384", "oaepSha512"])),
  createdDateTime: opt(GraphDateTime),
  lastModifiedDateTime: opt(GraphDateTime),
});
export type UserPfxCertificate = z.infer<typeof UserPfxCertificate>;

// ---------------------------------------------------------------------------------------------------------
// Certificate profiles (beta only: the certificate profile types and their states are not in v1.0)
// ---------------------------------------------------------------------------------------------------------

/** How a profile delivers the certificate: rule 5 of DESIGN.md (encryption must be imported) hangs on it. */
export type CertificateDelivery = "scep" | "pkcs" | "importedPfx";

/**
 * The device configuration types that put an S/MIME-capable certificate on an iOS or Android device, by
 * `@odata.type`, with what each means. Only these have `managedDeviceCertificateStates` that matter to Outlook.
 */
export const SMIME_CERTIFICATE_PROFILE_TYPES = {
  "#microsoft.graph.iosScepCertificateProfile": { platform: "iOS", delivery: "scep" },
  "#microsoft.graph.iosPkcsCertificateProfile": { platform: "iOS", delivery: "pkcs" },
  "#microsoft.graph.iosImportedPFXCertificateProfile": { platform: "iOS", delivery: "importedPfx" },
  "#microsoft.graph.androidScepCertificateProfile": { platform: "android", delivery: "scep" },
  "#microsoft.graph.androidPkcsCertificateProfile": { platform: "android", delivery: "pkcs" },
  "#microsoft.graph.androidImportedPFXCertificateProfile": { platform: "android", delivery: "importedPfx" },
  "#microsoft.graph.androidForWorkScepCertificateProfile": { platform: "android", delivery: "scep" },
  "#microsoft.graph.androidForWorkPkcsCertificateProfile": { platform: "android", delivery: "pkcs" },
  "#microsoft.graph.androidForWorkImportedPFXCertificateProfile": {
    platform: "android",
    delivery: "importedPfx",
  },
  "#microsoft.graph.androidWorkProfileScepCertificateProfile": { platform: "android", delivery: "scep" },
  "#microsoft.graph.androidWorkProfilePkcsCertificateProfile": { platform: "android", delivery: "pkcs" },
  "#microsoft.graph.androidDeviceOwnerScepCertificateProfile": { platform: "android", delivery: "scep" },
  "#microsoft.graph.androidDeviceOwnerPkcsCertificateProfile": { platform: "android", delivery: "pkcs" },
  "#microsoft.graph.androidDeviceOwnerImportedPFXCertificateProfile": {
    platform: "android",
    delivery: "importedPfx",
  },
} as const satisfies Record<string, { platform: "iOS" | "android"; delivery: CertificateDelivery }>;
export type SmimeCertificateProfileType = keyof typeof SMIME_CERTIFICATE_PROFILE_TYPES;

/** Read from `deviceManagement/deviceConfigurations` (`@odata.type` always comes, unasked). */
export const DEVICE_CONFIGURATION_SELECT = ["id", "displayName", "version", "lastModifiedDateTime"] as const;

const profileTypes = Object.keys(SMIME_CERTIFICATE_PROFILE_TYPES) as [
  SmimeCertificateProfileType,
  ...SmimeCertificateProfileType[],
];

/** An S/MIME-capable certificate profile, with its platform and delivery derived from its type. */
export const CertificateProfile = z
  .object({
    "@odata.type": z.enum(profileTypes),
    id: z.string().min(1),
    displayName: opt(z.string()),
    version: opt(z.number().int()),
    lastModifiedDateTime: opt(GraphDateTime),
  })
  .transform(({ "@odata.type": odataType, ...profile }) => {
    const { platform, delivery }: { platform: "iOS" | "android"; delivery: CertificateDelivery } =
      SMIME_CERTIFICATE_PROFILE_TYPES[odataType];
    return { ...profile, odataType, platform, delivery };
  });
export type CertificateProfile = z.infer<typeof CertificateProfile>;

/** True when a deviceConfiguration's `@odata.type` is one of the S/MIME certificate profile types. */
export function isSmimeCertificateProfileType(odataType: unknown): odataType is SmimeCertificateProfileType {
  return typeof odataType === "string" && Object.hasOwn(SMIME_CERTIFICATE_PROFILE_TYPES, odataType);
}

/** certificateIssuanceStates. */
export const CertificateIssuanceStates = [
  "unknown",
  "challengeIssued",
  "challengeIssueFailed",
  "requestCreationFailed",
  "requestSubmitFailed",
  "challengeValidationSucceeded",
  "challengeValidationFailed",
  "issueFailed",
  "issuePending",
  "issued",
  "responseProcessingFailed",
  "responsePending",
  "enrollmentSucceeded",
  "enrollmentNotNeeded",
  "revoked",
  "removedFromCollection",
  "renewVerified",
  "installFailed",
  "installed",
  "deleteFailed",
  "deleted",
  "renewalRequested",
  "requested",
] as const;

/** certificateRevocationStatus. */
export const CertificateRevocationStatus = ["none", "pending", "issued", "failed", "revoked"] as const;

/** devicePlatformType (the members this pipeline meets; others parse as unknownFutureValue). */
export const DevicePlatformType = [
  "android",
  "androidForWork",
  "iOS",
  "macOS",
  "windowsPhone81",
  "windows81AndLater",
  "windows10AndLater",
  "androidWorkProfile",
  "unknown",
  "androidAOSP",
] as const;

/**
 * `deviceConfigurations/{id}/microsoft.graph.{profile type}/managedDeviceCertificateStates`. Note what Graph
 * does not give here: no user principal name and no device id (only display names) and no subject; those come
 * from `deviceConfigurationsAllManagedDeviceCertificateStates` (joined on the thumbprint) or the export report.
 */
export const MANAGED_DEVICE_CERTIFICATE_STATE_SELECT = [
  "id",
  "devicePlatform",
  "certificateKeyUsage",
  "certificateIssuanceState",
  "certificateRevokeStatus",
  "certificateProfileDisplayName",
  "deviceDisplayName",
  "userDisplayName",
  "certificateExpirationDateTime",
  "certificateIssuanceDateTime",
  "lastCertificateStateChangeDateTime",
  "certificateIssuer",
  "certificateThumbprint",
  "certificateSerialNumber",
  "certificateKeyLength",
  "certificateEnhancedKeyUsage",
  "certificateErrorCode",
] as const;

/** An empty thumbprint (nothing issued yet) is the same as none. */
const optionalThumbprint = opt(z.string()).pipe(
  z.preprocess((v) => (v === "" ? undefined : v), GraphThumbprint.optional()),
);

export const ManagedDeviceCertificateState = z.object({
  id: z.string().min(1),
  devicePlatform: opt(evolvable(DevicePlatformType)),
  /** keyUsages, a flags enum: keyEncipherment, digitalSignature. */
  certificateKeyUsage: opt(flags(["keyEncipherment", "digitalSignature"])),
  certificateIssuanceState: opt(evolvable(CertificateIssuanceStates)),
  certificateRevokeStatus: opt(evolvable(CertificateRevocationStatus)),
  certificateProfileDisplayName: opt(z.string()),
  deviceDisplayName: opt(z.string()),
  userDisplayName: opt(z.string()),
  certificateExpirationDateTime: opt(GraphDateTime),
  certificateIssuanceDateTime: opt(GraphDateTime),
  lastCertificateStateChangeDateTime: opt(GraphDateTime),
  certificateIssuer: opt(z.string()),
  certificateThumbprint: optionalThumbprint,
  certificateSerialNumber: opt(z.string()),
  certificateKeyLength: opt(z.number().int()),
  /** Free text, e.g. "Secure Email (1.3.6.1.5.5.7.3.4)". */
  certificateEnhancedKeyUsage: opt(z.string()),
  certificateErrorCode: opt(z.number().int()),
});
export type ManagedDeviceCertificateState = z.infer<typeof ManagedDeviceCertificateState>;

/** `deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates`: every profile's, with UPN and subject. */
export const MANAGED_ALL_DEVICE_CERTIFICATE_STATE_SELECT = [
  "id",
  "certificateRevokeStatus",
  "certificateRevokeStatusLastChangeDateTime",
  "managedDeviceDisplayName",
  "userPrincipalName",
  "certificateExpirationDateTime",
  "certificateIssuerName",
  "certificateThumbprint",
  "certificateSerialNumber",
  "certificateSubjectName",
  "certificateKeyUsages",
  "certificateExtendedKeyUsages",
  "certificateIssuanceDateTime",
] as const;

export const ManagedAllDeviceCertificateState = z.object({
  id: z.string().min(1),
  certificateRevokeStatus: opt(evolvable(CertificateRevocationStatus)),
  certificateRevokeStatusLastChangeDateTime: opt(GraphDateTime),
  managedDeviceDisplayName: opt(z.string()),
  userPrincipalName: opt(z.string()),
  certificateExpirationDateTime: opt(GraphDateTime),
  certificateIssuerName: opt(z.string()),
  certificateThumbprint: optionalThumbprint,
  certificateSerialNumber: opt(z.string()),
  certificateSubjectName: opt(z.string()),
  /** The X.509 KeyUsage bits as an integer. */
  certificateKeyUsages: opt(z.number().int()),
  certificateExtendedKeyUsages: opt(z.string()),
  certificateIssuanceDateTime: opt(GraphDateTime),
});
export type ManagedAllDeviceCertificateState = z.infer<typeof ManagedAllDeviceCertificateState>;

// ---------------------------------------------------------------------------------------------------------
// Managed devices (v1.0) and the actions on them
// ---------------------------------------------------------------------------------------------------------

export const MANAGED_DEVICE_SELECT = [
  "id",
  "deviceName",
  "operatingSystem",
  "osVersion",
  "userId",
  "userPrincipalName",
  "lastSyncDateTime",
] as const;

export const ManagedDevice = z.object({
  id: z.string().min(1),
  deviceName: opt(z.string()),
  /** Free text: "iOS", "Android", "Windows"… */
  operatingSystem: opt(z.string()),
  osVersion: opt(z.string()),
  userId: opt(z.string()),
  userPrincipalName: opt(z.string()),
  lastSyncDateTime: opt(GraphDateTime),
});
export type ManagedDevice = z.infer<typeof ManagedDevice>;

/** `POST deviceManagement/managedDevices/{id}/sendCustomNotificationToCompanyPortal` (beta only). */
export const CompanyPortalNotice = z.object({
  notificationTitle: z.string().min(1).max(250),
  notificationBody: z.string().min(1).max(500),
});
export type CompanyPortalNotice = z.infer<typeof CompanyPortalNotice>;

// ---------------------------------------------------------------------------------------------------------
// Outlook app configuration policies (deviceAppManagement/mobileAppConfigurations; beta, because the Android
// managed-store type is beta only)
// ---------------------------------------------------------------------------------------------------------

export const IOS_MOBILE_APP_CONFIGURATION_TYPE = "#microsoft.graph.iosMobileAppConfiguration";
export const ANDROID_MANAGED_STORE_APP_CONFIGURATION_TYPE =
  "#microsoft.graph.androidManagedStoreAppConfiguration";

/** Listing the collection (base type: the derived properties are read per policy, through a type cast). */
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

export const IOS_MOBILE_APP_CONFIGURATION_SELECT = [...MOBILE_APP_CONFIGURATION_SELECT, "settings"] as const;

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

export const ANDROID_MANAGED_STORE_APP_CONFIGURATION_SELECT = [
  ...MOBILE_APP_CONFIGURATION_SELECT,
  "packageId",
  "payloadJson",
  "profileApplicability",
] as const;

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

// ---------------------------------------------------------------------------------------------------------
// Change notifications (v1.0)
// ---------------------------------------------------------------------------------------------------------

export const ChangeType = z.enum(["created", "updated", "deleted"]);

/** `POST /subscriptions`. For users the longest expiry is 41,760 minutes (29 days). */
export const SubscriptionCreate = z.object({
  changeType: z.string().min(1),
  notificationUrl: z.url(),
  lifecycleNotificationUrl: z.url().optional(),
  resource: z.string().min(1),
  expirationDateTime: z.iso.datetime({ offset: true }),
  clientState: z.string().max(128).optional(),
  latestSupportedTlsVersion: z.enum(["v1_0", "v1_1", "v1_2", "v1_3"]).optional(),
});
export type SubscriptionCreate = z.infer<typeof SubscriptionCreate>;

/** `PATCH /subscriptions/{id}`: only the expiry moves. */
export const SubscriptionRenew = z.object({ expirationDateTime: z.iso.datetime({ offset: true }) });
export type SubscriptionRenew = z.infer<typeof SubscriptionRenew>;

/** Reading one subscription; listing them takes no OData query parameters at all, so no $select there. */
export const SUBSCRIPTION_SELECT = [
  "id",
  "resource",
  "changeType",
  "notificationUrl",
  "lifecycleNotificationUrl",
  "expirationDateTime",
  "applicationId",
] as const;

/** A subscription as Graph answers a create, renew or read (clientState is never echoed on reads). */
export const GraphSubscription = z.object({
  id: z.string().min(1),
  resource: z.string().min(1),
  changeType: z.string().min(1),
  notificationUrl: z.string().min(1),
  lifecycleNotificationUrl: opt(z.string()),
  expirationDateTime: GraphDateTime,
  clientState: opt(z.string()),
  applicationId: opt(z.string()),
});
export type GraphSubscription = z.infer<typeof GraphSubscription>;

/** resourceData of a basic (not rich) notification: which entity changed. */
export const ResourceData = z.looseObject({
  "@odata.type": opt(z.string()),
  "@odata.id": opt(z.string()),
  id: z.string().min(1),
});

/** One change notification (POSTed to notificationUrl). */
export const ChangeNotification = z.object({
  id: opt(z.string()),
  subscriptionId: z.string().min(1),
  subscriptionExpirationDateTime: opt(GraphDateTime),
  clientState: opt(z.string()),
  changeType: ChangeType,
  resource: z.string().min(1),
  resourceData: opt(ResourceData),
  tenantId: opt(z.string()),
});
export type ChangeNotification = z.infer<typeof ChangeNotification>;

/** The body Graph POSTs to notificationUrl: a batch. */
export const ChangeNotificationCollection = z.object({ value: z.array(ChangeNotification) });
export type ChangeNotificationCollection = z.infer<typeof ChangeNotificationCollection>;

export const LifecycleEvent = z.enum(["reauthorizationRequired", "subscriptionRemoved", "missed"]);
export type LifecycleEvent = z.infer<typeof LifecycleEvent>;

/** One lifecycle notification (POSTed to lifecycleNotificationUrl). */
export const LifecycleNotification = z.object({
  subscriptionId: z.string().min(1),
  subscriptionExpirationDateTime: opt(GraphDateTime),
  clientState: opt(z.string()),
  lifecycleEvent: LifecycleEvent,
  resource: opt(z.string()),
  tenantId: opt(z.string()),
});
export type LifecycleNotification = z.infer<typeof LifecycleNotification>;

export const LifecycleNotificationCollection = z.object({ value: z.array(LifecycleNotification) });
export type LifecycleNotificationCollection = z.infer<typeof LifecycleNotificationCollection>;

// ---------------------------------------------------------------------------------------------------------
// Intune report export (v1.0: deviceManagement/reports/exportJobs)
// ---------------------------------------------------------------------------------------------------------

/** `POST deviceManagement/reports/exportJobs`. */
export const ExportJobCreate = z.object({
  reportName: z.string().min(1).max(2000),
  format: z.enum(["csv", "json"]).default("csv"),
  select: z.array(z.string().min(1)).max(256).optional(),
  filter: z.string().max(2000).optional(),
  localizationType: z.enum(["localizedValuesAsAdditionalColumn", "replaceLocalizableValues"]).optional(),
});
export type ExportJobCreate = z.input<typeof ExportJobCreate>;

export const EXPORT_JOB_SELECT = [
  "id",
  "reportName",
  "format",
  "status",
  "url",
  "requestDateTime",
  "expirationDateTime",
] as const;

export const DeviceManagementExportJob = z.object({
  id: z.string().min(1),
  reportName: z.string().min(1),
  format: opt(evolvable(["csv", "pdf", "json"])),
  /** deviceManagementReportStatus. */
  status: evolvable(["unknown", "notStarted", "inProgress", "completed", "failed"]),
  /** The ZIP's temporary (SAS) URL, once completed: fetched without the Graph token. */
  url: opt(z.string()),
  requestDateTime: opt(GraphDateTime),
  expirationDateTime: opt(GraphDateTime),
});
export type DeviceManagementExportJob = z.infer<typeof DeviceManagementExportJob>;

// ---------------------------------------------------------------------------------------------------------
// Mail (v1.0: POST /users/{sender}/sendMail → 202)
// ---------------------------------------------------------------------------------------------------------

const Recipient = z.object({
  emailAddress: z.object({ address: z.email(), name: z.string().optional() }),
});

export const SendMailBody = z.object({
  message: z.object({
    subject: z.string().min(1),
    body: z.object({ contentType: z.enum(["text", "html"]), content: z.string() }),
    toRecipients: z.array(Recipient).min(1),
  }),
  saveToSentItems: z.boolean().default(false),
});
export type SendMailBody = z.input<typeof SendMailBody>;
