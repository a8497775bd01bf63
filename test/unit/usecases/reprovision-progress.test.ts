/**
 * The pure decisions of a re-provisioning: which devices count, what the admin must import first, whether the
 * new certificates have arrived, and which requests share an operation.
 */
import { describe, expect, it } from "vitest";
import type { CertificateRecord } from "../../../shared/contracts/rows.ts";
import { operationIdFor, REPROVISION_DEDUPE_WINDOW_MS } from "../../../shared/usecases/reprovision.ts";
import { arrivals, mobilePlatform, pfxFindings } from "../../../shared/usecases/reprovision-progress.ts";

const NOW = new Date("2026-11-28T12:00:00Z");
const OLD = "1111111111111111111111111111111111111111";
const NEW = "2222222222222222222222222222222222222222";

/** A certificate record with the fields the decisions read; anything else as a valid PFX would have it. */
function record(fields: Partial<CertificateRecord> = {}): CertificateRecord {
  return {
    userId: "u1",
    thumbprint: OLD,
    userPrincipalName: "alice@contoso.com",
    sources: ["intunePfx"],
    purpose: "encryption",
    state: "valid",
    notAfter: "2027-06-01T00:00:00.000Z",
    emailAddresses: [],
    crlUrls: [],
    thresholdsAnnounced: [],
    revision: 1,
    updatedAt: NOW.toISOString(),
    ...fields,
  };
}

describe("mobilePlatform", () => {
  it.each([
    { os: "iOS", platform: "iOS" },
    { os: "iPadOS", platform: "iOS" },
    { os: "Android", platform: "android" },
    { os: "AndroidForWork", platform: "android" },
    { os: "Windows", platform: undefined },
    { os: "macOS", platform: undefined },
    { os: undefined, platform: undefined },
  ])("$os → $platform", ({ os, platform }) => {
    expect(mobilePlatform({ operatingSystem: os })).toBe(platform);
  });
});

describe("pfxFindings", () => {
  const cases = [
    { name: "signing only: nothing to import", purpose: "signing" as const, records: [], found: [] },
    { name: "a current imported PFX: nothing", purpose: "both" as const, records: [record()], found: [] },
    {
      name: "none at all",
      purpose: "encryption" as const,
      records: [],
      found: [/^no imported encryption PFX/],
    },
    {
      name: "only a SCEP encryption certificate (not imported)",
      purpose: "encryption" as const,
      records: [record({ sources: ["intuneScep"] })],
      found: [/^no imported encryption PFX/],
    },
    {
      name: "an imported one, revoked",
      purpose: "encryption" as const,
      records: [record({ state: "revoked" })],
      found: [/^no imported encryption PFX/],
    },
    {
      name: "every imported one expired: the latest named",
      purpose: "both" as const,
      records: [
        record({ notAfter: "2026-01-01T00:00:00.000Z", state: "expired" }),
        record({ thumbprint: NEW, notAfter: "2026-11-01T00:00:00.000Z" }),
      ],
      found: [/^every imported encryption PFX has expired \(the latest on 2026-11-01T00:00:00.000Z\)/],
    },
    {
      name: "a manual upload counts as imported",
      purpose: "encryption" as const,
      records: [record({ sources: ["manual"] })],
      found: [],
    },
  ];
  it.each(cases)("$name", ({ purpose, records, found }) => {
    const findings = pfxFindings(records, purpose, NOW);
    expect(findings).toHaveLength(found.length);
    for (const [i, pattern] of found.entries()) expect(findings[i]).toMatch(pattern);
  });
});

describe("arrivals", () => {
  const cases = [
    {
      name: "only the known certificate: signing missing",
      purpose: "signing" as const,
      records: [record({ purpose: "signing" })],
      complete: false,
      missing: ["signing"],
    },
    {
      name: "a new signing certificate",
      purpose: "signing" as const,
      records: [record({ purpose: "signing" }), record({ thumbprint: NEW, purpose: "signing" })],
      complete: true,
      missing: [],
    },
    {
      name: "both asked, only a new encryption certificate",
      purpose: "both" as const,
      records: [record({ thumbprint: NEW })],
      complete: false,
      missing: ["signing"],
    },
    {
      name: "both asked, one new certificate for both purposes",
      purpose: "both" as const,
      records: [record({ thumbprint: NEW, purpose: "both" })],
      complete: true,
      missing: [],
    },
    {
      name: "a new one already removed does not count",
      purpose: "encryption" as const,
      records: [record({ thumbprint: NEW, state: "removed" })],
      complete: false,
      missing: ["encryption"],
    },
    {
      name: "a new one already expired does not count",
      purpose: "encryption" as const,
      records: [record({ thumbprint: NEW, notAfter: "2026-11-28T11:59:59.000Z" })],
      complete: false,
      missing: ["encryption"],
    },
    {
      name: "a new one known from Intune metadata only (no notAfter yet) counts",
      purpose: "encryption" as const,
      records: [record({ thumbprint: NEW, state: "discovered", notAfter: undefined })],
      complete: true,
      missing: [],
    },
  ];
  it.each(cases)("$name", ({ purpose, records, complete, missing }) => {
    const result = arrivals({ purpose, knownThumbprints: [OLD] }, records, NOW);
    expect(result.complete).toBe(complete);
    expect(result.missing).toEqual(missing);
  });
});

describe("operationIdFor: identical requests in one window share an operation", () => {
  const body = { userPrincipalName: "Alice@Contoso.com", purpose: "both" as const, reason: "new phone" };
  const id = operationIdFor(body, "admin@contoso.com", NOW);
  const windowStart = Math.floor(NOW.getTime() / REPROVISION_DEDUPE_WINDOW_MS) * REPROVISION_DEDUPE_WINDOW_MS;
  const cases = [
    {
      name: "the same request a minute later",
      other: () => operationIdFor(body, "admin@contoso.com", new Date(NOW.getTime() + 60_000)),
      same: true,
    },
    {
      name: "the UPN in another case",
      other: () =>
        operationIdFor({ ...body, userPrincipalName: "alice@contoso.com" }, "admin@contoso.com", NOW),
      same: true,
    },
    {
      name: "the next window",
      other: () =>
        operationIdFor(body, "admin@contoso.com", new Date(windowStart + REPROVISION_DEDUPE_WINDOW_MS)),
      same: false,
    },
    {
      name: "another purpose",
      other: () => operationIdFor({ ...body, purpose: "signing" }, "admin@contoso.com", NOW),
      same: false,
    },
    {
      name: "another reason",
      other: () => operationIdFor({ ...body, reason: "lost phone" }, "admin@contoso.com", NOW),
      same: false,
    },
    { name: "another admin", other: () => operationIdFor(body, "other@contoso.com", NOW), same: false },
  ];
  it.each(cases)("$name → same: $same", ({ other, same }) => {
    expect(other() === id).toBe(same);
  });

  it("is shaped like a UUID", () => {
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
