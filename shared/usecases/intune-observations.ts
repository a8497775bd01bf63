/**
 * What each Intune source says, as the diff's observations: an imported PFX of the user's list, a profile's
 * per-device certificate state (Graph listing), or a row of the `AllDeviceCertificates` export. Pure mapping;
 * both listing paths must say the same about the same certificate, so that switching between them changes
 * nothing (the same purpose words, platform from the profile, issuance state in Graph's spelling).
 */
import { z } from "zod";
import type {
  CertificateProfile,
  ManagedDeviceCertificateState,
  UserPfxCertificate,
} from "../contracts/graph.ts";
import { GraphThumbprint } from "../contracts/graph.ts";
import type { CertificatePurposeName } from "../domain/certificate-facts.ts";
import { deliveryOf, type IntuneObservation, type IntuneSource } from "../domain/intune-diff.ts";

/**
 * How a sync names things: a UPN's object id (the users store's, else one derived from the UPN), and one
 * shared copy of each repeated text (UPNs, issuers, states), so that 100,000 certificates of 30,000 users hold
 * 30,000 UPN strings, not 100,000.
 */
export interface Names {
  userId(userPrincipalName: string): string;
  intern(text: string): string;
}
export type ResolveUser = Names;

export const SOURCE_OF_DELIVERY: Record<CertificateProfile["delivery"], IntuneSource> = {
  scep: "intuneScep",
  pkcs: "intunePkcs",
  importedPfx: "intunePfx",
};

/** A profile as both listing paths need it: how it delivers, and to which platform. */
export type ProfileFacts = Pick<CertificateProfile, "id" | "platform" | "delivery">;

/**
 * The purpose from key-usage words in any of Intune's spellings ("digitalSignature", "Digital Signature",
 * "Non-Repudiation", "keyEncipherment", "Key Agreement"); undefined when none is named.
 */
export function purposeFromKeyUsage(
  words: readonly string[] | string | undefined,
): CertificatePurposeName | undefined {
  if (words === undefined) return undefined;
  const list = (typeof words === "string" ? words.split(/[,;|]/) : words).map((w) =>
    w.replace(/[\s_-]/g, "").toLowerCase(),
  );
  const signing = list.some((w) => w === "digitalsignature" || w === "nonrepudiation");
  const encryption = list.some((w) => w === "keyencipherment" || w === "keyagreement");
  return signing && encryption ? "both" : signing ? "signing" : encryption ? "encryption" : undefined;
}

/**
 * What a mapper says of an item that is no observation: "unattributed" (a certificate whose user cannot be
 * told), "unissued" (Intune failed or is pending on a device before any certificate existed: no thumbprint,
 * so no certificate to attach NOT_DELIVERED to), or undefined (not an S/MIME certificate of these profiles).
 */
export type NotObserved = "unattributed" | "unissued" | undefined;

const unissued = (issuanceState: string | undefined): NotObserved => {
  const delivery = deliveryOf(issuanceState);
  return delivery === "failed" || delivery === "pending" ? "unissued" : undefined;
};

/** The PFX's intended purposes that are S/MIME; undefined for a PFX meant for VPN or Wi-Fi only. */
export function purposeFromIntended(intended: readonly string[]): CertificatePurposeName | undefined {
  const signing = intended.includes("smimeSigning");
  const encryption = intended.includes("smimeEncryption");
  return signing && encryption ? "both" : signing ? "signing" : encryption ? "encryption" : undefined;
}

/** EKU text from Intune ("Secure Email (1.3.6.1.5.5.7.3.4)"): absent says nothing; present must allow e-mail. */
export function allowsEmail(eku: string | undefined): boolean {
  if (eku === undefined || eku.trim() === "") return true;
  return /1\.3\.6\.1\.5\.5\.7\.3\.4|secure ?email|2\.5\.29\.37\.0|any ?purpose/i.test(eku);
}

/** Graph's camelCase issuance state from an export's text ("Install failed" → "installFailed"). */
export function issuanceStateOf(text: string | undefined): string | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  const words = t.split(/[\s_-]+/);
  return words
    .map((w, i) =>
      i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1),
    )
    .join("");
}

/** The imported PFX as an observation without a device; undefined when it is not an S/MIME certificate. */
export function pfxObservation(pfx: UserPfxCertificate, resolve: ResolveUser): IntuneObservation | undefined {
  const purpose = purposeFromIntended(pfx.intendedPurpose);
  if (!purpose) return undefined;
  return {
    userId: resolve.userId(pfx.userPrincipalName),
    userPrincipalName: resolve.intern(pfx.userPrincipalName),
    thumbprint: pfx.thumbprint,
    source: "intunePfx",
    purpose,
    notAfter: pfx.expirationDateTime,
  };
}

/**
 * A profile's device state, attributed to its user (the per-profile listing names no UPN: `upnOf` comes from
 * the all-profiles listing, joined on the thumbprint). Undefined when nothing was issued yet (no thumbprint),
 * the user is unknown, or the certificate is not for e-mail.
 */
export function stateObservation(
  state: ManagedDeviceCertificateState,
  profile: ProfileFacts,
  upnOf: (thumbprint: string) => string | undefined,
  resolve: ResolveUser,
): IntuneObservation | NotObserved {
  const thumbprint = state.certificateThumbprint;
  if (!allowsEmail(state.certificateEnhancedKeyUsage)) return undefined;
  if (!thumbprint) return unissued(state.certificateIssuanceState);
  const upn = upnOf(thumbprint);
  if (!upn) return "unattributed";
  const purpose = purposeFromKeyUsage(state.certificateKeyUsage?.filter((u) => u !== "unknownFutureValue"));
  return {
    userId: resolve.userId(upn),
    userPrincipalName: resolve.intern(upn),
    thumbprint,
    source: SOURCE_OF_DELIVERY[profile.delivery],
    ...(purpose && { purpose }),
    platform: profile.platform,
    ...(state.deviceDisplayName && { deviceId: resolve.intern(state.deviceDisplayName) }),
    ...(state.certificateIssuanceState && { issuanceState: resolve.intern(state.certificateIssuanceState) }),
    ...(state.certificateRevokeStatus && { revokeStatus: resolve.intern(state.certificateRevokeStatus) }),
    ...(state.certificateSerialNumber && { serialNumber: state.certificateSerialNumber }),
    ...(state.certificateIssuer && { issuer: resolve.intern(state.certificateIssuer) }),
    ...(state.certificateExpirationDateTime && { notAfter: state.certificateExpirationDateTime }),
  };
}

/** The export's columns this pipeline reads (the job's `select`). */
export const EXPORT_COLUMNS = [
  "CertificateStatus",
  "DeviceId",
  "DeviceName",
  "EnhancedKeyUsage",
  "IssuerName",
  "KeyUsage",
  "PolicyId",
  "SerialNumber",
  "SubjectName",
  "Thumbprint",
  "UPN",
  "ValidFrom",
  "ValidTo",
] as const;

const text = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));
const date = text.pipe(
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const ms = Date.parse(v);
      if (Number.isNaN(ms)) {
        ctx.addIssue({ code: "custom", message: `not a date: ${v}` });
        return z.NEVER;
      }
      return new Date(ms).toISOString();
    }),
);

/** One CSV row of the export, parsed at the boundary; missing columns read as empty. */
export const ExportRow = z.object({
  CertificateStatus: text,
  DeviceId: text,
  DeviceName: text,
  EnhancedKeyUsage: text,
  IssuerName: text,
  KeyUsage: text,
  PolicyId: text,
  SerialNumber: text,
  SubjectName: text,
  Thumbprint: text.pipe(GraphThumbprint.optional()),
  UPN: text,
  ValidFrom: date,
  ValidTo: date,
});
export type ExportRow = z.infer<typeof ExportRow>;

/**
 * An export row as an observation, its profile found by PolicyId. Undefined when the row is no S/MIME
 * certificate of an iOS or Android profile, nothing was issued yet, or it names no user.
 */
export function exportObservation(
  row: ExportRow,
  profiles: ReadonlyMap<string, ProfileFacts>,
  resolve: ResolveUser,
): IntuneObservation | NotObserved {
  const profile = row.PolicyId === undefined ? undefined : profiles.get(row.PolicyId);
  if (!profile || !allowsEmail(row.EnhancedKeyUsage)) return undefined;
  if (!row.Thumbprint) return unissued(issuanceStateOf(row.CertificateStatus));
  if (!row.UPN) return "unattributed";
  const purpose = purposeFromKeyUsage(row.KeyUsage);
  const issuanceState = issuanceStateOf(row.CertificateStatus);
  return {
    userId: resolve.userId(row.UPN),
    userPrincipalName: resolve.intern(row.UPN),
    thumbprint: row.Thumbprint,
    source: SOURCE_OF_DELIVERY[profile.delivery],
    ...(purpose && { purpose }),
    platform: profile.platform,
    ...(row.DeviceName && { deviceId: resolve.intern(row.DeviceName) }),
    ...(issuanceState && { issuanceState: resolve.intern(issuanceState) }),
    ...(issuanceState === "revoked" && { revokeStatus: "revoked" }),
    ...(row.SerialNumber && { serialNumber: row.SerialNumber }),
    ...(row.IssuerName && { issuer: resolve.intern(row.IssuerName) }),
    ...(row.ValidTo && { notAfter: row.ValidTo }),
  };
}
