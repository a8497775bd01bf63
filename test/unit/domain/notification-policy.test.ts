import { describe, expect, it } from "vitest";
import { createEvent, Events } from "../../../shared/contracts/events.ts";
import type { CertificateRecord, UserRecord } from "../../../shared/contracts/rows.ts";
import {
  hasReplacement,
  type NotificationPolicyInput,
  notificationsFor,
} from "../../../shared/domain/notification-policy.ts";
import { certificate, inDays, iso, NOW, notReady, problem, ready, thumb, user } from "./records.ts";

const NOT_AFTER = iso(inDays(5));
/** The certificate under test: number 1, ending in 5 days. */
const subject = (overrides: Partial<CertificateRecord> = {}) =>
  certificate({ thumbprint: thumb(1), notAfter: NOT_AFTER, ...overrides });
/** A longer-lasting, working imported dual-use certificate: a replacement for everything. */
const successor = certificate({ thumbprint: thumb(2), notAfter: iso(inDays(400)) });
/** A SCEP signing certificate as Intune describes it: no bytes, so no verdict, its end date from Intune. */
const described = (overrides: Partial<CertificateRecord> = {}) =>
  subject({
    state: "discovered",
    purpose: "signing",
    sources: ["intuneScep"],
    platform: "iOS",
    signing: undefined,
    encryption: undefined,
    ...overrides,
  });
const was = (state: CertificateRecord["state"], thresholdsAnnounced: number[] = []) => ({
  state,
  thresholdsAnnounced,
});

const untrusted = problem("CHAIN_UNTRUSTED");
const keyUsage = problem("KEY_USAGE_ENCRYPTION");
const warning = problem("NONCONFORMANT", {}, "warning");

const base = { userId: "user-alice", thumbprint: thumb(1), notAfter: NOT_AFTER };

describe("notificationsFor", () => {
  const cases: readonly {
    name: string;
    previous?: NotificationPolicyInput["previous"];
    next: CertificateRecord;
    user?: Partial<UserRecord> | "unknown";
    others?: readonly CertificateRecord[];
    expected: readonly Record<string, unknown>[];
  }[] = [
    { name: "a new valid certificate: nothing to say", next: subject({ state: "valid" }), expected: [] },
    {
      name: "valid stays valid: nothing",
      previous: was("valid"),
      next: subject({ state: "valid" }),
      expected: [],
    },
    {
      name: "discovered → invalid: validationFailed with the blocking problems, each once",
      previous: was("discovered"),
      next: subject({
        state: "invalid",
        signing: notReady(untrusted, warning),
        encryption: notReady(untrusted, keyUsage),
      }),
      expected: [{ ...base, reason: "validationFailed", problems: [untrusted, keyUsage] }],
    },
    {
      name: "first seen already invalid: validationFailed",
      next: subject({ state: "invalid", signing: notReady(untrusted), encryption: notReady(untrusted) }),
      expected: [{ ...base, reason: "validationFailed", problems: [untrusted] }],
    },
    {
      name: "valid → invalid: validationFailed",
      previous: was("valid"),
      next: subject({ state: "invalid", signing: ready(), encryption: notReady(keyUsage) }),
      expected: [{ ...base, reason: "validationFailed", problems: [keyUsage] }],
    },
    {
      name: "valid → invalid only because the CA's CRL endpoint is down: nothing (ops are alerted instead)",
      previous: was("valid"),
      next: subject({
        state: "invalid",
        signing: notReady(problem("CRL_UNREACHABLE")),
        encryption: notReady(problem("CRL_UNREACHABLE")),
      }),
      expected: [],
    },
    {
      name: "valid → invalid by a stale CRL and a key usage problem: told about both",
      previous: was("valid"),
      next: subject({
        state: "invalid",
        signing: notReady(problem("CRL_STALE")),
        encryption: notReady(keyUsage),
      }),
      expected: [{ ...base, reason: "validationFailed", problems: [problem("CRL_STALE"), keyUsage] }],
    },
    {
      name: "invalid stays invalid with another problem: nothing new to say",
      previous: was("invalid"),
      next: subject({ state: "invalid", signing: notReady(problem("CRL_STALE")) }),
      expected: [],
    },
    {
      name: "invalid → valid: no notice",
      previous: was("invalid"),
      next: subject({ state: "valid" }),
      expected: [],
    },
    {
      name: "valid → revoked: revoked",
      previous: was("valid"),
      next: subject({ state: "revoked" }),
      expected: [{ ...base, reason: "revoked" }],
    },
    {
      name: "revoked even with a replacement in place (the key may be compromised)",
      previous: was("valid"),
      next: subject({ state: "revoked" }),
      others: [successor],
      expected: [{ ...base, reason: "revoked" }],
    },
    {
      name: "revoked stays revoked: once is enough",
      previous: was("revoked"),
      next: subject({ state: "revoked" }),
      expected: [],
    },
    {
      name: "first seen already revoked: revoked",
      next: subject({ state: "revoked" }),
      expected: [{ ...base, reason: "revoked" }],
    },
    {
      name: "expiring → expired: expired",
      previous: was("expiring", [30, 14, 7, 1]),
      next: subject({ state: "expired", thresholdsAnnounced: [30, 14, 7, 1] }),
      expected: [{ ...base, reason: "expired" }],
    },
    {
      name: "expired with a replacement already working: no notice",
      previous: was("expiring"),
      next: subject({ state: "expired" }),
      others: [successor],
      expected: [],
    },
    {
      name: "expired stays expired",
      previous: was("expired"),
      next: subject({ state: "expired" }),
      expected: [],
    },
    {
      name: "the 30-day threshold newly announced: expiring 30",
      previous: was("valid"),
      next: subject({ state: "expiring", thresholdsAnnounced: [30] }),
      expected: [{ ...base, reason: "expiring", thresholdDays: 30 }],
    },
    {
      name: "several thresholds recorded at once: only the smallest is announced",
      previous: was("valid"),
      next: subject({ state: "expiring", thresholdsAnnounced: [30, 14, 7] }),
      expected: [{ ...base, reason: "expiring", thresholdDays: 7 }],
    },
    {
      name: "first seen 10 days before its end: the 14-day notice",
      next: subject({ state: "expiring", thresholdsAnnounced: [30, 14] }),
      expected: [{ ...base, reason: "expiring", thresholdDays: 14 }],
    },
    {
      name: "a larger threshold recorded after a smaller one was announced: no notice",
      previous: was("expiring", [30, 14, 7]),
      next: subject({ state: "expiring", thresholdsAnnounced: [30, 14, 7, 60] }),
      expected: [],
    },
    {
      name: "no new threshold: nothing (entering `expiring` alone is not a notice)",
      previous: was("valid", []),
      next: subject({ state: "expiring" }),
      expected: [],
    },
    {
      name: "the same change processed twice says nothing the second time",
      previous: was("expiring", [30]),
      next: subject({ state: "expiring", thresholdsAnnounced: [30] }),
      expected: [],
    },
    {
      name: "a certificate Intune only describes (no bytes, no verdict) crossing a threshold: expiring",
      previous: was("discovered"),
      next: described({ thresholdsAnnounced: [30] }),
      expected: [{ ...base, reason: "expiring", thresholdDays: 30 }],
    },
    {
      name: "a described certificate whose newer one is described too (renewal delivered): no notice",
      previous: was("discovered"),
      next: described({ thresholdsAnnounced: [7] }),
      others: [described({ thumbprint: thumb(2), notAfter: iso(inDays(365)) })],
      expected: [],
    },
    {
      name: "a described certificate whose newer one is on the other platform still gets its notice",
      previous: was("discovered"),
      next: described({ thresholdsAnnounced: [7] }),
      others: [described({ thumbprint: thumb(2), notAfter: iso(inDays(365)), platform: "android" })],
      expected: [{ ...base, reason: "expiring", thresholdDays: 7 }],
    },
    {
      name: "a described certificate Intune failed to deliver (its verdict says so): no expiring notice",
      previous: was("discovered"),
      next: described({ thresholdsAnnounced: [7], signing: notReady(problem("NOT_DELIVERED")) }),
      expected: [],
    },
    {
      name: "a threshold crossed while a replacement is in place: no expiring notice",
      previous: was("valid"),
      next: subject({ state: "expiring", thresholdsAnnounced: [30] }),
      others: [successor],
      expected: [],
    },
    {
      name: "a dual-use certificate replaced for signing only still gets its notice (encryption would lapse)",
      previous: was("valid"),
      next: subject({ state: "expiring", thresholdsAnnounced: [30] }),
      others: [
        certificate({
          thumbprint: thumb(2),
          purpose: "signing",
          sources: ["intuneScep"],
          notAfter: iso(inDays(400)),
        }),
      ],
      expected: [{ ...base, reason: "expiring", thresholdDays: 30 }],
    },
    {
      name: "an encryption certificate whose newer one is SCEP-issued still gets its notice",
      previous: was("valid"),
      next: subject({ purpose: "encryption", state: "expiring", thresholdsAnnounced: [30] }),
      others: [
        certificate({
          thumbprint: thumb(2),
          purpose: "encryption",
          sources: ["intuneScep"],
          notAfter: iso(inDays(400)),
        }),
      ],
      expected: [{ ...base, reason: "expiring", thresholdDays: 30 }],
    },
    {
      name: "a threshold crossed by an invalid certificate: its validationFailed notice says enough",
      previous: was("invalid"),
      next: subject({ state: "invalid", thresholdsAnnounced: [7], signing: notReady(untrusted) }),
      expected: [],
    },
    {
      name: "entering invalid and crossing a threshold together: only validationFailed",
      previous: was("valid"),
      next: subject({
        state: "invalid",
        thresholdsAnnounced: [7],
        signing: notReady(untrusted),
        encryption: notReady(untrusted),
      }),
      expected: [{ ...base, reason: "validationFailed", problems: [untrusted] }],
    },
    {
      name: "revoked and crossing a threshold together: only revoked",
      previous: was("expiring", [30]),
      next: subject({ state: "revoked", thresholdsAnnounced: [30, 14] }),
      expected: [{ ...base, reason: "revoked" }],
    },
    {
      name: "removed: never a notice",
      previous: was("valid"),
      next: subject({ state: "removed" }),
      expected: [],
    },
    {
      name: "a disabled user hears nothing, not even of a revocation",
      previous: was("valid"),
      next: subject({ state: "revoked" }),
      user: { accountEnabled: false },
      expected: [],
    },
    {
      name: "a deleted user hears nothing",
      previous: was("valid"),
      next: subject({ state: "expiring", thresholdsAnnounced: [30] }),
      user: { deleted: true },
      expected: [],
    },
    {
      name: "a user not synced yet counts as active",
      previous: was("valid"),
      next: subject({ state: "revoked" }),
      user: "unknown",
      expected: [{ ...base, reason: "revoked" }],
    },
    {
      name: "without a known notAfter the notice carries none",
      previous: was("valid"),
      next: subject({ state: "revoked", notAfter: undefined }),
      expected: [{ userId: "user-alice", thumbprint: thumb(1), reason: "revoked" }],
    },
  ];

  it.each(cases)("$name", ({ previous, next, user: u, others, expected }) => {
    const result = notificationsFor({
      ...(previous ? { previous } : {}),
      next,
      ...(u === "unknown" ? {} : { user: user(u ?? {}) }),
      certificates: [next, ...(others ?? [])],
      now: NOW,
    });
    expect(result).toEqual(expected);
    for (const data of result) expect(Events.notificationRequested.data.parse(data)).toEqual(data);
  });

  it("each threshold is its own notification.requested event (its own id), a replay the same one", () => {
    const ids = [30, 14, 7, 30].map((threshold) => {
      const [data] = notificationsFor({
        previous: was("valid"),
        next: subject({ state: "expiring", thresholdsAnnounced: [threshold] }),
        certificates: [],
        now: NOW,
      });
      return createEvent("notification.requested", data!, { source: "/test", time: NOW }).id;
    });
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toBe(ids[3]);
  });
});

describe("hasReplacement", () => {
  it.each([
    { name: "none", others: [], expected: false },
    { name: "a dual-use successor", others: [successor], expected: true },
    {
      name: "two successors, one per purpose",
      others: [
        certificate({ thumbprint: thumb(2), purpose: "signing", notAfter: iso(inDays(90)) }),
        certificate({ thumbprint: thumb(3), purpose: "encryption", notAfter: iso(inDays(90)) }),
      ],
      expected: true,
    },
    {
      name: "a successor that ends first",
      others: [certificate({ thumbprint: thumb(2), notAfter: iso(inDays(3)) })],
      expected: false,
    },
  ])("$name → $expected", ({ others, expected }) => {
    const record = subject({ state: "expiring" });
    expect(hasReplacement(record, [record, ...others], NOW)).toBe(expected);
  });
});
