/**
 * The demo tenant's certificate profiles (`deviceManagement/deviceConfigurations`): SCEP, PKCS and imported
 * PFX, for iOS and Android (work profile), each for signing or encryption — the `@odata.type` names are the
 * ones whose `managedDeviceCertificateStates` Graph lists. One unrelated profile (iOS restrictions) is there
 * so a sync has to filter.
 */
import type { Delivery, DemoPlatform } from "./dataset.ts";
import type { GraphItem } from "./model.ts";
import { guid } from "./seeded.ts";

export const PROFILE_TYPES: Readonly<Record<DemoPlatform, Readonly<Record<Delivery, string>>>> = {
  iOS: {
    scep: "iosScepCertificateProfile",
    pkcs: "iosPkcsCertificateProfile",
    pfx: "iosImportedPFXCertificateProfile",
  },
  android: {
    scep: "androidWorkProfileScepCertificateProfile",
    pkcs: "androidWorkProfilePkcsCertificateProfile",
    pfx: "androidForWorkImportedPFXCertificateProfile",
  },
};

const EMAIL_PROTECTION = { name: "Secure Email", objectIdentifier: "1.3.6.1.5.5.7.3.4" };

export interface ProfileKey {
  readonly delivery: Delivery;
  readonly platform: DemoPlatform;
  readonly purpose: "signing" | "encryption";
}

export function profileId(seed: string, key: ProfileKey): string {
  return guid(seed, "profile", key.delivery, key.platform, key.purpose);
}

export function profileName(key: ProfileKey): string {
  const how = { scep: "SCEP", pkcs: "PKCS", pfx: "imported PFX" }[key.delivery];
  return `S/MIME ${key.purpose} (${key.platform === "iOS" ? "iOS" : "Android"}, ${how})`;
}

function profile(seed: string, key: ProfileKey, at: Date): GraphItem {
  const type = PROFILE_TYPES[key.platform][key.delivery];
  const common: GraphItem = {
    "@odata.type": `#microsoft.graph.${type}`,
    id: profileId(seed, key),
    displayName: profileName(key),
    description: `Delivers the S/MIME ${key.purpose} certificate to Outlook`,
    createdDateTime: new Date(at.getTime() - 200 * 86_400_000).toISOString(),
    lastModifiedDateTime: new Date(at.getTime() - 30 * 86_400_000).toISOString(),
    version: 1,
    renewalThresholdPercentage: 20,
    certificateValidityPeriodScale: "years",
    certificateValidityPeriodValue: 1,
  };
  if (key.delivery === "pfx")
    return {
      ...common,
      intendedPurpose: key.purpose === "signing" ? "smimeSigning" : "smimeEncryption",
      certificateStore: "user",
    };
  return {
    ...common,
    subjectNameFormat: "commonNameIncludingEmail",
    subjectAlternativeNameType: "emailAddress",
    keyUsage: key.purpose === "signing" ? "digitalSignature" : "keyEncipherment",
    keySize: "size2048",
    extendedKeyUsages: [EMAIL_PROTECTION],
    ...(key.delivery === "scep"
      ? { scepServerUrls: ["https://ndes.demo.smime-lifecycle.local/certsrv/mscep/mscep.dll"] }
      : {}),
  };
}

export const ALL_PROFILE_KEYS: readonly ProfileKey[] = (["iOS", "android"] as const).flatMap((platform) =>
  (["scep", "pkcs", "pfx"] as const).flatMap((delivery) =>
    (["signing", "encryption"] as const).map((purpose) => ({ delivery, platform, purpose })),
  ),
);

/** Every profile of the tenant, certificate profiles first. */
export function deviceConfigurations(seed: string, at: Date): GraphItem[] {
  return [
    ...ALL_PROFILE_KEYS.map((key) => profile(seed, key, at)),
    {
      "@odata.type": "#microsoft.graph.iosGeneralDeviceConfiguration",
      id: guid(seed, "profile", "ios-restrictions"),
      displayName: "iOS device restrictions",
      description: "Passcode and restrictions (not a certificate profile)",
      createdDateTime: new Date(at.getTime() - 300 * 86_400_000).toISOString(),
      lastModifiedDateTime: new Date(at.getTime() - 60 * 86_400_000).toISOString(),
      version: 4,
      passcodeRequired: true,
      passcodeMinimumLength: 6,
    },
  ];
}
