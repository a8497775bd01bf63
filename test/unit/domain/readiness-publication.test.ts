/**
 * NOT_PUBLISHED_FOR_RECIPIENTS in the readiness verdict: the user's current encryption certificate (the usable
 * one readiness picks) must be among those the directory publishes, once checkDirectory has read the entry.
 */
import { describe, expect, it } from "vitest";
import type { CertificateRecord, UserRecord } from "../../../shared/contracts/rows.ts";
import { type PlatformReadiness, userReadiness } from "../../../shared/domain/readiness.ts";
import { certificate, inDays, iso, NOW, thumb, user } from "./records.ts";

const n = (t: string) => Number.parseInt(t, 16);
const show = (p: PlatformReadiness): string =>
  p.ready
    ? `ready #${n(p.certificate ?? "")}`
    : p.reasons.map((r) => (r.thumbprint ? `${r.code}#${n(r.thumbprint)}` : r.code)).join(" ");

const cert = (i: number, overrides: Partial<CertificateRecord> = {}) =>
  certificate({ thumbprint: thumb(i), ...overrides });

const checked = (
  published: number[],
  entry: string | undefined = "uid=alice,ou=people,dc=contoso,dc=com",
) => ({
  directory: {
    since: iso(NOW),
    ...(entry !== undefined && { entry }),
    published: published.map(thumb),
  },
});

describe("publication of the current encryption certificate", () => {
  const cases: ReadonlyArray<{
    name: string;
    user?: Partial<UserRecord>;
    certificates: readonly CertificateRecord[];
    signing: string;
    encryption: string;
    reasons: string;
  }> = [
    {
      name: "never checked (no directory configured): not judged",
      certificates: [cert(1)],
      signing: "ready #1",
      encryption: "ready #1",
      reasons: "",
    },
    {
      name: "published on the entry: ready",
      user: checked([1]),
      certificates: [cert(1)],
      signing: "ready #1",
      encryption: "ready #1",
      reasons: "",
    },
    {
      name: "the entry publishes another certificate: encryption fails, signing does not care",
      user: checked([9]),
      certificates: [cert(1)],
      signing: "ready #1",
      encryption: "NOT_PUBLISHED_FOR_RECIPIENTS#1",
      reasons: "NOT_PUBLISHED_FOR_RECIPIENTS",
    },
    {
      name: "no entry in the directory at all",
      user: checked([], undefined),
      certificates: [cert(1)],
      signing: "ready #1",
      encryption: "NOT_PUBLISHED_FOR_RECIPIENTS#1",
      reasons: "NOT_PUBLISHED_FOR_RECIPIENTS",
    },
    {
      name: "the renewed certificate is current, only the old one is published",
      user: checked([1]),
      certificates: [cert(1, { notAfter: iso(inDays(20)) }), cert(2, { notAfter: iso(inDays(400)) })],
      signing: "ready #2",
      encryption: "NOT_PUBLISHED_FOR_RECIPIENTS#2",
      reasons: "NOT_PUBLISHED_FOR_RECIPIENTS",
    },
    {
      name: "the renewed certificate is published, the old one no longer: ready",
      user: checked([2]),
      certificates: [cert(1, { notAfter: iso(inDays(20)) }), cert(2, { notAfter: iso(inDays(400)) })],
      signing: "ready #2",
      encryption: "ready #2",
      reasons: "",
    },
    {
      name: "only usable certificates count: a revoked newer one is not current",
      user: checked([1]),
      certificates: [
        cert(1, { notAfter: iso(inDays(20)) }),
        cert(2, { state: "revoked", notAfter: iso(inDays(400)) }),
      ],
      signing: "ready #1",
      encryption: "ready #1",
      reasons: "",
    },
    {
      name: "a signing-only certificate is not asked to be published",
      user: checked([]),
      certificates: [cert(1, { purpose: "signing" })],
      signing: "ready #1",
      encryption: "NO_CERTIFICATE",
      reasons: "NO_CERTIFICATE",
    },
    {
      name: "a user-wide gate and the publication are both reported",
      user: { accountEnabled: false, ...checked([]) },
      certificates: [cert(1)],
      signing: "USER_DISABLED",
      encryption: "USER_DISABLED NOT_PUBLISHED_FOR_RECIPIENTS#1",
      reasons: "USER_DISABLED,NOT_PUBLISHED_FOR_RECIPIENTS",
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const r = userReadiness({ user: user(c.user), certificates: c.certificates, now: NOW });
      expect({
        signing: [show(r.signing.iOS), show(r.signing.android)],
        encryption: [show(r.encryption.iOS), show(r.encryption.android)],
        encryptionReady: r.encryptionReady,
        reasons: r.reasons.join(","),
      }).toEqual({
        signing: [c.signing, c.signing],
        encryption: [c.encryption, c.encryption],
        encryptionReady: c.encryption.startsWith("ready"),
        reasons: c.reasons,
      });
    });

  it("names the entry and when it was read", () => {
    const r = userReadiness({ user: user(checked([9])), certificates: [cert(1)], now: NOW });
    expect(r.encryption.iOS.reasons[0]?.message).toBe(
      "senders cannot find the current encryption certificate: the directory entry uid=alice,ou=people,dc=contoso,dc=com does not publish it (so since 2026-11-28T12:00:00.000Z)",
    );
  });
});
