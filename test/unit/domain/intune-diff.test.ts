import { describe, expect, it } from "vitest";
import { createEvent } from "../../../shared/contracts/events.ts";
import type { CertificateRecord } from "../../../shared/contracts/rows.ts";
import {
  certificateKey,
  deliveryOf,
  eventsFor,
  foldObservation,
  type IntuneCertificate,
  type IntuneEvent,
  type IntuneObservation,
  intuneFingerprint,
  inventoryEntry,
  removalsFor,
} from "../../../shared/domain/intune-diff.ts";
import { intuneProblems } from "../../../shared/domain/intune-problems.ts";
import { userReadiness } from "../../../shared/domain/readiness.ts";
import { certificate, inDays, iso, NOW, thumb, user } from "./records.ts";

const NOT_AFTER = iso(inDays(200));

/** A device's certificate state: alice's SCEP signing certificate #1, installed on her iPhone. */
const seen = (overrides: Partial<IntuneObservation> = {}): IntuneObservation => ({
  userId: "user-alice",
  userPrincipalName: "alice@contoso.com",
  thumbprint: thumb(1),
  source: "intuneScep",
  purpose: "signing",
  platform: "iOS",
  deviceId: "iphone-1",
  issuanceState: "installed",
  revokeStatus: "none",
  serialNumber: "0a01",
  notAfter: NOT_AFTER,
  ...overrides,
});

const fold = (observations: readonly IntuneObservation[]): IntuneCertificate | undefined =>
  observations.reduce<IntuneCertificate | undefined>((known, o) => foldObservation(known, o), undefined);

/** The inventory's record of what a sync announced (as onCertificateEvent keeps it). */
const recorded = (observations: readonly IntuneObservation[], overrides: Partial<CertificateRecord> = {}) => {
  const c = fold(observations)!;
  return certificate({
    thumbprint: c.thumbprint,
    sources: [...c.sources],
    purpose: c.purpose,
    ...(c.platforms.length === 1 && { platform: c.platforms[0] }),
    ...(c.devices.length === 1 && { deviceId: c.devices[0] }),
    notAfter: c.notAfter,
    intuneFingerprint: intuneFingerprint(c),
    ...overrides,
  });
};

/** Events as short lines: "discovered intuneScep signing iOS iphone-1 installed", "revoked", "removed". */
const show = (events: readonly IntuneEvent[]) =>
  events.map((e) => {
    if (e.type === "certificate.discovered") {
      const d = e.data;
      return [
        "discovered",
        d.source,
        d.purpose,
        d.platform ?? "-",
        d.deviceId ?? "-",
        d.issuanceState ?? "-",
        ...(d.undeliveredOn ? [`undelivered:${d.undeliveredOn.join("+")}`] : []),
      ].join(" ");
    }
    return e.type === "certificate.revoked" ? `revoked by ${e.data.detectedBy}` : `removed: ${e.data.reason}`;
  });

describe("eventsFor: one certificate against the inventory", () => {
  const cases: {
    name: string;
    now: IntuneObservation[];
    inventory?: CertificateRecord;
    /** The listing was partial (a page failed). */
    partial?: boolean;
    expected: string[];
  }[] = [
    {
      name: "after a partial listing, a change is not announced (its other devices may be on a failed page)",
      now: [seen({ issuanceState: "issuePending" })],
      inventory: recorded([seen()]),
      partial: true,
      expected: [],
    },
    {
      name: "after a partial listing, a new certificate and a revocation still are",
      now: [seen({ revokeStatus: "revoked" })],
      partial: true,
      expected: ["discovered intuneScep signing iOS iphone-1 installed", "revoked by intune"],
    },
    {
      name: "no key usage reported, one of the sources an imported PFX: both purposes",
      now: [
        seen({ purpose: undefined }),
        seen({ thumbprint: thumb(1), source: "intunePfx", purpose: undefined }),
      ],
      expected: [
        "discovered intunePfx both iOS iphone-1 installed",
        "discovered intuneScep both iOS iphone-1 installed",
      ],
    },
    {
      name: "no key usage on a SCEP certificate: taken as signing, never an encryption finding on a guess",
      now: [seen({ purpose: undefined })],
      expected: ["discovered intuneScep signing iOS iphone-1 installed"],
    },
    { name: "new", now: [seen()], expected: ["discovered intuneScep signing iOS iphone-1 installed"] },
    { name: "unchanged", now: [seen()], inventory: recorded([seen()]), expected: [] },
    {
      name: "changed issuance state (pending → installed)",
      now: [seen()],
      inventory: recorded([seen({ issuanceState: "issuePending" })]),
      expected: ["discovered intuneScep signing iOS iphone-1 installed"],
    },
    {
      name: "changed expiry (renewed in place)",
      now: [seen({ notAfter: iso(inDays(400)) })],
      inventory: recorded([seen()]),
      expected: ["discovered intuneScep signing iOS iphone-1 installed"],
    },
    {
      name: "changed device",
      now: [seen({ deviceId: "iphone-2" })],
      inventory: recorded([seen()]),
      expected: ["discovered intuneScep signing iOS iphone-2 installed"],
    },
    {
      name: "revoked in Intune: the change, then the revocation",
      now: [seen({ revokeStatus: "revoked" })],
      inventory: recorded([seen()]),
      expected: ["discovered intuneScep signing iOS iphone-1 installed", "revoked by intune"],
    },
    {
      name: "new and already revoked: discovered before revoked",
      now: [seen({ issuanceState: "revoked", revokeStatus: "revoked" })],
      expected: ["discovered intuneScep signing iOS iphone-1 revoked", "revoked by intune"],
    },
    {
      name: "revoked, and the inventory knows: nothing",
      now: [seen({ revokeStatus: "revoked" })],
      inventory: recorded([seen({ revokeStatus: "revoked" })], { state: "revoked" }),
      expected: [],
    },
    {
      name: "removed from the inventory earlier and listed again: a new life",
      now: [seen()],
      inventory: recorded([seen()], { state: "removed" }),
      expected: ["discovered intuneScep signing iOS iphone-1 installed"],
    },
    {
      name: "SCEP encryption certificate",
      now: [seen({ purpose: "encryption" })],
      expected: ["discovered intuneScep encryption iOS iphone-1 installed"],
    },
    {
      name: "failed on an Android device: NOT_DELIVERED there",
      now: [seen({ platform: "android", deviceId: "pixel-1", issuanceState: "installFailed" })],
      expected: ["discovered intuneScep signing android pixel-1 installFailed undelivered:android"],
    },
    {
      name: "an imported PFX on an iPhone and a Pixel, and in the user's PFX list: one certificate, no single platform",
      now: [
        seen({
          source: "intunePfx",
          purpose: "encryption",
          platform: undefined,
          deviceId: undefined,
          issuanceState: undefined,
        }),
        seen({ source: "intunePfx", purpose: "encryption" }),
        seen({
          source: "intunePfx",
          purpose: "encryption",
          platform: "android",
          deviceId: "pixel-1",
          issuanceState: "issuePending",
        }),
      ],
      expected: ["discovered intunePfx encryption - - issuePending undelivered:android"],
    },
    {
      name: "the same key from two profiles (PFX signing and encryption): both purposes, both sources",
      now: [
        seen({ source: "intunePfx", purpose: "encryption" }),
        seen({ source: "intunePkcs", purpose: "signing" }),
      ],
      expected: [
        "discovered intunePfx both iOS iphone-1 installed",
        "discovered intunePkcs both iOS iphone-1 installed",
      ],
    },
    {
      name: "an older record without a fingerprint, same facts: unchanged",
      now: [seen()],
      inventory: recorded([seen()], { intuneFingerprint: undefined }),
      expected: [],
    },
    {
      name: "an older record without a fingerprint, another platform: changed",
      now: [seen({ platform: "android" })],
      inventory: recorded([seen()], { intuneFingerprint: undefined }),
      expected: ["discovered intuneScep signing android iphone-1 installed"],
    },
  ];
  it.each(cases)("$name", ({ now, inventory, partial, expected }) => {
    const folded = fold(now)!;
    expect(show(eventsFor(folded, inventory && inventoryEntry(inventory), !partial))).toEqual(expected);
  });

  it("a device that deleted the certificate adds nothing; if it was the only one, Intune no longer lists it", () => {
    expect(fold([seen({ issuanceState: "deleted" })])).toBeUndefined();
    expect(
      fold([seen(), seen({ deviceId: "iphone-2", issuanceState: "removedFromCollection" })])?.devices,
    ).toEqual(["iphone-1"]);
  });

  it("a change is a new event id; a repeated sync repeats the id", () => {
    const envelope = (o: IntuneObservation) => {
      const [event] = eventsFor(fold([o])!, undefined);
      if (event?.type !== "certificate.discovered") throw new Error("expected a discovery");
      return createEvent(event.type, event.data, { source: "/test", time: NOW }).id;
    };
    expect(envelope(seen())).toBe(envelope(seen()));
    expect(envelope(seen({ issuanceState: "issuePending" }))).not.toBe(envelope(seen()));
  });
});

describe("removalsFor: what Intune stopped listing", () => {
  const inventory = [
    recorded([seen({ thumbprint: thumb(1) })]),
    recorded([seen({ thumbprint: thumb(2) })]),
    recorded([seen({ thumbprint: thumb(3) })], { sources: ["intunePfx", "directory"] }),
    recorded([seen({ thumbprint: thumb(4) })], { state: "removed" }),
  ].map((r) => inventoryEntry(r)!);
  const listed = new Set([certificateKey({ userId: "user-alice", thumbprint: thumb(1) })]);

  const cases: { name: string; complete: boolean; expected: string[] }[] = [
    {
      name: "after a complete listing: the Intune-only certificate no longer listed",
      complete: true,
      expected: [thumb(2)],
    },
    { name: "after a partial listing: nothing", complete: false, expected: [] },
  ];
  it.each(cases)("$name", ({ complete, expected }) => {
    const removed = removalsFor(inventory, (k) => listed.has(k), complete);
    expect(removed.map((e) => e.data.thumbprint)).toEqual(expected);
    expect(removed.every((e) => e.type === "certificate.removed")).toBe(true);
  });
});

describe("deliveryOf: Graph's issuance states", () => {
  const cases: [string | undefined, ReturnType<typeof deliveryOf>][] = [
    ["installed", "delivered"],
    ["issued", "delivered"],
    ["enrollmentSucceeded", "delivered"],
    ["issuePending", "pending"],
    ["challengeIssued", "pending"],
    ["installFailed", "failed"],
    ["challengeValidationFailed", "failed"],
    ["deleteFailed", "delivered"],
    ["deleted", "gone"],
    ["unknown", undefined],
    [undefined, undefined],
  ];
  it.each(cases)("%s → %s", (state, expected) => expect(deliveryOf(state)).toBe(expected));
});

describe("intuneProblems: how the findings reach the record and the user's readiness", () => {
  const cases: {
    name: string;
    record: Partial<CertificateRecord>;
    problems: { signing: string[]; encryption: string[] };
    reasons: string[];
  }[] = [
    {
      name: "SCEP encryption → ENCRYPTION_NOT_IMPORTED",
      record: { sources: ["intuneScep"], purpose: "encryption" },
      problems: { signing: [], encryption: ["ENCRYPTION_NOT_IMPORTED"] },
      reasons: ["NO_CERTIFICATE", "ENCRYPTION_NOT_IMPORTED"],
    },
    {
      name: "Intune PKCS for both purposes → ENCRYPTION_NOT_IMPORTED for encryption only",
      record: { sources: ["intunePkcs"], purpose: "both" },
      problems: { signing: [], encryption: ["ENCRYPTION_NOT_IMPORTED"] },
      reasons: ["ENCRYPTION_NOT_IMPORTED"],
    },
    {
      name: "imported PFX encryption: nothing",
      record: { sources: ["intunePfx"], purpose: "both" },
      problems: { signing: [], encryption: [] },
      reasons: [],
    },
    {
      name: "pending on Android → NOT_DELIVERED for Android",
      record: {
        sources: ["intunePfx"],
        purpose: "both",
        undeliveredOn: ["android"],
        issuanceState: "issuePending",
      },
      problems: { signing: ["NOT_DELIVERED:android"], encryption: ["NOT_DELIVERED:android"] },
      reasons: ["NOT_DELIVERED"],
    },
  ];
  it.each(cases)("$name", ({ record, problems, reasons }) => {
    const base = certificate(record);
    const found = intuneProblems(base);
    const codes = (list: typeof found.signing) =>
      list.map((p) => (p["platform"] ? `${p.code}:${String(p["platform"])}` : p.code));
    expect({ signing: codes(found.signing), encryption: codes(found.encryption) }).toEqual(problems);
    // As onCertificateEvent would store them: the findings in the record's verdict.
    const withFindings = certificate({
      ...record,
      signing: { ready: found.signing.length === 0, problems: found.signing },
      encryption: { ready: found.encryption.length === 0, problems: found.encryption },
    });
    const readiness = userReadiness({ user: user(), certificates: [withFindings], now: NOW });
    expect(readiness.reasons).toEqual(reasons);
  });
});
