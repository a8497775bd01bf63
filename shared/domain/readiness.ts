/**
 * Per-user readiness: can the user sign, and can the user encrypt, in Outlook on iOS and on Android — judged
 * from all the user's certificates, with every reason when not. What `GET users/{upn}/readiness` answers and
 * what the user summary (`signingReady`, `encryptionReady`, `reasons`) stores.
 *
 * Decided by ordered chains of small pure checks (cert-manager's `policies.Chain`): user-wide gates first, then
 * each candidate certificate's checks. A purpose is ready on a platform when no gate fails and at least one
 * candidate passes every check.
 */
import type { CertificateRecord, UserRecord } from "../contracts/rows.ts";
import { ProblemCode } from "../pki/problems.ts";
import {
  blockingProblems,
  hasExpired,
  isImported,
  notAfterOf,
  PLATFORMS,
  type PlatformName,
  PURPOSES,
  type Purpose,
  problemPlatform,
  servesPurpose,
} from "./certificate-facts.ts";
import {
  type PlatformReadiness,
  type PurposeReadiness,
  ReadinessCode,
  type ReadinessReason,
  type UserReadiness,
} from "./readiness-schema.ts";
import { revocationRecommendations } from "./revocation-advice.ts";

export type {
  PlatformReadiness,
  PurposeReadiness,
  ReadinessReason,
  UserReadiness,
} from "./readiness-schema.ts";
export { ReadinessCode, UserReadinessSchema } from "./readiness-schema.ts";

export interface ReadinessInput {
  readonly user: Pick<
    UserRecord,
    "userId" | "userPrincipalName" | "primarySmtp" | "accountEnabled" | "deleted" | "directory"
  >;
  /** All the user's certificate records (removed ones are ignored). */
  readonly certificates: readonly CertificateRecord[];
  readonly now: Date;
  /** Platforms whose Outlook app configuration policy drifted from the S/MIME settings (`policy.drifted`). */
  readonly driftedPlatforms?: readonly PlatformName[];
}

interface Context {
  readonly input: ReadinessInput;
  readonly purpose: Purpose;
  readonly platform: PlatformName;
}

type Gate = (ctx: Context) => ReadinessReason | undefined;

/** User- and platform-wide gates: any of them fails the purpose on the platform, whatever the certificates. */
const GATES: readonly Gate[] = [
  ({ input }) =>
    input.user.deleted
      ? { code: ReadinessCode.USER_DELETED, message: `${input.user.userPrincipalName} is deleted` }
      : undefined,
  ({ input }) =>
    input.user.deleted || input.user.accountEnabled
      ? undefined
      : { code: ReadinessCode.USER_DISABLED, message: `${input.user.userPrincipalName} is disabled` },
  ({ input, platform }) =>
    input.driftedPlatforms?.includes(platform)
      ? {
          code: ProblemCode.POLICY_DRIFT,
          message: `the Outlook app configuration policy for ${platform} no longer deploys S/MIME as expected`,
        }
      : undefined,
];

/** One check of one certificate; `final` checks end the chain when they fail (nothing after them matters). */
interface CertificateCheck {
  readonly final?: boolean;
  readonly run: (ctx: Context, record: CertificateRecord) => readonly Omit<ReadinessReason, "thumbprint">[];
}

const when = (failed: boolean, code: ReadinessCode, message: string) => (failed ? [{ code, message }] : []);

const smtpMatches = (record: CertificateRecord, smtp: string) =>
  record.emailAddresses.some((a) => a.toLowerCase() === smtp.toLowerCase());

/** Whether the domain can judge the SMTP match itself (then a stored SMTP_MISMATCH from an older address is stale). */
const smtpJudgeable = (ctx: Context, record: CertificateRecord) =>
  ctx.input.user.primarySmtp !== undefined && record.emailAddresses.length > 0;

/**
 * Codes the checks above decide from current facts (the sources), so the stored verdict's copies may be stale.
 * REVOKED and EXPIRED are not among them: a stored one that did not make the record revoked or expired is
 * about something else (a certificateHold, an expired CA) and still blocks.
 */
const RECOMPUTED: readonly ProblemCode[] = [ProblemCode.ENCRYPTION_NOT_IMPORTED];

const CERTIFICATE_CHECKS: readonly CertificateCheck[] = [
  {
    final: true,
    run: (_, r) => when(r.state === "revoked", ProblemCode.REVOKED, "the certificate is revoked"),
  },
  {
    final: true,
    run: ({ input }, r) => {
      const notAfter = notAfterOf(r);
      const expired = r.state === "expired" || (notAfter !== undefined && hasExpired(notAfter, input.now));
      return when(
        expired,
        ProblemCode.EXPIRED,
        `the certificate expired${r.notAfter ? ` on ${r.notAfter}` : ""}`,
      );
    },
  },
  {
    final: true,
    run: ({ purpose }, r) =>
      when(
        r[purpose] === undefined,
        ReadinessCode.NOT_VALIDATED,
        `the certificate has no ${purpose} verdict yet`,
      ),
  },
  {
    run: ({ purpose }, r) =>
      when(
        purpose === "encryption" && !isImported(r),
        ProblemCode.ENCRYPTION_NOT_IMPORTED,
        `an encryption key must be imported (PFX or manual upload) so every device can read old mail; this one came from ${r.sources.join(", ")}`,
      ),
  },
  {
    run: (ctx, r) => {
      const smtp = ctx.input.user.primarySmtp;
      return when(
        smtp !== undefined && smtpJudgeable(ctx, r) && !smtpMatches(r, smtp),
        ProblemCode.SMTP_MISMATCH,
        `the certificate names ${r.emailAddresses.join(", ")}, not the primary SMTP address ${smtp}`,
      );
    },
  },
  {
    // The engine's and the pipeline's stored problems for this purpose that concern this platform
    // (NOT_DELIVERED and POLICY_DRIFT carry a `platform` detail; the rest concern every platform).
    run: (ctx, r) =>
      blockingProblems(r, ctx.purpose)
        .filter((p) => !RECOMPUTED.includes(p.code))
        .filter((p) => !(p.code === ProblemCode.SMTP_MISMATCH && smtpJudgeable(ctx, r)))
        .filter((p) => {
          const platform = problemPlatform(p);
          return platform === undefined || platform === ctx.platform;
        })
        .map((p) => ({ code: p.code, message: p.message })),
  },
];

function certificateReasons(ctx: Context, record: CertificateRecord): ReadinessReason[] {
  const reasons: ReadinessReason[] = [];
  for (const check of CERTIFICATE_CHECKS) {
    const found = check.run(ctx, record);
    for (const reason of found) {
      if (!reasons.some((r) => r.code === reason.code && r.message === reason.message))
        reasons.push({ ...reason, thumbprint: record.thumbprint });
    }
    if (check.final && found.length > 0) break;
  }
  return reasons;
}

/** A certificate reaches a platform when it is not platform-specific or was delivered to that platform. */
const reachesPlatform = (record: CertificateRecord, platform: PlatformName) =>
  record.platform === undefined || record.platform === platform;

const candidatesFor = (ctx: Context) =>
  ctx.input.certificates.filter(
    (r) => r.state !== "removed" && servesPurpose(r.purpose, ctx.purpose) && reachesPlatform(r, ctx.platform),
  );

const lastsLongest = (a: CertificateRecord, b: CertificateRecord) =>
  (notAfterOf(b)?.getTime() ?? 0) - (notAfterOf(a)?.getTime() ?? 0);

/**
 * Senders encrypt to the certificate they find in the directory (DESIGN.md rule 7), so the user's current
 * encryption certificate — the usable one readiness picks — must be published there, or mail encrypted to
 * the user uses an old key or cannot be encrypted at all. Judged only when checkDirectory has read the
 * user's entry (`user.directory`); an org without an LDAP directory publishes through the GAL instead.
 */
export function publicationReason(
  user: ReadinessInput["user"],
  current: CertificateRecord,
): ReadinessReason | undefined {
  const directory = user.directory;
  if (directory === undefined || directory.published.includes(current.thumbprint)) return undefined;
  const where =
    directory.entry === undefined
      ? `the directory has no entry for ${user.userPrincipalName}`
      : `the directory entry ${directory.entry} does not publish it`;
  return {
    code: ProblemCode.NOT_PUBLISHED_FOR_RECIPIENTS,
    message: `senders cannot find the current encryption certificate: ${where} (so since ${directory.since})`,
    thumbprint: current.thumbprint,
  };
}

function platformReadiness(ctx: Context): PlatformReadiness {
  const gates = GATES.map((gate) => gate(ctx)).filter((r): r is ReadinessReason => r !== undefined);
  const candidates = candidatesFor(ctx);
  const judged = candidates.map((record) => ({ record, reasons: certificateReasons(ctx, record) }));
  const usable = judged
    .filter((j) => j.reasons.length === 0)
    .map((j) => j.record)
    .sort(lastsLongest);
  const best = usable[0];
  const unpublished =
    best && ctx.purpose === "encryption" ? publicationReason(ctx.input.user, best) : undefined;
  const blockers = unpublished ? [...gates, unpublished] : gates;
  if (blockers.length === 0 && best) return { ready: true, certificate: best.thumbprint, reasons: [] };
  const none: ReadinessReason[] =
    candidates.length === 0
      ? [
          {
            code: ReadinessCode.NO_CERTIFICATE,
            message: `no ${ctx.purpose} certificate reaches ${ctx.platform}`,
          },
        ]
      : [];
  return {
    ready: false,
    reasons: [...blockers, ...none, ...(best ? [] : judged.flatMap((j) => j.reasons))],
  };
}

/** The platforms a user's certificates are delivered to; both when none is platform-specific. */
export function platformsInUse(certificates: readonly CertificateRecord[]): readonly PlatformName[] {
  const used = PLATFORMS.filter((p) => certificates.some((r) => r.state !== "removed" && r.platform === p));
  return used.length > 0 ? used : PLATFORMS;
}

/** A user's readiness for signing and encryption on iOS and Android, with every reason. Pure. */
export function userReadiness(input: ReadinessInput): UserReadiness {
  const byPurpose = (purpose: Purpose): PurposeReadiness => ({
    iOS: platformReadiness({ input, purpose, platform: "iOS" }),
    android: platformReadiness({ input, purpose, platform: "android" }),
  });
  const signing = byPurpose("signing");
  const encryption = byPurpose("encryption");
  const platforms = platformsInUse(input.certificates);
  const readyOn = (verdicts: PurposeReadiness) => platforms.every((p) => verdicts[p].ready);
  const advice = revocationRecommendations(input.user, input.certificates, input.now);
  const reasons = new Set<ReadinessCode>();
  for (const purpose of PURPOSES)
    for (const platform of platforms)
      for (const reason of (purpose === "signing" ? signing : encryption)[platform].reasons)
        reasons.add(reason.code);
  return {
    userId: input.user.userId,
    userPrincipalName: input.user.userPrincipalName,
    signing,
    encryption,
    platforms: [...platforms],
    signingReady: readyOn(signing),
    encryptionReady: readyOn(encryption),
    reasons: [...reasons],
    ...(advice.length > 0 && { revocationRecommended: advice }),
  };
}
