/**
 * `POST certificates`: an admin registers a manually distributed certificate; from then on it is tracked
 * like one Intune delivered (validated, watched for expiry and revocation).
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { CertificatePurpose, createEvent } from "../contracts/events.ts";
import { ConflictError } from "../errors.ts";
import { type Certificate, parseCertificate } from "../pki/certificate.ts";
import { extractCertificates, InputFormatError } from "../pki/formats.ts";
import type { Deps } from "./deps.ts";
import { eventSource } from "./deps.ts";
import { InputError, parseInput } from "./input-error.ts";
import { publishEvents } from "./publish-events.ts";

/** The request body (DESIGN.md "HTTP"); the route parses with it too, so both name the same fields. */
export const RegisterCertificateBody = z.object({
  userPrincipalName: z
    .string()
    .trim()
    .max(256)
    .regex(/^[^@\s]+@[^@\s]+$/, "a user principal name: user@domain"),
  /** PEM, or base64 DER. */
  certificate: z
    .string()
    .min(1)
    .max(64 * 1024),
  purpose: CertificatePurpose,
  smtp: z.email().optional(),
});
export type RegisterCertificateBody = z.infer<typeof RegisterCertificateBody>;

export interface RegisterCertificateInput extends RegisterCertificateBody {
  /** Who asked (the token's subject); logged, not part of the event's identity. */
  readonly requestedBy: string;
  readonly traceparent?: string;
}

export interface RegisterCertificateResult {
  readonly thumbprint: string;
  readonly userId: string;
  /** The certificate.discovered event's id: equal for a repeated registration. */
  readonly eventId: string;
}

export type RegisterCertificateDeps = Pick<Deps, "users" | "audit" | "bus" | "clock" | "logger">;

/**
 * Parses the certificate, resolves the user and publishes `certificate.discovered` (source manual).
 * @throws InputError naming the field when the body or the certificate cannot be read (nothing is stored)
 */
export async function registerCertificate(
  deps: RegisterCertificateDeps,
  input: RegisterCertificateInput,
): Promise<RegisterCertificateResult> {
  const body = parseInput(RegisterCertificateBody, input);
  const certificate = readCertificate(body.certificate);
  const now = deps.clock.now();
  const userId = await resolveUser(deps, body, now);
  const event = createEvent(
    "certificate.discovered",
    {
      userId,
      thumbprint: certificate.thumbprint,
      userPrincipalName: body.userPrincipalName,
      source: "manual",
      purpose: body.purpose,
      certificate: Buffer.from(certificate.der).toString("base64"),
      ...(body.smtp && { smtp: body.smtp }),
    },
    { source: eventSource("registerCertificate"), time: now, traceparent: input.traceparent },
  );
  await publishEvents(deps, [event]);
  deps.logger.info("certificate registered", {
    userId,
    thumbprint: certificate.thumbprint,
    eventId: event.id,
    requestedBy: input.requestedBy,
  });
  return { thumbprint: certificate.thumbprint, userId, eventId: event.id };
}

/** One certificate from PEM or base64 DER, or an InputError saying what the field holds instead. */
export function readCertificate(text: string): Certificate {
  const bytes = text.includes("-----BEGIN") ? new TextEncoder().encode(text) : base64(text);
  let ders: Uint8Array[];
  try {
    ders = extractCertificates(bytes, "certificate");
  } catch (e) {
    throw new InputError("certificate", e instanceof InputFormatError ? e.detail : String(e));
  }
  if (ders.length !== 1)
    throw new InputError(
      "certificate",
      `holds ${ders.length} certificates; send the user's certificate alone`,
    );
  try {
    return parseCertificate(ders[0]!);
  } catch (e) {
    throw new InputError(
      "certificate",
      `not a valid X.509 certificate (${e instanceof Error ? e.message : e})`,
    );
  }
}

function base64(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0)
    throw new InputError("certificate", "neither PEM nor base64 DER");
  return new Uint8Array(Buffer.from(compact, "base64"));
}

/**
 * The user's object id: the user store's record when the directory sync knows the UPN; otherwise an id
 * derived from the UPN, and a user record created for it.
 *
 * Derived, not random: concurrent registrations for one new user (an admin's bulk upload) must agree on
 * one id — the Service Bus session that orders the user's events, and the inventory's partition — without
 * a lock, and a retried request must publish the same event id. A UUID shape (version 8, RFC 9562) keeps
 * it valid wherever an Entra object id is expected.
 */
async function resolveUser(deps: RegisterCertificateDeps, body: RegisterCertificateBody, now: Date) {
  const known = await deps.users.findByUpn(body.userPrincipalName);
  if (known) return known.userId;
  const userId = userIdForUpn(body.userPrincipalName);
  try {
    await deps.users.put(
      {
        userId,
        userPrincipalName: body.userPrincipalName,
        ...(body.smtp && { primarySmtp: body.smtp }),
        accountEnabled: true,
        deleted: false,
        reasons: [],
        updatedAt: now.toISOString(),
      },
      { ifAbsent: true },
    );
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e; // a concurrent registration created it: same id
  }
  return userId;
}

/** A stable UUID (version 8) for a UPN, case-insensitive as UPNs are. */
export function userIdForUpn(userPrincipalName: string): string {
  const h = createHash("sha256").update(userPrincipalName.toLowerCase()).digest("hex");
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  // join, not a template: one flat string, where a template leaves a tree of nine pieces (and the 64-character
  // digest they slice) for every user a large sync derives an id for.
  return [
    h.slice(0, 8),
    h.slice(8, 12),
    `8${h.slice(13, 16)}`,
    `${variant}${h.slice(17, 20)}`,
    h.slice(20, 32),
  ].join("-");
}
