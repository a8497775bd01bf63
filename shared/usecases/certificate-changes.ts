/**
 * What each certificate event does to the inventory record, before validation: merge a discovery, record an
 * announced threshold, note a revocation or a removal. Pure: the time is passed in.
 */
import type { EventData } from "../contracts/events.ts";
import type { CertificateRecord } from "../contracts/rows.ts";

/** The certificate events onCertificateEvent applies to one record (user.changed is handled per user). */
export type CertificateEvent =
  | { readonly type: "certificate.discovered"; readonly data: EventData<"certificate.discovered"> }
  | { readonly type: "certificate.expiring"; readonly data: EventData<"certificate.expiring"> }
  | { readonly type: "certificate.expired"; readonly data: EventData<"certificate.expired"> }
  | { readonly type: "certificate.revoked"; readonly data: EventData<"certificate.revoked"> }
  | { readonly type: "certificate.removed"; readonly data: EventData<"certificate.removed"> }
  | {
      readonly type: "certificate.revalidationRequested";
      readonly data: EventData<"certificate.revalidationRequested">;
    };

export type CertificateEventType = CertificateEvent["type"];

/** The record with the event applied, and what the lifecycle must weigh beyond the verdict. */
export interface Draft {
  readonly record: CertificateRecord;
  /** The state the lifecycle starts from (a re-discovered removed certificate starts a new life). */
  readonly from: CertificateRecord["state"];
  /** Ask the engine for a fresh verdict (when the certificate's bytes are known). */
  readonly validate: boolean;
  /** Revocation learned from a source the engine cannot confirm (Intune). */
  readonly revoked?: boolean;
  readonly removed?: boolean;
}

/** The event does not apply: nothing to change, the message completes. `why` is logged. */
export interface Ignored {
  readonly ignored: string;
}

/**
 * Applies `event` to `current` (undefined: not in the inventory). Only a discovery creates a record; any
 * other event about an unknown certificate is ignored (it was removed, or the event is stale).
 */
export function applyEvent(
  current: CertificateRecord | undefined,
  event: CertificateEvent,
  thresholds: readonly number[],
  now: Date,
): Draft | Ignored {
  if (event.type === "certificate.discovered") return discovered(current, event.data, now);
  if (!current) return { ignored: `${event.type} for a certificate the inventory does not hold` };
  const from = current.state;
  switch (event.type) {
    case "certificate.revalidationRequested":
      return { record: current, from, validate: true };
    case "certificate.expiring":
      return { record: announce(current, event.data.thresholdDays, thresholds), from, validate: false };
    case "certificate.expired":
      return {
        record: { ...current, notAfter: current.notAfter ?? event.data.notAfter },
        from,
        validate: false,
      };
    case "certificate.revoked":
      // A CRL listing is confirmed by the engine, which verifies the CRL's signature; Intune's word is taken.
      return event.data.detectedBy === "crl" && current.certificate
        ? { record: current, from, validate: true }
        : { record: current, from, validate: false, revoked: true };
    case "certificate.removed":
      return { record: current, from, validate: false, removed: true };
  }
}

/** A new record, or the known one with this source merged in; a removed certificate seen again lives again. */
function discovered(
  current: CertificateRecord | undefined,
  d: EventData<"certificate.discovered">,
  now: Date,
): Draft {
  const device = {
    ...(d.platform && { platform: d.platform }),
    ...(d.deviceId && { deviceId: d.deviceId }),
    // What Intune says of its delivery: folded into the verdict (intune-verdict.ts) and compared by syncIntune.
    ...(d.intuneFingerprint && { intuneFingerprint: d.intuneFingerprint }),
    ...(d.issuanceState && { issuanceState: d.issuanceState }),
    ...(d.undeliveredOn && { undeliveredOn: [...d.undeliveredOn] }),
  };
  // Intune's own description of the certificate, for a record without the bytes (expiry scans need notAfter);
  // the engine's reading replaces it once the bytes arrive.
  const described = (has: boolean) =>
    has
      ? {}
      : {
          ...(d.serialNumber && { serialNumber: d.serialNumber }),
          ...(d.subject && { subject: d.subject }),
          ...(d.issuer && { issuer: d.issuer }),
          ...(d.notBefore && { notBefore: d.notBefore }),
          ...(d.notAfter && { notAfter: d.notAfter }),
        };
  if (!current || current.state === "removed") {
    const record: CertificateRecord = {
      ...(current ?? { revision: 0, emailAddresses: [], crlUrls: [], thresholdsAnnounced: [] }),
      userId: d.userId,
      thumbprint: d.thumbprint,
      userPrincipalName: d.userPrincipalName,
      sources: [d.source],
      purpose: d.purpose,
      state: "discovered",
      ...(d.certificate && { certificate: d.certificate }),
      ...(d.smtp && { smtp: d.smtp }),
      ...device,
      ...described(d.certificate !== undefined),
      updatedAt: now.toISOString(),
    };
    return { record, from: "discovered", validate: true };
  }
  const record: CertificateRecord = {
    ...current,
    userPrincipalName: d.userPrincipalName,
    sources: current.sources.includes(d.source) ? current.sources : [...current.sources, d.source],
    purpose: current.purpose === d.purpose ? current.purpose : "both",
    ...(d.certificate && !current.certificate && { certificate: d.certificate }),
    ...(d.smtp && { smtp: d.smtp }),
    ...device,
    ...described(current.certificate !== undefined || d.certificate !== undefined),
  };
  // Re-validated only when something the verdict depends on changed: a replayed discovery changes nothing.
  const validate = material(record) !== material(current) || current.signing === undefined;
  return { record, from: current.state, validate };
}

/**
 * Records an announced threshold, with every larger one: they were crossed before it (or at once, and
 * dueThresholds announced only the smallest), and none of them is to be announced any more.
 */
function announce(record: CertificateRecord, days: number, thresholds: readonly number[]): CertificateRecord {
  const crossed = [days, ...thresholds.filter((t) => t >= days)];
  const announced = [...new Set([...record.thresholdsAnnounced, ...crossed])].sort((a, b) => b - a);
  return { ...record, thresholdsAnnounced: announced };
}

/** The record's content that matters, without the times of the last write and check, as canonical JSON. */
export function material(record: CertificateRecord): string {
  const { updatedAt: _u, lastValidatedAt: _l, ...rest } = record;
  return canonicalJson(rest);
}

/** JSON with object keys sorted at every level, so equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
