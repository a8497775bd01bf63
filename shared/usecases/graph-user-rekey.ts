/**
 * Reconciling a user registered by hand before the directory knew them.
 *
 * `POST certificates` for a UPN the user sync has not brought yet creates the user under an id derived from
 * the UPN (register-certificate.ts `userIdForUpn`). When the directory later shows the real user — its
 * Entra object id — for that UPN, the derived user is **re-keyed** into it rather than kept beside it under
 * a mapping: Intune reports that person's certificates under the object id, the Service Bus session and the
 * inventory partition are per user id, and one person with two ids would get two readiness verdicts, each
 * missing half the certificates.
 *
 * Re-keying is expressed in the pipeline's own events, so the certificate processor stays the inventory's
 * single writer: each live certificate of the derived user is `certificate.discovered` again under the
 * object id (source, purpose and DER carried over, so it is validated as before) and `certificate.removed`
 * from the derived id. Both ids are content-derived: a rerun republishes the same events (dropped as
 * duplicates).
 */

import { z } from "zod";
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import { createEvent, type EnvelopeOptions } from "../contracts/events.ts";
import type { CertificateRecord, UserRecord } from "../contracts/rows.ts";
import type { Deps } from "./deps.ts";
import type { DirectoryUser } from "./graph-user-changes.ts";
import { userIdForUpn } from "./register-certificate.ts";

const Address = z.email();

/**
 * The stored user that a directory user replaces: the one holding the same UPN under the id derived from
 * it, not already retired. Asked for every directory user a round brings, not only new ones: a certificate
 * sync racing the first user sync can create the derived user just after the directory user was stored.
 * Users with another directory id are never merged (a UPN that moved from one person to another is two
 * people).
 */
export async function mergeableUser(
  deps: Pick<Deps, "users">,
  observed: DirectoryUser,
): Promise<UserRecord | undefined> {
  if (observed.kind !== "present") return undefined;
  const holder = await deps.users.findByUpn(observed.userPrincipalName);
  if (!holder || holder.userId === observed.id || holder.deleted) return undefined;
  return holder.userId === userIdForUpn(holder.userPrincipalName) ? holder : undefined;
}

/** For each live certificate of `merged`: discovered under `into`, removed from `merged`. */
export async function mergeEventsFor(
  deps: Pick<Deps, "certificates">,
  merged: UserRecord,
  into: string,
  options: EnvelopeOptions,
): Promise<CloudEventEnvelope[]> {
  const certificates = await deps.certificates.listByUser(merged.userId);
  return certificates
    .filter((c) => c.state !== "removed")
    .flatMap((c) => [
      createEvent("certificate.discovered", discoveredAgain(c, into), options),
      createEvent(
        "certificate.removed",
        { userId: c.userId, thumbprint: c.thumbprint, reason: `merged into directory user ${into}` },
        options,
      ),
    ]);
}

function discoveredAgain(c: CertificateRecord, into: string) {
  const smtp = c.smtp !== undefined && Address.safeParse(c.smtp).success ? c.smtp : undefined;
  return {
    userId: into,
    thumbprint: c.thumbprint,
    userPrincipalName: c.userPrincipalName,
    // A manual registration stays manual; whatever else saw it is seen again by its own sync.
    source: c.sources.includes("manual") ? ("manual" as const) : c.sources[0]!,
    purpose: c.purpose,
    ...(c.certificate !== undefined && { certificate: c.certificate }),
    ...(smtp !== undefined && { smtp }),
    ...(c.platform !== undefined && { platform: c.platform }),
    ...(c.deviceId !== undefined && { deviceId: c.deviceId }),
  };
}
