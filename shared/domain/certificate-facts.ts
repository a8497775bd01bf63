/**
 * Small facts about one inventory record that several rules share: which purposes it serves, whether its key
 * was imported, when it expires, which of its problems block a purpose on a platform.
 */

import type { z } from "zod";
import type { CertificatePurpose, Platform } from "../contracts/events.ts";
import type { CertificateRecord } from "../contracts/rows.ts";
import type { PurposeVerdict } from "../contracts/validation-report.ts";

export type Purpose = "signing" | "encryption";
export type PlatformName = z.infer<typeof Platform>;
export type CertificatePurposeName = z.infer<typeof CertificatePurpose>;
export type RecordProblem = PurposeVerdict["problems"][number];

export const PURPOSES: readonly Purpose[] = ["signing", "encryption"];
export const PLATFORMS: readonly PlatformName[] = ["iOS", "android"];

export const DAY_MS = 86_400_000;

/** A "both" certificate serves signing and encryption; the others serve what they say. */
export function servesPurpose(declared: CertificatePurposeName, purpose: Purpose): boolean {
  return declared === "both" || declared === purpose;
}

/** The purposes a declared purpose stands for. */
export function purposesOf(declared: CertificatePurposeName): readonly Purpose[] {
  return declared === "both" ? PURPOSES : [declared];
}

/**
 * Imported: the key came from an imported PFX (Intune "PKCS imported certificate") or a manual upload, so every
 * device holds the same key and its history. DESIGN.md rule 5: only such a key keeps old mail readable, so an
 * encryption certificate must be imported; SCEP and Intune-PKCS keys are minted per device.
 */
export function isImported(record: Pick<CertificateRecord, "sources">): boolean {
  return record.sources.some((s) => s === "intunePfx" || s === "manual");
}

/** The record's notAfter as a Date, or undefined when not known yet (Intune metadata without the certificate). */
export function notAfterOf(record: Pick<CertificateRecord, "notAfter">): Date | undefined {
  return record.notAfter === undefined ? undefined : new Date(record.notAfter);
}

/**
 * Whether `notAfter` has passed at `now`. RFC 5280 §4.1.2.5: a certificate is valid through its notAfter
 * second, inclusive; `now` is floored to its second as the engine does (shared/pki/path-validation.ts), so the
 * lifecycle and the engine never disagree about the same instant.
 */
export function hasExpired(notAfter: Date, now: Date): boolean {
  return Math.floor(now.getTime() / 1000) * 1000 > notAfter.getTime();
}

/** The platform a problem is about (`platform` detail field), or undefined when it concerns every platform. */
export function problemPlatform(problem: RecordProblem): PlatformName | undefined {
  const platform = problem["platform"];
  return platform === "iOS" || platform === "android" ? platform : undefined;
}

/** Error-severity problems of a record's verdict for one purpose (warnings never block). */
export function blockingProblems(
  record: Pick<CertificateRecord, "signing" | "encryption">,
  purpose: Purpose,
): readonly RecordProblem[] {
  return (record[purpose]?.problems ?? []).filter((p) => p.severity === "error");
}
