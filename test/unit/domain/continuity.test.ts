import { describe, expect, it } from "vitest";
import type { CertificateRecord } from "../../../shared/contracts/rows.ts";
import {
  continuityGaps,
  continuityRisks,
  encryptionContinuity,
  findReplacement,
  isUsableFor,
} from "../../../shared/domain/continuity.ts";
import { certificate, inDays, iso, NOW, notReady, problem, thumb } from "./records.ts";

/** An imported encryption certificate numbered `n` that ends in `days` days. */
const enc = (n: number, days: number, overrides: Partial<CertificateRecord> = {}) =>
  certificate({
    thumbprint: thumb(n),
    purpose: "encryption",
    sources: ["intunePfx"],
    state: days <= 30 ? "expiring" : "valid",
    notAfter: iso(inDays(days)),
    ...overrides,
  });

describe("encryptionContinuity", () => {
  const cases: readonly {
    name: string;
    certificates: readonly CertificateRecord[];
    withinDays?: number;
    expected: { ok: true } | { ok: false; expiring: string; daysLeft: number };
  }[] = [
    { name: "no certificates: nothing to lose", certificates: [], expected: { ok: true } },
    { name: "one working certificate far from its end", certificates: [enc(1, 200)], expected: { ok: true } },
    {
      name: "ending in 5 days with nothing after it",
      certificates: [enc(1, 5)],
      expected: { ok: false, expiring: thumb(1), daysLeft: 5 },
    },
    {
      name: "ending in 5 days, its successor already delivered",
      certificates: [enc(1, 5), enc(2, 365)],
      expected: { ok: true },
    },
    {
      name: "a dual-use successor counts",
      certificates: [enc(1, 5), enc(2, 365, { purpose: "both" })],
      expected: { ok: true },
    },
    {
      name: "a signing-only successor does not",
      certificates: [enc(1, 5), enc(2, 365, { purpose: "signing" })],
      expected: { ok: false, expiring: thumb(1), daysLeft: 5 },
    },
    {
      name: "a SCEP successor is no successor: encryption keys must be imported",
      certificates: [enc(1, 5), enc(2, 365, { sources: ["intuneScep"] })],
      expected: { ok: false, expiring: thumb(1), daysLeft: 5 },
    },
    {
      name: "a successor not ready for encryption is no successor",
      certificates: [
        enc(1, 5),
        enc(2, 365, { state: "invalid", encryption: notReady(problem("KEY_USAGE_ENCRYPTION")) }),
      ],
      expected: { ok: false, expiring: thumb(1), daysLeft: 5 },
    },
    {
      name: "a dual-use successor invalid only for signing still encrypts: a successor",
      certificates: [
        enc(1, 5),
        enc(2, 365, { purpose: "both", state: "invalid", signing: notReady(problem("KEY_USAGE_SIGNING")) }),
      ],
      expected: { ok: true },
    },
    {
      name: "a successor still waiting for its verdict is no successor yet",
      certificates: [enc(1, 5), enc(2, 365, { state: "discovered", encryption: undefined })],
      expected: { ok: false, expiring: thumb(1), daysLeft: 5 },
    },
    ...(["revoked", "removed", "expired"] as const).map((state) => ({
      name: `a ${state} successor is no successor`,
      certificates: [enc(1, 5), enc(2, 365, { state })],
      expected: { ok: false as const, expiring: thumb(1), daysLeft: 5 },
    })),
    {
      name: "a newer certificate that ends sooner is no successor",
      certificates: [enc(1, 5), enc(2, 3)],
      expected: { ok: false, expiring: thumb(1), daysLeft: 5 },
    },
    {
      name: "a chain of two expiring ones: the later one is the gap",
      certificates: [enc(1, 5), enc(2, 20)],
      expected: { ok: false, expiring: thumb(2), daysLeft: 20 },
    },
    {
      name: "two uncovered on different platforms: the one ending first is named",
      certificates: [enc(1, 12, { platform: "iOS" }), enc(2, 4, { platform: "android" })],
      expected: { ok: false, expiring: thumb(2), daysLeft: 4 },
    },
    {
      name: "a successor delivered to another platform only does not cover this one",
      certificates: [enc(1, 5, { platform: "iOS" }), enc(2, 365, { platform: "android" })],
      expected: { ok: false, expiring: thumb(1), daysLeft: 5 },
    },
    {
      name: "a platform-wide successor covers a platform-specific one",
      certificates: [enc(1, 5, { platform: "iOS" }), enc(2, 365)],
      expected: { ok: true },
    },
    {
      name: "the ops alert looks 7 days ahead: 10 days left is not yet its business",
      certificates: [enc(1, 10)],
      withinDays: 7,
      expected: { ok: true },
    },
    {
      name: "the ops alert: 6 days and some hours left",
      certificates: [enc(1, 6.5)],
      withinDays: 7,
      expected: { ok: false, expiring: thumb(1), daysLeft: 6 },
    },
    {
      name: "an already expired certificate is lost already (readiness says so), not a continuity gap",
      certificates: [enc(1, -1, { state: "expired" })],
      expected: { ok: true },
    },
    {
      name: "an expiring certificate that doesn't work for encryption today has nothing to lose",
      certificates: [enc(1, 5, { state: "invalid", encryption: notReady(problem("CRL_UNREACHABLE")) })],
      expected: { ok: true },
    },
    {
      name: "an expiring SCEP encryption certificate never worked for encryption",
      certificates: [enc(1, 5, { sources: ["intuneScep"] })],
      expected: { ok: true },
    },
  ];

  it.each(cases)("$name", ({ certificates, withinDays, expected }) => {
    const result = encryptionContinuity({ certificates, now: NOW, withinDays: withinDays ?? 30 });
    expect(result).toMatchObject(expected);
    if (!result.ok)
      expect(result.notAfter).toBe(certificates.find((c) => c.thumbprint === result.expiring)?.notAfter);
  });
});

describe("findReplacement", () => {
  it("picks the successor that lasts longest", () => {
    const old = enc(1, 5);
    const found = findReplacement(old, "encryption", [old, enc(2, 100), enc(3, 300), enc(4, 200)], NOW);
    expect(found?.thumbprint).toBe(thumb(3));
  });

  it("never names the certificate itself", () => {
    const old = enc(1, 5);
    expect(findReplacement(old, "encryption", [old], NOW)).toBeUndefined();
  });

  it("for signing, a SCEP successor is fine", () => {
    const old = certificate({ thumbprint: thumb(1), purpose: "signing", notAfter: iso(inDays(5)) });
    const next = certificate({ thumbprint: thumb(2), purpose: "signing", sources: ["intuneScep"] });
    expect(findReplacement(old, "signing", [old, next], NOW)?.thumbprint).toBe(thumb(2));
  });

  it("any usable successor replaces a record whose notAfter is unknown", () => {
    const old = certificate({ thumbprint: thumb(1), notAfter: undefined });
    expect(findReplacement(old, "signing", [enc(2, 10, { purpose: "both" })], NOW)?.thumbprint).toBe(
      thumb(2),
    );
  });
});

describe("isUsableFor", () => {
  it.each([
    { name: "valid and ready", record: enc(1, 100), purpose: "encryption", expected: true },
    { name: "expiring and ready", record: enc(1, 10), purpose: "encryption", expected: true },
    { name: "serving another purpose", record: enc(1, 100), purpose: "signing", expected: false },
    {
      name: "notAfter unknown",
      record: enc(1, 100, { notAfter: undefined }),
      purpose: "encryption",
      expected: false,
    },
    {
      name: "past notAfter, not rescanned",
      record: enc(1, -0.01, { state: "expiring" }),
      purpose: "encryption",
      expected: false,
    },
    {
      name: "not imported",
      record: enc(1, 100, { sources: ["intunePkcs"] }),
      purpose: "encryption",
      expected: false,
    },
    { name: "revoked", record: enc(1, 100, { state: "revoked" }), purpose: "encryption", expected: false },
    {
      name: "invalid for signing, ready for encryption",
      record: enc(1, 100, {
        purpose: "both",
        state: "invalid",
        signing: notReady(problem("KEY_USAGE_SIGNING")),
      }),
      purpose: "encryption",
      expected: true,
    },
    {
      name: "discovered (a verdict alone does not make it decided)",
      record: enc(1, 100, { state: "discovered" }),
      purpose: "encryption",
      expected: false,
    },
  ] as const)("$name → $expected", ({ record, purpose, expected }) => {
    expect(isUsableFor(record, purpose, NOW)).toBe(expected);
  });
});

describe("continuityGaps", () => {
  const of = (userId: string, record: CertificateRecord) => ({
    ...record,
    userId,
    userPrincipalName: `${userId}@contoso.com`,
  });

  it("lists every user about to lose encryption, soonest first, each once", () => {
    const records = [
      of("carol", enc(1, 6)),
      of("alice", enc(2, 3)),
      of("alice", enc(3, 5)), // alice's 3-day one is covered by her 5-day one; the 5-day one is the gap
      of("bob", enc(4, 2)),
      of("bob", enc(5, 365)), // bob has a successor
      of("dave", enc(6, 20)), // outside the 7-day window
      of("erin", enc(7, 1, { state: "revoked" })), // nothing to lose
    ];
    expect(continuityGaps(records, NOW, 7)).toEqual([
      {
        userId: "alice",
        userPrincipalName: "alice@contoso.com",
        expiring: thumb(3),
        notAfter: iso(inDays(5)),
        daysLeft: 5,
      },
      {
        userId: "carol",
        userPrincipalName: "carol@contoso.com",
        expiring: thumb(1),
        notAfter: iso(inDays(6)),
        daysLeft: 6,
      },
    ]);
  });

  it("an empty inventory has no gaps", () => {
    expect(continuityGaps([], NOW, 7)).toEqual([]);
  });
});

describe("continuityRisks", () => {
  const of = (userId: string, record: CertificateRecord) => ({
    ...record,
    userId,
    userPrincipalName: `${userId}@contoso.com`,
  });
  /** A SCEP signing certificate numbered `n` that ends in `days` days. */
  const sig = (n: number, days: number, overrides: Partial<CertificateRecord> = {}) =>
    enc(n, days, { purpose: "signing", sources: ["intuneScep"], ...overrides });

  it.each([
    {
      name: "nothing ends within the window",
      records: [of("a", enc(1, 30)), of("a", sig(2, 8))],
      expected: [],
    },
    {
      name: "8 days left is outside a 7-day window",
      records: [of("a", enc(1, 8))],
      expected: [],
    },
    {
      name: "an encryption certificate ending in 5 days with nothing after it",
      records: [of("a", enc(1, 5))],
      expected: [["a", "encryption", thumb(1), 5]],
    },
    {
      name: "a successor already delivered covers it",
      records: [of("a", enc(1, 5)), of("a", enc(2, 365))],
      expected: [],
    },
    {
      name: "a signing certificate ending with nothing after it is a risk of its own",
      records: [of("a", sig(1, 3)), of("a", enc(2, 365))],
      expected: [["a", "signing", thumb(1), 3]],
    },
    {
      name: "a dual-use certificate ending uncovered puts both purposes at risk",
      records: [of("a", enc(1, 2, { purpose: "both" }))],
      expected: [
        ["a", "encryption", thumb(1), 2],
        ["a", "signing", thumb(1), 2],
      ],
    },
    {
      name: "a successor on another platform does not reach this phone",
      records: [of("a", sig(1, 4, { platform: "iOS" })), of("a", sig(2, 365, { platform: "android" }))],
      expected: [["a", "signing", thumb(1), 4]],
    },
    {
      name: "another user's successor is no successor",
      records: [of("a", enc(1, 6)), of("b", enc(2, 365))],
      expected: [["a", "encryption", thumb(1), 6]],
    },
    {
      name: "a revoked certificate has nothing left to lose",
      records: [of("a", enc(1, 1, { state: "revoked" }))],
      expected: [],
    },
  ])("$name", ({ records, expected }) => {
    expect(
      continuityRisks(records, NOW, 7).map((r) => [r.userId, r.purpose, r.thumbprint, r.daysLeft]),
    ).toEqual(expected);
  });

  it("names the user, the certificate's end and sorts soonest first", () => {
    const risks = continuityRisks([of("late", enc(1, 6)), of("soon", enc(2, 1))], NOW, 7);
    expect(risks).toEqual([
      {
        userId: "soon",
        userPrincipalName: "soon@contoso.com",
        purpose: "encryption",
        thumbprint: thumb(2),
        notAfter: iso(inDays(1)),
        daysLeft: 1,
      },
      {
        userId: "late",
        userPrincipalName: "late@contoso.com",
        purpose: "encryption",
        thumbprint: thumb(1),
        notAfter: iso(inDays(6)),
        daysLeft: 6,
      },
    ]);
  });
});
