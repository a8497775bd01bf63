import { describe, expect, it } from "vitest";
import type { CertificateRecord } from "../../../shared/contracts/rows.ts";
import { expiryEvents } from "../../../shared/usecases/scan-expiry.ts";

const NOW = new Date("2026-06-01T00:00:00Z");
const THRESHOLDS = [30, 14, 7, 1];

function record(overrides: Partial<CertificateRecord>): CertificateRecord {
  return {
    userId: "user-1",
    thumbprint: "A".repeat(40),
    userPrincipalName: "alice@contoso.com",
    sources: ["manual"],
    purpose: "both",
    state: "valid",
    emailAddresses: [],
    crlUrls: [],
    thresholdsAnnounced: [],
    revision: 3,
    updatedAt: NOW.toISOString(),
    ...overrides,
  };
}

interface Case {
  readonly name: string;
  readonly record: Partial<CertificateRecord>;
  readonly expected: readonly unknown[];
}

const cases: Case[] = [
  {
    name: "9 days left, nothing announced: the smallest crossed threshold (14)",
    record: { notAfter: "2026-06-10T00:00:00.000Z" },
    expected: [["certificate.expiring", { thresholdDays: 14, daysLeft: 9 }]],
  },
  {
    name: "9 days left, 30 and 14 announced: nothing",
    record: { notAfter: "2026-06-10T00:00:00.000Z", thresholdsAnnounced: [30, 14] },
    expected: [],
  },
  {
    name: "12 hours left, 30/14/7 announced: the last day",
    record: { notAfter: "2026-06-01T12:00:00.000Z", thresholdsAnnounced: [30, 14, 7] },
    expected: [["certificate.expiring", { thresholdDays: 1, daysLeft: 0 }]],
  },
  {
    name: "exactly at notAfter: still valid through that second, the last day",
    record: { notAfter: "2026-06-01T00:00:00.000Z", thresholdsAnnounced: [30, 14, 7] },
    expected: [["certificate.expiring", { thresholdDays: 1, daysLeft: 0 }]],
  },
  {
    name: "a second past notAfter: expired",
    record: { notAfter: "2026-05-31T23:59:59.000Z" },
    expected: [["certificate.expired", { notAfter: "2026-05-31T23:59:59.000Z" }]],
  },
  {
    name: "already expired: nothing",
    record: { state: "expired", notAfter: "2026-05-01T00:00:00.000Z" },
    expected: [],
  },
  {
    name: "revoked: nothing",
    record: { state: "revoked", notAfter: "2026-06-02T00:00:00.000Z" },
    expected: [],
  },
  {
    name: "removed: nothing",
    record: { state: "removed", notAfter: "2026-05-01T00:00:00.000Z" },
    expected: [],
  },
  { name: "notAfter unknown (metadata only): nothing", record: {}, expected: [] },
  { name: "months left: nothing", record: { notAfter: "2026-12-01T00:00:00.000Z" }, expected: [] },
];

describe("expiryEvents", () => {
  it.each(cases)("$name", ({ record: overrides, expected }) => {
    const events = expiryEvents(record(overrides), NOW, THRESHOLDS);
    expect(events.map((e) => [e.type, e.data])).toMatchObject(expected);
  });

  it("derives ids from the certificate and threshold only: a later scan repeats them", () => {
    const r = record({ notAfter: "2026-06-10T00:00:00.000Z" });
    const [today] = expiryEvents(r, NOW, THRESHOLDS);
    const [tomorrow] = expiryEvents(r, new Date("2026-06-02T00:00:00Z"), THRESHOLDS);
    expect(tomorrow?.id).toBe(today?.id);
  });
});
