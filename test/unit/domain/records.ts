/**
 * Fixture builders for the domain tests: inventory records with sensible, ready defaults at fixed dates,
 * overridden per case. Every record is parsed with the stored schema, so a fixture can't drift from it.
 */
import { CertificateRecord, UserRecord } from "../../../shared/contracts/rows.ts";
import type { PurposeVerdict } from "../../../shared/contracts/validation-report.ts";
import type { ProblemCode } from "../../../shared/pki/problems.ts";

export const NOW = new Date("2026-11-28T12:00:00.000Z");
export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** `NOW` moved by a number of days (fractions allowed) plus optional milliseconds. */
export const inDays = (days: number, ms = 0): Date => new Date(NOW.getTime() + days * DAY + ms);
export const iso = (date: Date): string => date.toISOString();

/** A distinct, valid thumbprint per number: `thumb(1)` = "000…01". */
export const thumb = (n: number): string => n.toString(16).toUpperCase().padStart(40, "0");

export type Problem = PurposeVerdict["problems"][number];

export const problem = (
  code: ProblemCode,
  detail: Record<string, unknown> = {},
  severity: "error" | "warning" = "error",
): Problem => ({ code, severity, message: `${code.toLowerCase()} ${JSON.stringify(detail)}`, ...detail });

export const ready = (...warnings: Problem[]): PurposeVerdict => ({ ready: true, problems: warnings });
export const notReady = (...problems: Problem[]): PurposeVerdict => ({ ready: false, problems });

export function certificate(overrides: Partial<CertificateRecord> = {}): CertificateRecord {
  return CertificateRecord.parse({
    userId: "user-alice",
    thumbprint: thumb(1),
    userPrincipalName: "alice@contoso.com",
    sources: ["intunePfx"],
    purpose: "both",
    state: "valid",
    notAfter: iso(inDays(365)),
    notBefore: iso(inDays(-30)),
    emailAddresses: ["alice@contoso.com"],
    signing: ready(),
    encryption: ready(),
    thresholdsAnnounced: [],
    revision: 1,
    updatedAt: iso(NOW),
    ...overrides,
  });
}

export function user(overrides: Partial<UserRecord> = {}): UserRecord {
  return UserRecord.parse({
    userId: "user-alice",
    userPrincipalName: "alice@contoso.com",
    primarySmtp: "Alice@Contoso.com",
    accountEnabled: true,
    deleted: false,
    updatedAt: iso(NOW),
    ...overrides,
  });
}
