/**
 * What changed in Intune since the inventory last heard of it: the pure half of syncIntune.
 *
 * Intune reports a certificate several times over: once per device that holds it (a certificate profile's
 * per-device state) and, for an imported PFX, once more in the user's PFX list. The inventory keeps one record
 * per user and thumbprint, so the observations are first folded into one `IntuneCertificate` per user and
 * thumbprint, then compared with the inventory's compact `InventoryEntry`:
 * - new, or changed in anything the pipeline acts on (sources, purpose, platform or device, issuance state,
 *   revoke status, expiry) → `certificate.discovered` (one per source, the record merges them);
 * - Intune says revoked and the inventory does not → `certificate.revoked` (detectedBy "intune");
 * - unchanged → nothing, so a second sync without changes publishes nothing;
 * - in the inventory from Intune alone, and absent from a complete listing → `certificate.removed`. Never after
 *   a partial listing: a page that failed is not evidence that its certificates are gone.
 *
 * "Changed" is decided by the `intuneFingerprint`: a digest of the facts above, carried by every discovered
 * event (it is part of the event's id, so a change is a new event and a retried sync repeats the same ids) and
 * kept on the record by onCertificateEvent. A record written before it kept one is compared field by field on
 * what the record does hold.
 */
import { createHash } from "node:crypto";
import type { EventData } from "../contracts/events.ts";
import type { CertificateRecord } from "../contracts/rows.ts";
import type { CertificatePurposeName, PlatformName } from "./certificate-facts.ts";

export type IntuneSource = "intunePfx" | "intuneScep" | "intunePkcs";
export const INTUNE_SOURCES: readonly IntuneSource[] = ["intunePfx", "intuneScep", "intunePkcs"];

/** What a device's certificate state says about delivery. */
export type Delivery = "delivered" | "pending" | "failed" | "gone";

/**
 * Delivery from Graph's certificateIssuanceStates: failed and pending states make NOT_DELIVERED on the device's
 * platform; `deleted`/`removedFromCollection` mean the device no longer holds it (the observation is dropped);
 * an unknown state says nothing.
 */
export function deliveryOf(issuanceState: string | undefined): Delivery | undefined {
  if (issuanceState === undefined) return undefined;
  if (issuanceState === "deleted" || issuanceState === "removedFromCollection") return "gone";
  if (issuanceState === "deleteFailed") return "delivered"; // the removal failed: still on the device
  if (/failed$/i.test(issuanceState)) return "failed";
  if (PENDING.has(issuanceState)) return "pending";
  if (DELIVERED.has(issuanceState)) return "delivered";
  return undefined;
}

const PENDING = new Set([
  "challengeIssued",
  "challengeValidationSucceeded",
  "issuePending",
  "responsePending",
  "requested",
  "renewalRequested",
]);
const DELIVERED = new Set([
  "issued",
  "installed",
  "enrollmentSucceeded",
  "enrollmentNotNeeded",
  "renewVerified",
  "revoked",
]);

/** One report of one certificate: a device's certificate state, or an entry of the user's PFX list. */
export interface IntuneObservation {
  readonly userId: string;
  readonly userPrincipalName: string;
  /** Upper-case SHA-1 hex. */
  readonly thumbprint: string;
  readonly source: IntuneSource;
  /** Undefined when the report does not say (no key usage): other observations, or the source, decide. */
  readonly purpose?: CertificatePurposeName;
  /** Device facts: absent for the PFX list, which names no device. */
  readonly platform?: PlatformName;
  readonly deviceId?: string;
  readonly issuanceState?: string;
  /** certificateRevocationStatus: none, pending, issued, failed, revoked. */
  readonly revokeStatus?: string;
  readonly serialNumber?: string;
  readonly subject?: string;
  readonly issuer?: string;
  readonly notBefore?: string;
  readonly notAfter?: string;
}

/** Everything Intune says about one user's certificate, folded over its observations. */
export interface IntuneCertificate {
  readonly userId: string;
  readonly userPrincipalName: string;
  readonly thumbprint: string;
  readonly sources: readonly IntuneSource[];
  readonly purpose?: CertificatePurposeName;
  readonly platforms: readonly PlatformName[];
  readonly devices: readonly string[];
  /** The least delivered device's state (failed before pending before delivered). */
  readonly issuanceState?: string;
  /** Platforms with a device on which Intune reports the certificate failed or pending: NOT_DELIVERED there. */
  readonly undeliveredOn: readonly PlatformName[];
  readonly revoked: boolean;
  readonly revokeStatus?: string;
  readonly serialNumber?: string;
  readonly subject?: string;
  readonly issuer?: string;
  readonly notBefore?: string;
  readonly notAfter?: string;
}

/** The key of the inventory record an observation belongs to. */
export const certificateKey = (c: { userId: string; thumbprint: string }): string =>
  `${c.userId}|${c.thumbprint}`;

const RANK: Record<Delivery, number> = { failed: 3, pending: 2, delivered: 1, gone: 0 };

/**
 * `a` with `b` added, sorted; `a` itself when `b` adds nothing. `concat` allocates the exact length: a spread
 * literal reserves room to grow, which for 100,000 one-device lists was 12 MB of empty slots.
 */
const union = <T extends string>(a: readonly T[], b: T | undefined): readonly T[] =>
  b === undefined || a.includes(b) ? a : a.concat(b).sort();

/**
 * Sets of a few enum members (sources, platforms) are shared, one frozen array per distinct set: a tenant's
 * 100,000 certificates hold references to a handful of arrays instead of 300,000 arrays of their own.
 */
const sets = new Map<string, readonly string[]>();
const unionShared = <T extends string>(a: readonly T[], b: T | undefined): readonly T[] => {
  const merged = union(a, b);
  if (merged === a) return a;
  const key = merged.join(",");
  let shared = sets.get(key);
  if (!shared) {
    shared = Object.freeze([...merged]);
    sets.set(key, shared);
  }
  return shared as readonly T[];
};

const mergePurpose = (a: CertificatePurposeName | undefined, b: CertificatePurposeName | undefined) =>
  a === undefined ? b : b === undefined || a === b ? a : "both";

/** Shared by every certificate until it has members: 100,000 certificates, not 400,000 empty arrays. */
const NONE: readonly never[] = Object.freeze([]);

/**
 * The certificate's purpose: what its key usage said, else what its delivery implies — an imported PFX
 * without a stated purpose may serve both; a SCEP or PKCS one is taken as signing, so that a finding about
 * encryption is never raised on a guess.
 */
export function purposeOf(c: Pick<IntuneCertificate, "purpose" | "sources">): CertificatePurposeName {
  return c.purpose ?? (c.sources.includes("intunePfx") ? "both" : "signing");
}

/**
 * Adds one observation to what is known of its certificate (undefined: the first). An observation of a device
 * that no longer holds the certificate (`gone`) adds nothing.
 */
export function foldObservation(
  known: IntuneCertificate | undefined,
  o: IntuneObservation,
): IntuneCertificate | undefined {
  const delivery = deliveryOf(o.issuanceState);
  if (delivery === "gone") return known;
  const undelivered =
    (delivery === "failed" || delivery === "pending") && o.platform ? o.platform : undefined;
  const revoked = o.revokeStatus === "revoked" || o.issuanceState === "revoked";
  const worse =
    o.issuanceState !== undefined &&
    (known?.issuanceState === undefined ||
      RANK[delivery ?? "delivered"] > RANK[deliveryOf(known.issuanceState) ?? "delivered"]);
  const base: IntuneCertificate = known ?? {
    userId: o.userId,
    userPrincipalName: o.userPrincipalName,
    thumbprint: o.thumbprint,
    sources: NONE,
    platforms: NONE,
    devices: NONE,
    undeliveredOn: NONE,
    revoked: false,
  };
  // Every property written, in one order: one object shape for all certificates (compact, fast properties).
  return {
    userId: base.userId,
    userPrincipalName: base.userPrincipalName,
    thumbprint: base.thumbprint,
    sources: unionShared(base.sources, o.source),
    purpose: mergePurpose(base.purpose, o.purpose),
    platforms: unionShared(base.platforms, o.platform),
    devices: union(base.devices, o.deviceId),
    undeliveredOn: unionShared(base.undeliveredOn, undelivered),
    issuanceState: worse ? o.issuanceState : base.issuanceState,
    revoked: base.revoked || revoked,
    revokeStatus:
      (revoked || base.revokeStatus === undefined) && o.revokeStatus !== undefined
        ? o.revokeStatus
        : base.revokeStatus,
    serialNumber: base.serialNumber ?? o.serialNumber,
    subject: base.subject ?? o.subject,
    issuer: base.issuer ?? o.issuer,
    notBefore: base.notBefore ?? o.notBefore,
    notAfter: base.notAfter ?? o.notAfter,
  };
}

/** The one platform (or device) a certificate is on, when there is exactly one. */
const single = <T>(items: readonly T[]): T | undefined => (items.length === 1 ? items[0] : undefined);

/**
 * A digest of the facts the pipeline acts on: equal digests, nothing to announce. 16 hex digits. The raw
 * revoke status is left out (the export report has none; `revoked` says what matters), so that the Graph
 * listing and the export agree on an unchanged certificate.
 */
export function intuneFingerprint(c: IntuneCertificate): string {
  const facts = [
    c.userPrincipalName.toLowerCase(),
    c.sources,
    purposeOf(c),
    c.platforms,
    c.devices,
    c.issuanceState ?? "",
    c.undeliveredOn,
    c.revoked,
    c.notAfter ?? "",
  ];
  return createHash("sha256").update(JSON.stringify(facts)).digest("hex").slice(0, 16);
}

/** What syncIntune keeps of an inventory record: enough to compare, far less than the record. */
export interface InventoryEntry {
  readonly userId: string;
  readonly thumbprint: string;
  readonly state: CertificateRecord["state"];
  /** The fingerprint of what Intune said when the record last heard from it. */
  readonly fingerprint?: string;
  /** The record's sources are all Intune's: its absence from Intune removes it from the inventory. */
  readonly intuneOnly: boolean;
  /** For a record without a fingerprint (written before records kept one): the facts compared field by field. */
  readonly facts?: RecordFacts;
}

export interface RecordFacts {
  readonly sources: readonly string[];
  readonly purpose: CertificatePurposeName;
  readonly platform?: PlatformName;
  readonly deviceId?: string;
  readonly notAfter?: string;
}

/**
 * The fields of a certificate record its inventory entry is made from: all that syncIntune reads of the
 * inventory (a projected scan), a few short strings instead of the whole record.
 */
export const INVENTORY_FIELDS = [
  "userId",
  "thumbprint",
  "state",
  "sources",
  "intuneFingerprint",
  "purpose",
  "platform",
  "deviceId",
  "notAfter",
] as const satisfies readonly (keyof CertificateRecord)[];

/** A certificate record as far as its inventory entry goes; a whole record is one too. */
export type InventoryFields = Pick<CertificateRecord, (typeof INVENTORY_FIELDS)[number]>;

/** The entry of a record Intune is a source of; undefined for the others (manual, directory only). */
export function inventoryEntry(
  record: InventoryFields,
  intern: (text: string) => string = (t) => t,
): InventoryEntry | undefined {
  const fromIntune = record.sources.filter((s): s is IntuneSource =>
    (INTUNE_SOURCES as string[]).includes(s),
  );
  if (fromIntune.length === 0) return undefined;
  // One object shape for every entry, its repeated texts shared: the inventory of a large tenant stays small.
  return {
    userId: intern(record.userId),
    thumbprint: record.thumbprint,
    state: intern(record.state) as CertificateRecord["state"],
    intuneOnly: fromIntune.length === record.sources.length,
    fingerprint: record.intuneFingerprint,
    facts: record.intuneFingerprint
      ? undefined
      : {
          sources: fromIntune,
          purpose: record.purpose,
          ...(record.platform && { platform: record.platform }),
          ...(record.deviceId && { deviceId: record.deviceId }),
          ...(record.notAfter && { notAfter: record.notAfter }),
        },
  };
}

export type Change = "new" | "changed" | "unchanged";

/** Whether the inventory needs to hear about the certificate again. */
export function changeOf(now: IntuneCertificate, entry: InventoryEntry | undefined): Change {
  if (!entry || entry.state === "removed") return "new";
  const facts = entry.facts;
  if (!facts) return entry.fingerprint === intuneFingerprint(now) ? "unchanged" : "changed";
  const purpose = purposeOf(now);
  const same =
    now.sources.every((s) => facts.sources.includes(s)) &&
    (facts.purpose === purpose || facts.purpose === "both") &&
    facts.platform === single(now.platforms) &&
    facts.deviceId === single(now.devices) &&
    (facts.notAfter === undefined || now.notAfter === undefined || sameSecond(facts.notAfter, now.notAfter));
  return same ? "unchanged" : "changed";
}

const sameSecond = (a: string, b: string) =>
  Math.floor(Date.parse(a) / 1000) === Math.floor(Date.parse(b) / 1000);

/** An event to publish, before its envelope: the use case adds the source and the time. */
export type IntuneEvent =
  | { readonly type: "certificate.discovered"; readonly data: EventData<"certificate.discovered"> }
  | { readonly type: "certificate.revoked"; readonly data: EventData<"certificate.revoked"> }
  | { readonly type: "certificate.removed"; readonly data: EventData<"certificate.removed"> };

/**
 * The events one certificate calls for: discoveries first (the revocation of a certificate the inventory
 * does not hold yet would be ignored), then the revocation.
 *
 * After a partial listing (`complete` false) a known certificate is not announced as changed: some of its
 * devices may be on the pages that failed, and what looks like a change would be undone by the next sync.
 * New certificates and revocations are facts either way.
 */
export function eventsFor(
  now: IntuneCertificate,
  entry: InventoryEntry | undefined,
  complete = true,
): IntuneEvent[] {
  const change = changeOf(now, entry);
  const events: IntuneEvent[] = [];
  if (change === "new" || (change === "changed" && complete))
    for (const source of now.sources)
      events.push({ type: "certificate.discovered", data: discovered(now, source) });
  const knownRevoked = entry !== undefined && entry.state === "revoked";
  if (now.revoked && !knownRevoked)
    events.push({
      type: "certificate.revoked",
      data: {
        userId: now.userId,
        thumbprint: now.thumbprint,
        serialNumber: now.serialNumber ?? "",
        detectedBy: "intune",
      },
    });
  return events;
}

function discovered(c: IntuneCertificate, source: IntuneSource): EventData<"certificate.discovered"> {
  const platform = single(c.platforms);
  const deviceId = single(c.devices);
  return {
    userId: c.userId,
    thumbprint: c.thumbprint,
    userPrincipalName: c.userPrincipalName,
    source,
    purpose: purposeOf(c),
    ...(platform && { platform }),
    ...(deviceId && { deviceId }),
    ...(c.issuanceState && { issuanceState: c.issuanceState }),
    ...(c.revokeStatus && { revokeStatus: c.revokeStatus }),
    ...(c.undeliveredOn.length > 0 && { undeliveredOn: [...c.undeliveredOn] }),
    ...(c.serialNumber && { serialNumber: c.serialNumber }),
    ...(c.subject && { subject: c.subject }),
    ...(c.issuer && { issuer: c.issuer }),
    ...(c.notBefore && { notBefore: c.notBefore }),
    ...(c.notAfter && { notAfter: c.notAfter }),
    intuneFingerprint: intuneFingerprint(c),
  };
}

/**
 * `certificate.removed` for the inventory's Intune-only certificates that a **complete** listing did not name.
 * After a partial listing (a page or a profile failed) nothing is removed.
 */
export function removalsFor(
  entries: Iterable<InventoryEntry>,
  listed: (key: string) => boolean,
  complete: boolean,
): IntuneEvent[] {
  if (!complete) return [];
  const out: IntuneEvent[] = [];
  for (const entry of entries)
    if (entry.intuneOnly && entry.state !== "removed" && !listed(certificateKey(entry)))
      out.push({
        type: "certificate.removed",
        data: { userId: entry.userId, thumbprint: entry.thumbprint, reason: "no longer listed by Intune" },
      });
  return out;
}
