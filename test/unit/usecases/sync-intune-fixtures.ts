/**
 * A fake of the Intune port syncIntune takes (IntuneCertificates), keeping Graph's semantics: listings come in
 * pages, items are parsed with the contract schemas as the gateway parses them, per-profile states name no
 * user (the all-profiles listing does), an export job completes after a few polls and its ZIP holds the
 * `AllDeviceCertificates` CSV. Faults are injected per listing.
 */

import {
  CertificateProfile,
  DeviceManagementExportJob,
  type ExportJobCreate,
  ManagedAllDeviceCertificateState,
  ManagedDeviceCertificateState,
  UserPfxCertificate,
} from "../../../shared/contracts/graph.ts";
import { RetryableError } from "../../../shared/errors.ts";
import type { GraphPage, IntuneCertificates } from "../../../shared/ports.ts";
import { chunked, mintZip } from "../../integration/intune/zip-writer.ts";

export const PROFILES = {
  iosScep: {
    "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
    id: "p-ios-scep",
    displayName: "iOS SCEP",
  },
  androidScep: {
    "@odata.type": "#microsoft.graph.androidWorkProfileScepCertificateProfile",
    id: "p-android-scep",
    displayName: "Android SCEP",
  },
  iosPkcs: {
    "@odata.type": "#microsoft.graph.iosPkcsCertificateProfile",
    id: "p-ios-pkcs",
    displayName: "iOS PKCS",
  },
  iosPfx: {
    "@odata.type": "#microsoft.graph.iosImportedPFXCertificateProfile",
    id: "p-ios-pfx",
    displayName: "iOS PFX",
  },
  androidPfx: {
    "@odata.type": "#microsoft.graph.androidForWorkImportedPFXCertificateProfile",
    id: "p-android-pfx",
    displayName: "Android PFX",
  },
} as const;
export type ProfileName = keyof typeof PROFILES;

/** One certificate state on one device. */
export interface FakeState {
  upn: string;
  thumbprint: string;
  profile: ProfileName;
  keyUsage: "digitalSignature" | "keyEncipherment" | "keyEncipherment,digitalSignature";
  device: string;
  issuance: string;
  revoke: string;
  notAfter: string;
  serial: string;
}

export interface FakePfx {
  upn: string;
  thumbprint: string;
  intended: string;
  notAfter: string;
}

export interface Faults {
  /** Profiles whose state listing fails (a 503 past the gateway's retries). */
  readonly failStatesOf?: ReadonlySet<string>;
  /** The all-profiles listing delivers one item that breaks its schema. */
  readonly rejectOneOfAll?: boolean;
  /** The export job ends `failed`. */
  readonly exportFails?: boolean;
  /** The export's ZIP (its CSV stored, so rows arrive as the bytes do) is cut at this fraction of its length. */
  readonly truncateZipAt?: number;
}

export class FakeIntune implements IntuneCertificates {
  states: FakeState[] = [];
  pfx: FakePfx[] = [];
  faults: Faults = {};
  pageSize = 2;
  /** Every listing or call made, in order (e.g. "states p-ios-scep", "export start", "export poll"). */
  readonly calls: string[] = [];
  private polls = 0;

  async *pfxCertificates(): AsyncIterable<GraphPage<UserPfxCertificate>> {
    this.calls.push("pfx");
    const items = this.pfx.map((p, i) =>
      UserPfxCertificate.parse({
        id: `pfx-${i}`,
        thumbprint: p.thumbprint.toLowerCase(),
        intendedPurpose: p.intended,
        userPrincipalName: p.upn,
        startDateTime: "2026-01-01T00:00:00Z",
        expirationDateTime: p.notAfter,
      }),
    );
    yield* this.paged(items);
  }

  async certificateProfiles(): Promise<CertificateProfile[]> {
    this.calls.push("profiles");
    return Object.values(PROFILES).map((p) => CertificateProfile.parse(p));
  }

  async *certificateStates(
    profile: CertificateProfile,
  ): AsyncIterable<GraphPage<ManagedDeviceCertificateState>> {
    this.calls.push(`states ${profile.id}`);
    const items = this.states
      .filter((s) => PROFILES[s.profile].id === profile.id)
      .map((s, i) =>
        ManagedDeviceCertificateState.parse({
          id: `${profile.id}-${i}`,
          devicePlatform: profile.platform === "iOS" ? "iOS" : "androidWorkProfile",
          certificateKeyUsage: s.keyUsage,
          certificateIssuanceState: s.issuance,
          certificateRevokeStatus: s.revoke,
          deviceDisplayName: s.device,
          certificateExpirationDateTime: s.notAfter,
          certificateThumbprint: s.thumbprint,
          certificateSerialNumber: s.serial,
          certificateIssuer: "CN=Contoso Issuing CA",
          certificateEnhancedKeyUsage: "Secure Email (1.3.6.1.5.5.7.3.4)",
        }),
      );
    if (this.faults.failStatesOf?.has(profile.id))
      throw new RetryableError("Graph managedDeviceCertificateStates: 503 after 5 attempts");
    yield* this.paged(items);
  }

  async *allCertificateStates(): AsyncIterable<GraphPage<ManagedAllDeviceCertificateState>> {
    this.calls.push("allStates");
    const items = this.states.map((s, i) =>
      ManagedAllDeviceCertificateState.parse({
        id: `all-${i}`,
        userPrincipalName: s.upn,
        certificateThumbprint: s.thumbprint,
        certificateRevokeStatus: s.revoke,
        certificateSerialNumber: s.serial,
      }),
    );
    const pages = this.paged(items);
    if (this.faults.rejectOneOfAll) {
      yield { items: [], rejected: [new Error("certificateThumbprint: not a SHA-1 thumbprint")] };
    }
    yield* pages;
  }

  async startExport(request: ExportJobCreate): Promise<DeviceManagementExportJob> {
    this.calls.push(`export start ${request.reportName}`);
    this.polls = 0;
    return this.job("notStarted");
  }

  async getExport(jobId: string): Promise<DeviceManagementExportJob> {
    this.calls.push("export poll");
    this.polls++;
    if (this.polls < 2) return this.job("inProgress");
    return this.faults.exportFails
      ? this.job("failed")
      : this.job("completed", `https://export.test/${jobId}.zip`);
  }

  async *downloadExport(url: string): AsyncIterable<Uint8Array> {
    this.calls.push(`export download ${url}`);
    const cut = this.faults.truncateZipAt;
    const zip = mintZip([
      cut === undefined
        ? { name: "AllDeviceCertificates_1.csv", data: this.csv(), descriptor: true }
        : { name: "AllDeviceCertificates_1.csv", data: this.csv(), method: "stored" },
    ]);
    yield* chunked(zip.subarray(0, Math.floor(zip.length * (cut ?? 1))), 64);
  }

  /** The export's CSV: quoted where Intune quotes (subjects hold commas). */
  csv(): string {
    const header =
      "CertificateStatus,DeviceId,DeviceName,EnhancedKeyUsage,IssuerName,KeyUsage,PolicyId,SerialNumber,SubjectName,Thumbprint,UPN,ValidFrom,ValidTo";
    const words: Record<string, string> = {
      digitalSignature: "Digital Signature",
      keyEncipherment: "Key Encipherment",
      "keyEncipherment,digitalSignature": "Digital Signature, Key Encipherment",
    };
    const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
    const rows = this.states.map((s) =>
      [
        s.issuance.charAt(0).toUpperCase() + s.issuance.slice(1),
        `id-${s.device}`,
        s.device,
        q("Secure Email (1.3.6.1.5.5.7.3.4)"),
        q("CN=Contoso Issuing CA, O=Contoso"),
        q(words[s.keyUsage] ?? ""),
        PROFILES[s.profile].id,
        s.serial,
        q(`CN=${s.upn}, O=Contoso`),
        s.thumbprint,
        s.upn,
        "2026-01-01T00:00:00Z",
        s.notAfter,
      ].join(","),
    );
    return `${[header, ...rows].join("\r\n")}\r\n`;
  }

  private job(status: string, url?: string) {
    return DeviceManagementExportJob.parse({
      id: "AllDeviceCertificates_job1",
      reportName: "AllDeviceCertificates",
      status,
      url,
    });
  }

  private async *paged<T>(items: readonly T[]): AsyncGenerator<GraphPage<T>> {
    for (let at = 0; at < items.length; at += this.pageSize)
      yield { items: items.slice(at, at + this.pageSize), rejected: [] };
  }
}
