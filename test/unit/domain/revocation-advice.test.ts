import { describe, expect, it } from "vitest";
import type { CertificateRecord, UserRecord } from "../../../shared/contracts/rows.ts";
import { userReadiness } from "../../../shared/domain/readiness.ts";
import { UserReadinessSchema } from "../../../shared/domain/readiness-schema.ts";
import { departure, revocationRecommendations } from "../../../shared/domain/revocation-advice.ts";
import { certificate, inDays, iso, NOW, thumb, user } from "./records.ts";

const live = certificate({ thumbprint: thumb(1) });
const expiring = certificate({ thumbprint: thumb(2), state: "expiring", notAfter: iso(inDays(3)) });

describe("revocationRecommendations", () => {
  const cases: readonly {
    name: string;
    user: Partial<UserRecord>;
    certificates: readonly CertificateRecord[];
    expected: readonly [string, string][];
  }[] = [
    { name: "an active user: nothing to revoke", user: {}, certificates: [live, expiring], expected: [] },
    {
      name: "a disabled user: every live certificate, USER_DISABLED",
      user: { accountEnabled: false },
      certificates: [live, expiring],
      expected: [
        [thumb(1), "USER_DISABLED"],
        [thumb(2), "USER_DISABLED"],
      ],
    },
    {
      name: "a deleted user: USER_DELETED (deleted wins over disabled)",
      user: { deleted: true, accountEnabled: false },
      certificates: [live],
      expected: [[thumb(1), "USER_DELETED"]],
    },
    {
      name: "an account enabled again: the advice is withdrawn",
      user: { accountEnabled: true, deleted: false },
      certificates: [live],
      expected: [],
    },
    {
      name: "revoked, removed and expired certificates need no revoking",
      user: { accountEnabled: false },
      certificates: [
        certificate({ thumbprint: thumb(3), state: "revoked" }),
        certificate({ thumbprint: thumb(4), state: "removed" }),
        certificate({ thumbprint: thumb(5), state: "expired", notAfter: iso(inDays(-2)) }),
        certificate({ thumbprint: thumb(6), state: "valid", notAfter: iso(inDays(-1)) }),
        live,
      ],
      expected: [[thumb(1), "USER_DISABLED"]],
    },
    {
      name: "a certificate known from metadata only (no verdict yet) still signs for them",
      user: { deleted: true },
      certificates: [certificate({ thumbprint: thumb(7), state: "discovered", signing: undefined })],
      expected: [[thumb(7), "USER_DELETED"]],
    },
  ];
  it.each(cases)("$name", ({ user: overrides, certificates, expected }) => {
    const advice = revocationRecommendations(user(overrides), certificates, NOW);
    expect(advice.map((a) => [a.thumbprint, a.reason])).toEqual(expected);
    for (const a of advice) expect(a.message).toMatch(/^alice@contoso\.com is (deleted|disabled): revoke/);
  });

  it("names the departure", () => {
    expect(departure({ accountEnabled: true, deleted: false })).toBeUndefined();
    expect(departure({ accountEnabled: false, deleted: false })).toBe("USER_DISABLED");
    expect(departure({ accountEnabled: true, deleted: true })).toBe("USER_DELETED");
  });
});

describe("readiness carries the advice", () => {
  it.each([
    { name: "disabled: each live certificate listed", user: { accountEnabled: false }, expected: 2 },
    { name: "active: no field at all", user: {}, expected: 0 },
  ])("$name", ({ user: overrides, expected }) => {
    const readiness = userReadiness({ user: user(overrides), certificates: [live, expiring], now: NOW });
    expect(UserReadinessSchema.parse(readiness)).toEqual(readiness);
    expect(readiness.revocationRecommended?.length ?? 0).toBe(expected);
    if (expected === 0) expect(readiness).not.toHaveProperty("revocationRecommended");
  });
});
