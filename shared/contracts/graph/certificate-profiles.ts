/**
 * Graph contracts: S/MIME certificate profiles for iOS and Android and their per-device certificate states
 * (beta only: the certificate profile types and their states are not in v1.0).
 */
import { z } from "zod";
import { evolvable, flags, GraphDateTime, GraphThumbprint, opt } from "./common.ts";

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
