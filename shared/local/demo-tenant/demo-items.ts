/**
 * The Graph entities that describe the demo users and their certificates, property for property as
 * Microsoft documents them: user, managedDevice, userPFXCertificate, managedDeviceCertificateState,
 * managedAllDeviceCertificateState, and the rows of the `AllDeviceCertificates` report.
 */
import { DEMO_TENANT_DOMAIN, type DemoCertificateSpec } from "./dataset.ts";
import type { DemoCertificateRecord, DemoUserRecord, Issued } from "./demo-records.ts";
import { type ExportRow, type GraphItem, KEY_USAGE_BITS } from "./model.ts";
import { type ProfileKey, profileId, profileName } from "./profiles.ts";
import { digest, guid, thumbprintOf } from "./seeded.ts";

const DAY = 86_400_000;

/** Graph's user entity (v1.0), every property the demo knows. */
export function graphUser(u: DemoUserRecord, at: Date): GraphItem {
  const [givenName, ...rest] = u.spec.displayName.split(" ");
  const aliases = (u.spec.aliases ?? []).map((a) => `smtp:${a}@${DEMO_TENANT_DOMAIN}`);
  return {
    id: u.id,
    businessPhones: [],
    displayName: u.spec.displayName,
    givenName: givenName ?? null,
    surname: rest.join(" ") || null,
    jobTitle: null,
    mail: u.primarySmtp,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: u.spec.language,
    userPrincipalName: u.userPrincipalName,
    accountEnabled: u.spec.accountEnabled ?? true,
    proxyAddresses: [`SMTP:${u.primarySmtp}`, ...aliases],
    createdDateTime: new Date(at.getTime() - 400 * DAY).toISOString(),
    userType: "Member",
    onPremisesSyncEnabled: null,
  };
}

export function graphDevice(u: DemoUserRecord, d: DemoUserRecord["devices"][number], at: Date): GraphItem {
  const ios = d.platform === "iOS";
  return {
    "@odata.type": "#microsoft.graph.managedDevice",
    id: d.id,
    userId: u.id,
    deviceName: d.name,
    managedDeviceOwnerType: "company",
    enrolledDateTime: new Date(at.getTime() - 180 * DAY).toISOString(),
    lastSyncDateTime: new Date(at.getTime() - 3_600_000).toISOString(),
    operatingSystem: ios ? "iOS" : "Android",
    osVersion: ios ? "18.5" : "15",
    complianceState: "compliant",
    managementAgent: "mdm",
    deviceEnrollmentType: ios ? "appleBulkWithUser" : "androidEnterpriseCorporateWorkProfile",
    emailAddress: u.primarySmtp,
    azureADDeviceId: guid(u.id, d.id, "aad"),
    deviceRegistrationState: "registered",
    model: ios ? "iPhone 16" : "Pixel 9",
    manufacturer: ios ? "Apple" : "Google",
    serialNumber: digest(d.id).toString("hex").slice(0, 12).toUpperCase(),
    userPrincipalName: u.userPrincipalName,
    userDisplayName: u.spec.displayName,
  };
}

const KEY_USAGE_TEXT: Readonly<Record<string, string>> = {
  signing: "Digital Signature, Non-Repudiation",
  encryption: "Key Agreement",
  both: "Digital Signature, Non-Repudiation, Key Agreement",
};

/** beta `userPFXCertificate`. The blob is opaque here as in Intune (encrypted with the tenant's key). */
export function pfxItem(
  seed: string,
  key: string,
  u: DemoUserRecord,
  spec: DemoCertificateSpec,
  c: DemoCertificateRecord,
): GraphItem {
  const imported = new Date(c.notBefore.getTime() + DAY).toISOString();
  return {
    "@odata.type": "#microsoft.graph.userPFXCertificate",
    id: guid(seed, "pfx", key),
    thumbprint: c.thumbprint,
    intendedPurpose: spec.purpose === "signing" ? "smimeSigning" : "smimeEncryption",
    userPrincipalName: u.userPrincipalName,
    startDateTime: c.notBefore.toISOString(),
    expirationDateTime: c.notAfter.toISOString(),
    providerName: "Microsoft Software Key Storage Provider",
    keyName: "PFXEncryptionKey",
    paddingScheme: "oaepSha512",
    encryptedPfxBlob: digest(seed, key, "blob").toString("base64"),
    encryptedPfxPassword: digest(seed, key, "password").toString("base64"),
    createdDateTime: imported,
    lastModifiedDateTime: imported,
  };
}

export function stateItem(o: {
  seed: string;
  key: string;
  u: DemoUserRecord;
  device: DemoUserRecord["devices"][number];
  spec: DemoCertificateSpec;
  profile: ProfileKey;
  issued: Issued | undefined;
  now: Date;
}): GraphItem {
  const { spec, issued } = o;
  const failedHere = spec.issuance?.platform === o.device.platform ? spec.issuance?.state : undefined;
  const revoked = spec.revoked === "intune";
  const issuance = revoked ? "revoked" : (failedHere ?? "installed");
  const changed = issued
    ? new Date(issued.cert.notBefore.getTime() + 3_600_000)
    : new Date(o.now.getTime() - DAY);
  return {
    "@odata.type": "#microsoft.graph.managedDeviceCertificateState",
    id: guid(o.seed, "state", o.key, o.device.id),
    devicePlatform: o.device.platform === "iOS" ? "iOS" : "androidWorkProfile",
    certificateKeyUsage: spec.purpose === "signing" ? "digitalSignature" : "keyEncipherment",
    certificateValidityPeriodUnits: "years",
    certificateIssuanceState: issuance,
    certificateKeyStorageProvider: "useSoftwareKsp",
    certificateSubjectNameFormat: "commonNameIncludingEmail",
    certificateSubjectAlternativeNameFormat: "emailAddress",
    certificateRevokeStatus: revoked ? "revoked" : "none",
    certificateProfileDisplayName: profileName(o.profile),
    deviceDisplayName: o.device.name,
    userDisplayName: o.u.spec.displayName,
    certificateExpirationDateTime: issued ? issued.cert.notAfter.toISOString() : null,
    certificateLastIssuanceStateChangedDateTime: changed.toISOString(),
    lastCertificateStateChangeDateTime: changed.toISOString(),
    certificateIssuer: issued ? issued.cert.issuer : null,
    certificateThumbprint: issued ? thumbprintOf(issued.der) : null,
    certificateSerialNumber: issued ? issued.serialNumber.toUpperCase() : null,
    certificateKeyLength: 256,
    certificateEnhancedKeyUsage: "Secure Email (1.3.6.1.5.5.7.3.4)",
    certificateValidityPeriod: 1,
    certificateSubjectNameFormatString: null,
    certificateSubjectAlternativeNameFormatString: null,
    certificateIssuanceDateTime: issued ? issued.cert.notBefore.toISOString() : null,
    certificateErrorCode: failedHere ? -2146762487 : 0,
  };
}

const KEY_USAGE_INT: Readonly<Record<string, number>> = {
  signing: KEY_USAGE_BITS.digitalSignature | KEY_USAGE_BITS.nonRepudiation,
  encryption: KEY_USAGE_BITS.keyAgreement,
  both: KEY_USAGE_BITS.digitalSignature | KEY_USAGE_BITS.nonRepudiation | KEY_USAGE_BITS.keyAgreement,
};

/** beta `managedAllDeviceCertificateState`: the same state seen across profiles, with UPN and subject. */
export function allStateItem(
  state: GraphItem,
  u: DemoUserRecord,
  spec: DemoCertificateSpec,
  issued: Issued | undefined,
): GraphItem {
  return {
    "@odata.type": "#microsoft.graph.managedAllDeviceCertificateState",
    id: state.id,
    certificateRevokeStatus: state.certificateRevokeStatus,
    certificateRevokeStatusLastChangeDateTime: state.lastCertificateStateChangeDateTime,
    managedDeviceDisplayName: state.deviceDisplayName,
    userPrincipalName: u.userPrincipalName,
    certificateExpirationDateTime: state.certificateExpirationDateTime,
    certificateIssuerName: state.certificateIssuer,
    certificateThumbprint: state.certificateThumbprint,
    certificateSerialNumber: state.certificateSerialNumber,
    certificateSubjectName: issued?.cert.subject ?? null,
    certificateKeyUsages: issued ? (KEY_USAGE_INT[spec.keyPurpose ?? spec.purpose] ?? 0) : 0,
    certificateExtendedKeyUsages: issued ? "Secure Email (1.3.6.1.5.5.7.3.4)" : null,
    certificateIssuanceDateTime: state.certificateIssuanceDateTime,
  };
}

export function exportRow(
  seed: string,
  u: DemoUserRecord,
  device: DemoUserRecord["devices"][number],
  spec: DemoCertificateSpec,
  profile: ProfileKey,
  state: GraphItem,
  issued: Issued | undefined,
): ExportRow {
  return {
    CertificateStatus: String(state.certificateIssuanceState),
    DeviceId: device.id,
    DeviceName: device.name,
    EnhancedKeyUsage: "Secure Email (1.3.6.1.5.5.7.3.4)",
    IssuerName: issued?.cert.issuer ?? "",
    KeyUsage: KEY_USAGE_TEXT[spec.keyPurpose ?? spec.purpose] ?? "",
    PolicyId: profileId(seed, profile),
    SerialNumber: issued ? issued.serialNumber.toUpperCase() : "",
    SubjectName: issued?.cert.subject ?? "",
    Thumbprint: issued ? thumbprintOf(issued.der) : "",
    UPN: u.userPrincipalName,
    UserId: u.id,
    ValidFrom: issued ? issued.cert.notBefore.toISOString() : "",
    ValidTo: issued ? issued.cert.notAfter.toISOString() : "",
  };
}
