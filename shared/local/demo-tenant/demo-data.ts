/**
 * Builds the demo tenant's data from `DEMO_USERS`: certificates issued by the demo CA (kept under
 * `<dataDir>/demo-tenant/certificates.json`, so a restart serves the same certificates and thumbprints, and
 * the pipeline sees no change), then the Graph entities that describe them: users, devices, PFX records,
 * device certificate states per profile, and the `AllDeviceCertificates` report rows.
 *
 * Ids come from the seed, dates from the certificates themselves: deterministic for a given CA folder.
 */
import "reflect-metadata";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { z } from "zod";
import type { DemoCa } from "../demo-ca.ts";
import {
  DEMO_TENANT_DOMAIN,
  DEMO_USERS,
  type DemoCertificateSpec,
  type DemoPlatform,
  type DemoUserSpec,
  type Expectation,
  type UserChange,
} from "./dataset.ts";
import { issueFromForeignCa } from "./foreign-ca.ts";
import { arrayCollection, type ExportRow, type GraphItem, KEY_USAGE_BITS, type TenantData } from "./model.ts";
import { mobileAppConfigurations } from "./policies.ts";
import { deviceConfigurations, type ProfileKey, profileId, profileName } from "./profiles.ts";
import { digest, guid, thumbprintOf } from "./seeded.ts";

const DAY = 86_400_000;

/** A demo user as the tenant knows it. */
export interface DemoUserRecord {
  readonly spec: DemoUserSpec;
  readonly id: string;
  readonly userPrincipalName: string;
  readonly primarySmtp: string;
  readonly devices: readonly {
    readonly id: string;
    readonly platform: DemoPlatform;
    readonly name: string;
  }[];
}

/** A certificate of the demo tenant, with what it is there to show. */
export interface DemoCertificateRecord {
  readonly userPrincipalName: string;
  readonly userId: string;
  readonly purpose: "signing" | "encryption";
  readonly delivery: DemoCertificateSpec["delivery"];
  /** The devices Intune put it on (one for SCEP/PKCS, every device for PFX). */
  readonly platforms: readonly DemoPlatform[];
  readonly thumbprint: string;
  /** Upper-case hex, as Intune shows it. */
  readonly serialNumber: string;
  readonly pem: string;
  readonly der: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** In the directory for recipients (what LDAP returns). */
  readonly published: boolean;
  readonly expect: Expectation;
  readonly expectAfterChange?: Expectation;
}

export interface DemoDataset {
  readonly data: TenantData;
  readonly users: readonly DemoUserRecord[];
  readonly certificates: readonly DemoCertificateRecord[];
  /** What the directory publishes per user (lower-case UPN): certificate bytes, malformed ones included. */
  readonly directory: ReadonlyMap<string, readonly Uint8Array[]>;
  /** Changes the tenant applies once the first delta round completes. */
  readonly scriptedChanges: readonly { readonly userId: string; readonly change: UserChange }[];
}

const Stored = z.object({
  issuer: z.string(),
  certificates: z.record(z.string(), z.object({ pem: z.string(), serialNumber: z.string() })),
});
type Stored = z.infer<typeof Stored>;

/** Issues each certificate once per data directory; later starts read them back. */
class CertificateCache {
  private dirty = false;
  private readonly path: string;
  private readonly stored: Stored;
  private constructor(path: string, stored: Stored) {
    this.path = path;
    this.stored = stored;
  }

  static async open(dir: string, issuer: string): Promise<CertificateCache> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, "certificates.json");
    const text = await readFile(path, "utf8").catch(() => undefined);
    const parsed = text === undefined ? undefined : Stored.safeParse(JSON.parse(text));
    // Another CA (a new demo-ca folder) means the old certificates no longer chain: start over.
    const stored =
      parsed?.success && parsed.data.issuer === issuer ? parsed.data : { issuer, certificates: {} };
    return new CertificateCache(path, stored);
  }

  async get(key: string, issue: () => Promise<{ pem: string; serialNumber: string }>) {
    const hit = this.stored.certificates[key];
    if (hit) return hit;
    const made = await issue();
    this.stored.certificates[key] = made;
    this.dirty = true;
    return made;
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(this.stored, null, 1));
    await rename(temporary, this.path);
  }
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function userRecord(seed: string, spec: DemoUserSpec): DemoUserRecord {
  const first = capitalised(spec.displayName.split(" ")[0] ?? spec.name);
  return {
    spec,
    id: guid(seed, "user", spec.name),
    userPrincipalName: `${spec.name}@${DEMO_TENANT_DOMAIN}`,
    primarySmtp: `${spec.primaryLocal ?? spec.name}@${DEMO_TENANT_DOMAIN}`,
    devices: spec.devices.map((platform) => ({
      id: guid(seed, "device", spec.name, platform),
      platform,
      name: `${first}'s ${platform === "iOS" ? "iPhone" : "Pixel"}`,
    })),
  };
}

/** Graph's user entity (v1.0), every property the demo knows. */
function graphUser(u: DemoUserRecord, at: Date): GraphItem {
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

function graphDevice(u: DemoUserRecord, d: DemoUserRecord["devices"][number], at: Date): GraphItem {
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

interface Issued {
  readonly pem: string;
  readonly der: Uint8Array;
  readonly serialNumber: string;
  readonly cert: x509.X509Certificate;
}

/** Flips the last byte of the signature: the certificate still parses, its signature no longer verifies. */
function tamper(der: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(der);
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x01;
  return copy;
}

async function issueOne(
  ca: DemoCa,
  cache: CertificateCache,
  key: string,
  u: DemoUserRecord,
  spec: DemoCertificateSpec,
  now: Date,
): Promise<Issued> {
  const email = spec.namesAlias
    ? `${u.spec.aliases?.[0] ?? u.spec.name}@${DEMO_TENANT_DOMAIN}`
    : u.primarySmtp;
  const notBefore = new Date(now.getTime() + (spec.startsInDays ?? -30) * DAY);
  const notAfter = new Date(now.getTime() + (spec.validDays ?? 365) * DAY);
  const stored = await cache.get(key, async () => {
    if (spec.variant === "foreignCa")
      return issueFromForeignCa({
        email,
        displayName: u.spec.displayName,
        notBefore,
        notAfter,
        serialNumber: digest(key).subarray(0, 16).toString("hex").replace(/^./, "4"),
      });
    const leaf = await ca.issue({
      email,
      purpose: spec.keyPurpose ?? spec.purpose,
      displayName: u.spec.displayName,
      notBefore,
      notAfter,
    });
    if (spec.revoked) await ca.revoke(leaf.serialNumber, new Date(now.getTime() - DAY));
    return { pem: leaf.pem, serialNumber: leaf.serialNumber };
  });
  const cert = new x509.X509Certificate(stored.pem);
  const raw = new Uint8Array(cert.rawData);
  const der = spec.variant === "tamperedSignature" ? tamper(raw) : raw;
  return {
    pem:
      spec.variant === "tamperedSignature"
        ? x509.PemConverter.encode(der.buffer as ArrayBuffer, "CERTIFICATE")
        : stored.pem,
    der,
    serialNumber: stored.serialNumber,
    cert,
  };
}

const KEY_USAGE_TEXT: Readonly<Record<string, string>> = {
  signing: "Digital Signature, Non-Repudiation",
  encryption: "Key Agreement",
  both: "Digital Signature, Non-Repudiation, Key Agreement",
};

interface Owned {
  readonly upn: string;
  readonly item: GraphItem;
}

/** Builds (issuing what the data directory does not hold yet) the demo tenant. */
export async function buildDemoDataset(options: {
  readonly ca: DemoCa;
  readonly dataDir: string;
  readonly seed: string;
  readonly now: Date;
  /** The LDAP host the Outlook policies name. */
  readonly ldapHost?: string;
}): Promise<DemoDataset> {
  const { ca, seed, now } = options;
  const cache = await CertificateCache.open(join(options.dataDir, "demo-tenant"), ca.issuingPem);
  const users = DEMO_USERS.map((spec) => userRecord(seed, spec));
  const certificates: DemoCertificateRecord[] = [];
  const pfx: Owned[] = [];
  const states = new Map<string, Owned[]>();
  const rows: { upn: string; row: ExportRow }[] = [];
  const allStates: Owned[] = [];
  const directory = new Map<string, Uint8Array[]>();

  const addState = (key: ProfileKey, owned: Owned) => {
    const id = profileId(seed, key);
    const list = states.get(id) ?? [];
    list.push(owned);
    states.set(id, list);
  };

  for (const u of users) {
    const published: Uint8Array[] = [];
    for (const [index, spec] of u.spec.certificates.entries()) {
      const platforms = (spec.platforms ?? u.spec.devices).filter((p) => u.spec.devices.includes(p));
      // PFX: one certificate on every device; SCEP/PKCS: one per device.
      const groups = spec.delivery === "pfx" ? [platforms] : platforms.map((p) => [p]);
      for (const group of groups) {
        const pending =
          group.length === 1 &&
          spec.issuance?.platform === group[0] &&
          spec.issuance?.state === "issuePending";
        const key = `${u.spec.name}/${index}/${spec.delivery === "pfx" ? "all" : group[0]}`;
        const issued = pending ? undefined : await issueOne(ca, cache, key, u, spec, now);
        if (issued) {
          const record = certificateRecord(u, spec, group, issued);
          certificates.push(record);
          if (record.published) published.push(record.der);
          if (spec.delivery === "pfx")
            pfx.push({ upn: u.userPrincipalName, item: pfxItem(seed, key, u, spec, record) });
        }
        for (const platform of group) {
          const device = u.devices.find((d) => d.platform === platform);
          if (!device) continue;
          const profile: ProfileKey = { delivery: spec.delivery, platform, purpose: spec.purpose };
          const state = stateItem({ seed, key, u, device, spec, profile, issued, now });
          addState(profile, { upn: u.userPrincipalName, item: state });
          allStates.push({ upn: u.userPrincipalName, item: allStateItem(state, u, spec, issued) });
          rows.push({
            upn: u.userPrincipalName,
            row: exportRow(seed, u, device, spec, profile, state, issued),
          });
        }
      }
    }
    for (const extra of u.spec.directoryExtras ?? []) {
      if (extra === "malformed")
        published.push(Uint8Array.from(Buffer.concat([Buffer.from("0\x82not a certificate"), digest(u.id)])));
      else {
        const older = await issueOne(
          ca,
          cache,
          `${u.spec.name}/older`,
          u,
          {
            purpose: "encryption",
            delivery: "pfx",
            startsInDays: -200,
            validDays: 165,
            expect: { state: "valid", problems: [] },
          },
          now,
        );
        published.push(older.der);
      }
    }
    directory.set(u.userPrincipalName.toLowerCase(), published);
  }
  await cache.save();

  const removed = new Set<string>();
  const visible = (list: readonly Owned[]) => list.filter((o) => !removed.has(o.upn)).map((o) => o.item);
  const graphUsers = users.map((u) => graphUser(u, now));
  const devices = users.flatMap((u) => u.devices.map((d) => graphDevice(u, d, now)));
  const configurations = deviceConfigurations(seed, now);
  const data: TenantData = {
    tenantId: guid(seed, "tenant"),
    users: arrayCollection(() => graphUsers),
    findUser: (idOrUpn) => {
      const key = idOrUpn.toLowerCase();
      return graphUsers.find((u) => u.id === key || String(u.userPrincipalName).toLowerCase() === key);
    },
    pfxCertificates: arrayCollection(() => visible(pfx)),
    deviceConfigurations: configurations,
    certificateStates: (id) => {
      if (!configurations.some((c) => c.id === id && String(c["@odata.type"]).includes("Certificate")))
        return undefined;
      return arrayCollection(() => visible(states.get(id) ?? []));
    },
    allCertificateStates: arrayCollection(() => visible(allStates)),
    managedDevices: arrayCollection(() => devices),
    findDevice: (id) => devices.find((d) => d.id === id),
    devicesOf: (userId) => devices.filter((d) => d.userId === userId),
    mobileAppConfigurations: mobileAppConfigurations({
      seed,
      ldapHost: options.ldapHost ?? "ldap.demo.smime-lifecycle.local",
      at: now,
    }),
    exportRows: () => rows.filter((r) => !removed.has(r.upn)).map((r) => r.row),
    removeCertificatesOf: (upn) => {
      removed.add(upn.toLowerCase());
      return true;
    },
  };
  const scriptedChanges = users.flatMap((u) => {
    const change = u.spec.afterFirstDelta;
    if (!change) return [];
    const primarySmtp = change.primarySmtp ? `${change.primarySmtp}@${DEMO_TENANT_DOMAIN}` : undefined;
    return [{ userId: u.id, change: { ...change, ...(primarySmtp ? { primarySmtp } : {}) } }];
  });
  return { data, users, certificates, directory, scriptedChanges };
}

function certificateRecord(
  u: DemoUserRecord,
  spec: DemoCertificateSpec,
  platforms: readonly DemoPlatform[],
  issued: Issued,
): DemoCertificateRecord {
  return {
    userPrincipalName: u.userPrincipalName,
    userId: u.id,
    purpose: spec.purpose,
    delivery: spec.delivery,
    platforms,
    thumbprint: thumbprintOf(issued.der),
    serialNumber: issued.serialNumber.toUpperCase(),
    pem: issued.pem,
    der: issued.der,
    notBefore: issued.cert.notBefore,
    notAfter: issued.cert.notAfter,
    published: spec.published ?? spec.purpose === "encryption",
    expect: spec.expect,
    ...(spec.expectAfterChange ? { expectAfterChange: spec.expectAfterChange } : {}),
  };
}

/** beta `userPFXCertificate`. The blob is opaque here as in Intune (encrypted with the tenant's key). */
function pfxItem(
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

function stateItem(o: {
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
function allStateItem(
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

function exportRow(
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
