/**
 * A large tenant for the benchmark (100,000 certificate states and more), computed page by page: nothing is
 * held but the profiles and policies, each item is a pure function of its index and the seed, so a second
 * sync sees the same thumbprints and dates and a client can page through without the server keeping state.
 * Metadata only: no certificate is minted (thumbprints and serials are derived, not real).
 *
 * Layout: user i has one device (iOS for even i, Android for odd) and one imported encryption PFX; device
 * certificate state j belongs to user j mod users (users is rounded up to even) and sits in the SCEP signing
 * profile of that user's platform, so state k of the iOS profile is certificate 2k and of Android 2k+1.
 */
import { createHash } from "node:crypto";
import {
  type ALL_DEVICE_CERTIFICATES_COLUMNS,
  type Collection,
  type ExportRow,
  type GraphItem,
  KEY_USAGE_BITS,
  type TenantData,
} from "./model.ts";
import { mobileAppConfigurations } from "./policies.ts";
import { deviceConfigurations, type ProfileKey, profileId, profileName } from "./profiles.ts";
import { digest, fakeThumbprint, guid, unit } from "./seeded.ts";

const DAY = 86_400_000;
export const SCALE_DOMAIN = "bench.smime-lifecycle.local";
const ISSUER = "CN=smime-lifecycle Demo Issuing CA, O=Demo Tenant";

export interface Scale {
  readonly users: number;
  readonly certificates: number;
}

/** Ids that encode their index, so lookups need no table: `<seed-hash>-<kind>-4000-8000-<index hex>`. */
function indexedId(prefix: string, kind: string, i: number): string {
  return `${prefix}-${kind}-4000-8000-${i.toString(16).padStart(12, "0")}`;
}

function indexOf(id: string, prefix: string, kind: string): number | undefined {
  const m = new RegExp(`^${prefix}-${kind}-4000-8000-([0-9a-f]{12})$`).exec(id.toLowerCase());
  return m?.[1] ? Number.parseInt(m[1], 16) : undefined;
}

function collection(count: number, item: (i: number) => GraphItem): Collection {
  return {
    count,
    slice(offset, limit) {
      const out: GraphItem[] = [];
      for (let i = offset; i < Math.min(count, offset + limit); i += 1) out.push(item(i));
      return out;
    },
  };
}

export function generateTenant(options: {
  readonly seed: string;
  readonly now: Date;
  readonly scale: Scale;
}): TenantData {
  const { seed, now } = options;
  const users = options.scale.users + (options.scale.users % 2);
  const certificates = options.scale.certificates;
  const prefix = digest(seed, "scale").toString("hex").slice(0, 8);
  const userId = (i: number) => indexedId(prefix, "0001", i);
  const deviceId = (i: number) => indexedId(prefix, "0002", i);
  const upn = (i: number) => `user${i}@${SCALE_DOMAIN}`;
  const platformOf = (i: number): "iOS" | "android" => (i % 2 === 0 ? "iOS" : "android");
  const profiles: ProfileKey[] = [
    { delivery: "scep", platform: "iOS", purpose: "signing" },
    { delivery: "scep", platform: "android", purpose: "signing" },
  ];
  const profileIds = profiles.map((p) => profileId(seed, p));

  const deviceName = (i: number) => `BENCH-${platformOf(i) === "iOS" ? "IPHONE" : "PIXEL"}-${i}`;
  const user = (i: number): GraphItem => ({
    id: userId(i),
    businessPhones: [],
    displayName: `Bench User ${i}`,
    givenName: "Bench",
    surname: `User ${i}`,
    jobTitle: null,
    mail: upn(i),
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: i % 3 === 0 ? "sv-SE" : "en-US",
    userPrincipalName: upn(i),
    accountEnabled: true,
    proxyAddresses: [`SMTP:${upn(i)}`],
    createdDateTime: new Date(now.getTime() - 400 * DAY).toISOString(),
    userType: "Member",
    onPremisesSyncEnabled: null,
  });
  const device = (i: number): GraphItem => ({
    "@odata.type": "#microsoft.graph.managedDevice",
    id: deviceId(i),
    userId: userId(i),
    deviceName: deviceName(i),
    managedDeviceOwnerType: "company",
    operatingSystem: platformOf(i) === "iOS" ? "iOS" : "Android",
    osVersion: platformOf(i) === "iOS" ? "18.5" : "15",
    complianceState: "compliant",
    managementAgent: "mdm",
    lastSyncDateTime: new Date(now.getTime() - 3_600_000).toISOString(),
    emailAddress: upn(i),
    userPrincipalName: upn(i),
    userDisplayName: `Bench User ${i}`,
  });
  /** Days to expiry: spread from 30 days ago to 390 days ahead, so every threshold has its share. */
  const expiry = (kind: string, j: number) =>
    new Date(now.getTime() + Math.floor(unit(seed, kind, j) * 420 - 30) * DAY);
  const pfx = (i: number): GraphItem => ({
    "@odata.type": "#microsoft.graph.userPFXCertificate",
    id: guid(seed, "pfx", i),
    thumbprint: fakeThumbprint(seed, "pfx", i),
    intendedPurpose: "smimeEncryption",
    userPrincipalName: upn(i),
    startDateTime: new Date(expiry("pfx", i).getTime() - 365 * DAY).toISOString(),
    expirationDateTime: expiry("pfx", i).toISOString(),
    providerName: "Microsoft Software Key Storage Provider",
    keyName: "PFXEncryptionKey",
    paddingScheme: "oaepSha512",
    encryptedPfxBlob: digest(seed, "blob", i).toString("base64"),
    encryptedPfxPassword: digest(seed, "password", i).toString("base64"),
    createdDateTime: new Date(expiry("pfx", i).getTime() - 364 * DAY).toISOString(),
    lastModifiedDateTime: new Date(expiry("pfx", i).getTime() - 364 * DAY).toISOString(),
  });
  /**
   * Everything random about state j from one SHA-512 (a page of 1,000 states costs 1,000 hashes, not 5,000):
   * thumbprint, serial, id, and the draws for expiry and issuance.
   */
  const facts = (j: number) => {
    const h = createHash("sha512").update(`${seed}\u0000state\u0000${j}`).digest();
    const draw = (at: number) => h.readUInt32BE(at) / 2 ** 32;
    const issuanceDraw = draw(56);
    const id = h.subarray(36, 52).toString("hex");
    return {
      thumbprint: h.subarray(0, 20).toString("hex").toUpperCase(),
      serial: h.subarray(20, 36).toString("hex").toUpperCase(),
      id: `${id.slice(0, 8)}-${id.slice(8, 12)}-4${id.slice(13, 16)}-8${id.slice(17, 20)}-${id.slice(20, 32)}`,
      notAfter: new Date(now.getTime() + Math.floor(draw(52) * 420 - 30) * DAY),
      issuance: issuanceDraw < 0.002 ? "revoked" : issuanceDraw < 0.01 ? "installFailed" : "installed",
    };
  };
  const state = (j: number): GraphItem => {
    const u = j % users;
    const p = profiles[u % 2] as ProfileKey;
    const { thumbprint, serial, id, notAfter, issuance } = facts(j);
    const changed = new Date(notAfter.getTime() - 364 * DAY).toISOString();
    return {
      "@odata.type": "#microsoft.graph.managedDeviceCertificateState",
      id,
      devicePlatform: p.platform === "iOS" ? "iOS" : "androidWorkProfile",
      certificateKeyUsage: "digitalSignature",
      certificateValidityPeriodUnits: "years",
      certificateIssuanceState: issuance,
      certificateKeyStorageProvider: "useSoftwareKsp",
      certificateSubjectNameFormat: "commonNameIncludingEmail",
      certificateSubjectAlternativeNameFormat: "emailAddress",
      certificateRevokeStatus: issuance === "revoked" ? "revoked" : "none",
      certificateProfileDisplayName: profileName(p),
      deviceDisplayName: deviceName(u),
      userDisplayName: `Bench User ${u}`,
      certificateExpirationDateTime: notAfter.toISOString(),
      certificateLastIssuanceStateChangedDateTime: changed,
      lastCertificateStateChangeDateTime: changed,
      certificateIssuer: ISSUER,
      certificateThumbprint: thumbprint,
      certificateSerialNumber: serial,
      certificateKeyLength: 256,
      certificateEnhancedKeyUsage: "Secure Email (1.3.6.1.5.5.7.3.4)",
      certificateValidityPeriod: 1,
      certificateSubjectNameFormatString: null,
      certificateSubjectAlternativeNameFormatString: null,
      certificateIssuanceDateTime: new Date(notAfter.getTime() - 365 * DAY).toISOString(),
      certificateErrorCode: issuance === "installFailed" ? -2146762487 : 0,
    };
  };
  const allState = (j: number): GraphItem => {
    const s = state(j);
    const u = j % users;
    return {
      "@odata.type": "#microsoft.graph.managedAllDeviceCertificateState",
      id: s.id,
      certificateRevokeStatus: s.certificateRevokeStatus,
      certificateRevokeStatusLastChangeDateTime: s.lastCertificateStateChangeDateTime,
      managedDeviceDisplayName: s.deviceDisplayName,
      userPrincipalName: upn(u),
      certificateExpirationDateTime: s.certificateExpirationDateTime,
      certificateIssuerName: ISSUER,
      certificateThumbprint: s.certificateThumbprint,
      certificateSerialNumber: s.certificateSerialNumber,
      certificateSubjectName: `CN=Bench User ${u}, E=${upn(u)}`,
      certificateKeyUsages: KEY_USAGE_BITS.digitalSignature | KEY_USAGE_BITS.nonRepudiation,
      certificateExtendedKeyUsages: "Secure Email (1.3.6.1.5.5.7.3.4)",
      certificateIssuanceDateTime: s.certificateIssuanceDateTime,
    };
  };
  const row = (j: number): ExportRow => {
    const s = state(j);
    const u = j % users;
    const values: Record<(typeof ALL_DEVICE_CERTIFICATES_COLUMNS)[number], string> = {
      CertificateStatus: String(s.certificateIssuanceState),
      DeviceId: deviceId(u),
      DeviceName: String(s.deviceDisplayName),
      EnhancedKeyUsage: String(s.certificateEnhancedKeyUsage),
      IssuerName: ISSUER,
      KeyUsage: "Digital Signature, Non-Repudiation",
      PolicyId: profileIds[u % 2] as string,
      SerialNumber: String(s.certificateSerialNumber),
      SubjectName: `CN=Bench User ${u}, E=${upn(u)}`,
      Thumbprint: String(s.certificateThumbprint),
      UPN: upn(u),
      UserId: userId(u),
      ValidFrom: String(s.certificateIssuanceDateTime),
      ValidTo: String(s.certificateExpirationDateTime),
    };
    return values;
  };
  return {
    tenantId: guid(seed, "tenant"),
    users: collection(users, user),
    findUser(idOrUpn) {
      const byUpn = /^user(\d+)@/i.exec(idOrUpn);
      const i = byUpn?.[1] ? Number(byUpn[1]) : indexOf(idOrUpn, prefix, "0001");
      return i !== undefined && i < users ? user(i) : undefined;
    },
    pfxCertificates: collection(users, pfx),
    deviceConfigurations: deviceConfigurations(seed, now),
    certificateStates(id) {
      const p = profileIds.indexOf(id);
      if (p >= 0) return collection(Math.max(0, Math.ceil((certificates - p) / 2)), (k) => state(2 * k + p));
      // Every other certificate profile exists but is empty.
      return id.length > 0 &&
        deviceConfigurations(seed, now).some(
          (c) => c.id === id && String(c["@odata.type"]).includes("Certificate"),
        )
        ? collection(0, state)
        : undefined;
    },
    allCertificateStates: collection(certificates, allState),
    managedDevices: collection(users, device),
    findDevice(id) {
      const i = indexOf(id, prefix, "0002");
      return i !== undefined && i < users ? device(i) : undefined;
    },
    devicesOf(id) {
      const i = indexOf(id, prefix, "0001");
      return i !== undefined && i < users ? [device(i)] : [];
    },
    mobileAppConfigurations: mobileAppConfigurations({
      seed,
      ldapHost: "ldap.bench.smime-lifecycle.local",
      at: now,
    }),
    *exportRows() {
      for (let j = 0; j < certificates; j += 1) yield row(j);
    },
    removeCertificatesOf: () => false,
  };
}
