import { describe, expect, it } from "vitest";
import type { CertificateRecord, UserRecord } from "../../../shared/contracts/rows.ts";
import {
  type PlatformReadiness,
  platformsInUse,
  type ReadinessInput,
  type UserReadiness,
  UserReadinessSchema,
  userReadiness,
} from "../../../shared/domain/readiness.ts";
import { certificate, inDays, iso, NOW, notReady, problem, ready, thumb, user } from "./records.ts";

/** "ready #n", or the reasons as "CODE#n" (n: the certificate's number) or "CODE" (user- or platform-wide). */
function show(p: PlatformReadiness): string {
  const n = (t: string) => Number.parseInt(t, 16);
  if (p.ready) return `ready #${n(p.certificate!)}`;
  return p.reasons.map((r) => (r.thumbprint ? `${r.code}#${n(r.thumbprint)}` : r.code)).join(" ");
}

function view(r: UserReadiness) {
  return {
    signingIOS: show(r.signing.iOS),
    signingAndroid: show(r.signing.android),
    encryptionIOS: show(r.encryption.iOS),
    encryptionAndroid: show(r.encryption.android),
    platforms: r.platforms.join(","),
    signingReady: r.signingReady,
    encryptionReady: r.encryptionReady,
    reasons: r.reasons.join(","),
  };
}

type View = ReturnType<typeof view>;

const everywhere = (signing: string, encryption: string) => ({
  signingIOS: signing,
  signingAndroid: signing,
  encryptionIOS: encryption,
  encryptionAndroid: encryption,
});

const cert = (n: number, overrides: Partial<CertificateRecord> = {}) =>
  certificate({ thumbprint: thumb(n), ...overrides });

describe("userReadiness", () => {
  const cases: readonly {
    name: string;
    certificates: readonly CertificateRecord[];
    user?: Partial<UserRecord>;
    driftedPlatforms?: ReadinessInput["driftedPlatforms"];
    expected: Partial<View>;
  }[] = [
    {
      name: "one imported dual-use certificate: ready for both, everywhere",
      certificates: [cert(1)],
      expected: {
        ...everywhere("ready #1", "ready #1"),
        platforms: "iOS,android",
        signingReady: true,
        encryptionReady: true,
        reasons: "",
      },
    },
    {
      name: "no certificates at all",
      certificates: [],
      expected: {
        ...everywhere("NO_CERTIFICATE", "NO_CERTIFICATE"),
        signingReady: false,
        encryptionReady: false,
        reasons: "NO_CERTIFICATE",
      },
    },
    {
      name: "a removed certificate does not count",
      certificates: [cert(1, { state: "removed" })],
      expected: { ...everywhere("NO_CERTIFICATE", "NO_CERTIFICATE"), reasons: "NO_CERTIFICATE" },
    },
    {
      name: "only a SCEP signing certificate: no encryption certificate",
      certificates: [cert(1, { purpose: "signing", sources: ["intuneScep"], encryption: undefined })],
      expected: { ...everywhere("ready #1", "NO_CERTIFICATE"), signingReady: true, encryptionReady: false },
    },
    {
      name: "a SCEP dual-use certificate signs but can't encrypt (rule 5)",
      certificates: [cert(1, { sources: ["intuneScep"] })],
      expected: {
        ...everywhere("ready #1", "ENCRYPTION_NOT_IMPORTED#1"),
        reasons: "ENCRYPTION_NOT_IMPORTED",
      },
    },
    {
      name: "an Intune PKCS (connector-minted) encryption key is not imported either",
      certificates: [cert(1, { purpose: "encryption", sources: ["intunePkcs"] })],
      expected: everywhere("NO_CERTIFICATE", "ENCRYPTION_NOT_IMPORTED#1"),
    },
    {
      name: "a certificate seen only in the directory is not on the user's devices as an imported key",
      certificates: [cert(1, { purpose: "encryption", sources: ["directory"] })],
      expected: everywhere("NO_CERTIFICATE", "ENCRYPTION_NOT_IMPORTED#1"),
    },
    {
      name: "a manual upload is imported",
      certificates: [cert(1, { purpose: "encryption", sources: ["manual"] })],
      expected: { ...everywhere("NO_CERTIFICATE", "ready #1"), encryptionReady: true },
    },
    {
      name: "the stored ENCRYPTION_NOT_IMPORTED is superseded by the sources (now also an imported PFX)",
      certificates: [
        cert(1, {
          sources: ["intuneScep", "intunePfx"],
          encryption: notReady(problem("ENCRYPTION_NOT_IMPORTED")),
        }),
      ],
      expected: everywhere("ready #1", "ready #1"),
    },
    {
      name: "all expired or revoked: every certificate's reason, each once",
      certificates: [
        cert(1, { state: "expired", notAfter: iso(inDays(-3)), signing: notReady(problem("EXPIRED")) }),
        cert(2, { state: "revoked", signing: notReady(problem("REVOKED"), problem("CRL_STALE")) }),
      ],
      expected: {
        ...everywhere("EXPIRED#1 REVOKED#2", "EXPIRED#1 REVOKED#2"),
        reasons: "EXPIRED,REVOKED",
      },
    },
    {
      name: "past notAfter but not rescanned yet: expired all the same",
      certificates: [cert(1, { state: "valid", notAfter: iso(inDays(-0.1)) })],
      expected: everywhere("EXPIRED#1", "EXPIRED#1"),
    },
    {
      name: "an expired certificate with a valid successor: ready with the successor",
      certificates: [cert(1, { state: "expired", notAfter: iso(inDays(-3)) }), cert(2)],
      expected: { ...everywhere("ready #2", "ready #2"), reasons: "" },
    },
    {
      name: "two usable certificates: the one that lasts longer is named",
      certificates: [
        cert(1, { notAfter: iso(inDays(100)) }),
        cert(2, { notAfter: iso(inDays(300)) }),
        cert(3),
      ],
      expected: everywhere("ready #3", "ready #3"),
    },
    {
      name: "metadata only, no verdict yet",
      certificates: [cert(1, { state: "discovered", signing: undefined, encryption: undefined })],
      expected: { ...everywhere("NOT_VALIDATED#1", "NOT_VALIDATED#1"), reasons: "NOT_VALIDATED" },
    },
    {
      name: "engine problems block the purpose they are under; warnings never",
      certificates: [
        cert(1, {
          state: "invalid",
          signing: ready(problem("NONCONFORMANT", {}, "warning")),
          encryption: notReady(problem("KEY_USAGE_ENCRYPTION"), problem("NONCONFORMANT", {}, "warning")),
        }),
      ],
      expected: { ...everywhere("ready #1", "KEY_USAGE_ENCRYPTION#1"), reasons: "KEY_USAGE_ENCRYPTION" },
    },
    {
      name: "a broken certificate beside a good one: ready, and the broken one's reasons are not listed",
      certificates: [cert(1, { state: "invalid", signing: notReady(problem("CRL_UNREACHABLE")) }), cert(2)],
      expected: { signingIOS: "ready #2", signingAndroid: "ready #2", reasons: "" },
    },
    {
      name: "readiness is per purpose: a dual-use certificate that can't sign still encrypts",
      certificates: [cert(1, { state: "invalid", signing: notReady(problem("KEY_USAGE_SIGNING")) })],
      expected: {
        ...everywhere("KEY_USAGE_SIGNING#1", "ready #1"),
        signingReady: false,
        encryptionReady: true,
      },
    },
    {
      name: "a certificate on hold is invalid, not revoked, and its REVOKED problem still blocks",
      certificates: [
        cert(1, {
          state: "invalid",
          signing: notReady(problem("REVOKED", { reason: "certificateHold" })),
          encryption: notReady(problem("REVOKED", { reason: "certificateHold" })),
        }),
      ],
      expected: { ...everywhere("REVOKED#1", "REVOKED#1"), signingReady: false, reasons: "REVOKED" },
    },
    {
      name: "an expired issuing CA blocks a certificate that has not expired itself",
      certificates: [cert(1, { state: "invalid", signing: notReady(problem("EXPIRED", { index: 1 })) })],
      expected: { signingIOS: "EXPIRED#1", encryptionIOS: "ready #1", signingReady: false },
    },
    {
      name: "a revoked certificate's other problems are noise: only REVOKED",
      certificates: [
        cert(1, { state: "revoked", signing: notReady(problem("REVOKED"), problem("CRL_STALE")) }),
      ],
      expected: everywhere("REVOKED#1", "REVOKED#1"),
    },
    {
      name: "the certificate names another address than the primary SMTP",
      certificates: [cert(1, { emailAddresses: ["alice@fabrikam.com"] })],
      expected: { ...everywhere("SMTP_MISMATCH#1", "SMTP_MISMATCH#1"), reasons: "SMTP_MISMATCH" },
    },
    {
      name: "the SMTP comparison ignores case",
      certificates: [cert(1, { emailAddresses: ["ALICE@contoso.COM"] })],
      expected: everywhere("ready #1", "ready #1"),
    },
    {
      name: "any of several addresses may match",
      certificates: [cert(1, { emailAddresses: ["a.smith@contoso.com", "alice@contoso.com"] })],
      expected: everywhere("ready #1", "ready #1"),
    },
    {
      name: "a stored SMTP_MISMATCH against an old address is stale once the current one matches",
      certificates: [
        cert(1, {
          signing: notReady(problem("SMTP_MISMATCH")),
          encryption: notReady(problem("SMTP_MISMATCH")),
        }),
      ],
      expected: everywhere("ready #1", "ready #1"),
    },
    {
      name: "without a known primary SMTP, a stored SMTP_MISMATCH stands",
      user: { primarySmtp: undefined },
      certificates: [cert(1, { signing: notReady(problem("SMTP_MISMATCH")) })],
      expected: everywhere("SMTP_MISMATCH#1", "ready #1"),
    },
    {
      name: "without a known primary SMTP and no stored mismatch, nothing to compare",
      user: { primarySmtp: undefined },
      certificates: [cert(1, { emailAddresses: ["someone@else.example"] })],
      expected: everywhere("ready #1", "ready #1"),
    },
    {
      name: "a disabled user is ready nowhere, whatever the certificates",
      user: { accountEnabled: false },
      certificates: [cert(1)],
      expected: {
        ...everywhere("USER_DISABLED", "USER_DISABLED"),
        signingReady: false,
        encryptionReady: false,
        reasons: "USER_DISABLED",
      },
    },
    {
      name: "a deleted user: deleted, not also disabled",
      user: { deleted: true, accountEnabled: false },
      certificates: [cert(1)],
      expected: { ...everywhere("USER_DELETED", "USER_DELETED"), reasons: "USER_DELETED" },
    },
    {
      name: "a disabled user without certificates: both reasons",
      user: { accountEnabled: false },
      certificates: [],
      expected: { ...everywhere("USER_DISABLED NO_CERTIFICATE", "USER_DISABLED NO_CERTIFICATE") },
    },
    {
      name: "delivered to iOS only: judged on iOS only",
      certificates: [cert(1, { platform: "iOS", deviceId: "iphone-1" })],
      expected: {
        signingIOS: "ready #1",
        signingAndroid: "NO_CERTIFICATE",
        encryptionIOS: "ready #1",
        encryptionAndroid: "NO_CERTIFICATE",
        platforms: "iOS",
        signingReady: true,
        encryptionReady: true,
        reasons: "",
      },
    },
    {
      name: "an Android delivery that Intune reports failed",
      certificates: [
        cert(1, { platform: "iOS" }),
        cert(2, {
          platform: "android",
          signing: notReady(problem("NOT_DELIVERED", { platform: "android" })),
          encryption: notReady(problem("NOT_DELIVERED", { platform: "android" })),
        }),
      ],
      expected: {
        ...{ signingIOS: "ready #1", encryptionIOS: "ready #1" },
        signingAndroid: "NOT_DELIVERED#2",
        encryptionAndroid: "NOT_DELIVERED#2",
        platforms: "iOS,android",
        signingReady: false,
        encryptionReady: false,
        reasons: "NOT_DELIVERED",
      },
    },
    {
      name: "a platform-wide certificate's NOT_DELIVERED on Android blocks Android only",
      certificates: [cert(1, { signing: notReady(problem("NOT_DELIVERED", { platform: "android" })) })],
      expected: {
        signingIOS: "ready #1",
        signingAndroid: "NOT_DELIVERED#1",
        signingReady: false,
        encryptionReady: true,
      },
    },
    {
      name: "a drifted Outlook policy on Android: both purposes blocked there",
      certificates: [cert(1)],
      driftedPlatforms: ["android"],
      expected: {
        signingIOS: "ready #1",
        signingAndroid: "POLICY_DRIFT",
        encryptionIOS: "ready #1",
        encryptionAndroid: "POLICY_DRIFT",
        signingReady: false,
        reasons: "POLICY_DRIFT",
      },
    },
    {
      name: "policy drift on a platform the user doesn't use is reported but not held against the summary",
      certificates: [cert(1, { platform: "iOS" })],
      driftedPlatforms: ["android"],
      expected: { signingAndroid: "POLICY_DRIFT NO_CERTIFICATE", signingReady: true, reasons: "" },
    },
    {
      name: "a stored POLICY_DRIFT problem for iOS blocks iOS",
      certificates: [cert(1, { encryption: notReady(problem("POLICY_DRIFT", { platform: "iOS" })) })],
      expected: { encryptionIOS: "POLICY_DRIFT#1", encryptionAndroid: "ready #1", encryptionReady: false },
    },
  ];

  it.each(cases)("$name", ({ certificates, user: u, driftedPlatforms, expected }) => {
    const result = userReadiness({
      user: user(u),
      certificates,
      now: NOW,
      ...(driftedPlatforms ? { driftedPlatforms } : {}),
    });
    expect(view(result)).toMatchObject(expected);
    expect(UserReadinessSchema.parse(result)).toEqual(result);
  });

  it("answers the route's shape: user, both purposes on both platforms, reasons with messages", () => {
    const result = userReadiness({
      user: user(),
      certificates: [cert(7, { sources: ["intuneScep"] })],
      now: NOW,
    });
    expect(result).toEqual({
      userId: "user-alice",
      userPrincipalName: "alice@contoso.com",
      signing: {
        iOS: { ready: true, certificate: thumb(7), reasons: [] },
        android: { ready: true, certificate: thumb(7), reasons: [] },
      },
      encryption: {
        iOS: {
          ready: false,
          reasons: [
            {
              code: "ENCRYPTION_NOT_IMPORTED",
              message: expect.stringContaining("intuneScep"),
              thumbprint: thumb(7),
            },
          ],
        },
        android: {
          ready: false,
          reasons: [
            {
              code: "ENCRYPTION_NOT_IMPORTED",
              message: expect.stringContaining("intuneScep"),
              thumbprint: thumb(7),
            },
          ],
        },
      },
      platforms: ["iOS", "android"],
      signingReady: true,
      encryptionReady: false,
      reasons: ["ENCRYPTION_NOT_IMPORTED"],
    });
    expect(UserReadinessSchema.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });
});

describe("platformsInUse", () => {
  it.each([
    { name: "no platform-specific certificate: both", certs: [cert(1)], expected: ["iOS", "android"] },
    { name: "none at all: both", certs: [], expected: ["iOS", "android"] },
    { name: "iOS only", certs: [cert(1, { platform: "iOS" }), cert(2)], expected: ["iOS"] },
    {
      name: "a removed Android one doesn't count",
      certs: [cert(1, { platform: "android", state: "removed" })],
      expected: ["iOS", "android"],
    },
    {
      name: "both",
      certs: [cert(1, { platform: "android" }), cert(2, { platform: "iOS" })],
      expected: ["iOS", "android"],
    },
  ])("$name", ({ certs, expected }) => {
    expect(platformsInUse(certs)).toEqual(expected);
  });
});
