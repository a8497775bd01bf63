/**
 * The pure decisions of a re-provisioning: what the admin must fix about the user's imported encryption PFX,
 * which devices count, and whether the new certificates have arrived. No I/O; the time is passed in.
 */
import type { ManagedDevice } from "../contracts/graph.ts";
import type { CertificateRecord, OperationRecord } from "../contracts/rows.ts";
import {
  hasExpired,
  isImported,
  notAfterOf,
  type PlatformName,
  type Purpose,
  purposesOf,
  servesPurpose,
} from "../domain/certificate-facts.ts";

/** The platform Outlook mobile runs on, from Intune's free-text operatingSystem; undefined for any other. */
export function mobilePlatform(device: Pick<ManagedDevice, "operatingSystem">): PlatformName | undefined {
  const os = (device.operatingSystem ?? "").toLowerCase();
  if (os === "ios" || os === "ipados") return "iOS";
  if (os.startsWith("android")) return "android";
  return undefined;
}

const live = (r: CertificateRecord) => r.state !== "removed" && r.state !== "revoked";

/**
 * What stands in the way of delivering an encryption certificate (DESIGN.md rule 5: it must be an imported
 * PFX, so every device gets the same key): none imported, or every imported one expired. Intune can only
 * re-deliver what the admin has imported; these findings tell the admin what to import first. Empty when the
 * purpose asks for no encryption certificate or a usable imported one exists.
 */
export function pfxFindings(
  certificates: readonly CertificateRecord[],
  purpose: OperationRecord["purpose"],
  now: Date,
): string[] {
  if (!purposesOf(purpose).includes("encryption")) return [];
  const imported = certificates.filter(
    (r) => live(r) && servesPurpose(r.purpose, "encryption") && isImported(r),
  );
  if (imported.length === 0)
    return [
      "no imported encryption PFX: import the user's encryption certificate and key in Intune (PKCS imported certificates) so devices can receive it",
    ];
  const current = imported.filter((r) => {
    const notAfter = notAfterOf(r);
    return r.state !== "expired" && (notAfter === undefined || !hasExpired(notAfter, now));
  });
  if (current.length > 0) return [];
  const latest = imported
    .map((r) => r.notAfter ?? "")
    .sort()
    .at(-1);
  return [
    `every imported encryption PFX has expired (the latest on ${latest}): import a renewed certificate and key in Intune`,
  ];
}

/** A certificate delivered after the request: one the inventory did not hold then, still in force now. */
function isNew(record: CertificateRecord, known: ReadonlySet<string>, now: Date): boolean {
  if (!live(record) || record.state === "expired" || known.has(record.thumbprint)) return false;
  const notAfter = notAfterOf(record);
  return notAfter === undefined || !hasExpired(notAfter, now);
}

export interface Arrival {
  /** Every purpose asked for has a new certificate. */
  readonly complete: boolean;
  /** The new certificates per purpose found so far. */
  readonly found: Readonly<Record<Purpose, readonly string[]>>;
  readonly missing: readonly Purpose[];
}

/** Whether a new certificate for each purpose of the operation is in the inventory. */
export function arrivals(
  operation: Pick<OperationRecord, "purpose" | "knownThumbprints">,
  certificates: readonly CertificateRecord[],
  now: Date,
): Arrival {
  const known = new Set(operation.knownThumbprints ?? []);
  const fresh = certificates.filter((r) => isNew(r, known, now));
  const found = {
    signing: fresh.filter((r) => servesPurpose(r.purpose, "signing")).map((r) => r.thumbprint),
    encryption: fresh.filter((r) => servesPurpose(r.purpose, "encryption")).map((r) => r.thumbprint),
  };
  const missing = purposesOf(operation.purpose).filter((p) => found[p].length === 0);
  return { complete: missing.length === 0, found, missing };
}
