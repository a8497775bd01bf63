import { describe, expect, it } from "vitest";
import type { CertificateRecord } from "../../../shared/contracts/rows.ts";
import {
  applyEvent,
  type CertificateEvent,
  canonicalJson,
  material,
} from "../../../shared/usecases/certificate-changes.ts";

const NOW = new Date("2026-06-01T00:00:00Z");
const THRESHOLDS = [30, 14, 7, 1];
const T = "A".repeat(40);

const stored: CertificateRecord = {
  userId: "user-1",
  thumbprint: T,
  userPrincipalName: "alice@contoso.com",
  sources: ["intuneScep"],
  purpose: "signing",
  state: "valid",
  certificate: "MIIB",
  emailAddresses: ["alice@contoso.com"],
  crlUrls: [],
  signing: { ready: true, problems: [] },
  encryption: { ready: true, problems: [] },
  thresholdsAnnounced: [30],
  revision: 4,
  updatedAt: "2026-05-01T00:00:00.000Z",
};

const ids = { userId: "user-1", thumbprint: T };
const discovered = (
  o: Partial<Extract<CertificateEvent, { type: "certificate.discovered" }>["data"]> = {},
): CertificateEvent => ({
  type: "certificate.discovered",
  data: { ...ids, userPrincipalName: "alice@contoso.com", source: "intuneScep", purpose: "signing", ...o },
});

interface Case {
  readonly name: string;
  readonly current?: CertificateRecord;
  readonly event: CertificateEvent;
  readonly expected: object;
}

const cases: Case[] = [
  {
    name: "a first discovery creates a record to validate",
    event: discovered({ certificate: "MIIC", source: "manual" }),
    expected: {
      from: "discovered",
      validate: true,
      record: { state: "discovered", revision: 0, sources: ["manual"], certificate: "MIIC" },
    },
  },
  {
    name: "the same discovery again changes nothing and asks for no validation",
    current: stored,
    event: discovered(),
    expected: { from: "valid", validate: false, record: stored },
  },
  {
    name: "a second source is merged, and the certificate re-validated",
    current: stored,
    event: discovered({ source: "directory" }),
    expected: { validate: true, record: { sources: ["intuneScep", "directory"] } },
  },
  {
    name: "the same certificate for the other purpose serves both",
    current: stored,
    event: discovered({ purpose: "encryption" }),
    expected: { validate: true, record: { purpose: "both" } },
  },
  {
    name: "a removed certificate seen again starts a new life from discovered",
    current: { ...stored, state: "removed" },
    event: discovered({ source: "manual" }),
    expected: {
      from: "discovered",
      validate: true,
      record: { state: "discovered", sources: ["manual"], revision: 4 },
    },
  },
  {
    name: "an announced threshold is recorded with every larger one",
    current: { ...stored, thresholdsAnnounced: [] },
    event: {
      type: "certificate.expiring",
      data: { ...ids, notAfter: "2026-06-10T00:00:00.000Z", thresholdDays: 7, daysLeft: 6 },
    },
    expected: { validate: false, record: { thresholdsAnnounced: [30, 14, 7] } },
  },
  {
    name: "a CRL listing is confirmed by re-validation",
    current: stored,
    event: { type: "certificate.revoked", data: { ...ids, serialNumber: "0a", detectedBy: "crl" } },
    expected: { validate: true, record: { state: "valid" } },
  },
  {
    name: "Intune's revocation is taken as said",
    current: stored,
    event: { type: "certificate.revoked", data: { ...ids, serialNumber: "0a", detectedBy: "intune" } },
    expected: { validate: false, revoked: true },
  },
  {
    name: "a removal marks the record removed",
    current: stored,
    event: { type: "certificate.removed", data: { ...ids, reason: "gone" } },
    expected: { validate: false, removed: true },
  },
  {
    name: "a re-validation request asks the engine",
    current: stored,
    event: {
      type: "certificate.revalidationRequested",
      data: { ...ids, reason: "x", requestedAt: NOW.toISOString() },
    },
    expected: { validate: true },
  },
  {
    name: "anything but a discovery about an unknown certificate is ignored",
    event: { type: "certificate.expired", data: { ...ids, notAfter: NOW.toISOString() } },
    expected: { ignored: "certificate.expired for a certificate the inventory does not hold" },
  },
];

describe("applyEvent", () => {
  it.each(cases)("$name", ({ current, event, expected }) => {
    expect(applyEvent(current, event, THRESHOLDS, NOW)).toMatchObject(expected);
  });
});

describe("material", () => {
  it("ignores write and check times, and key order at every level", () => {
    const reordered = JSON.parse(
      canonicalJson({ ...stored, signing: { problems: [], ready: true } }),
    ) as CertificateRecord;
    expect(material({ ...reordered, updatedAt: NOW.toISOString(), lastValidatedAt: NOW.toISOString() })).toBe(
      material(stored),
    );
  });

  it("sees a changed verdict", () => {
    expect(material({ ...stored, signing: { ready: false, problems: [] } })).not.toBe(material(stored));
  });
});
