/**
 * onCertificateEvent's handling of `user.changed`: the user's directory record changed (a new primary SMTP
 * address, disabled, enabled, deleted).
 */
import { createEvent, type EventData, type PipelineEvent } from "../contracts/events.ts";
import type { UserRecord } from "../contracts/rows.ts";
import { canonicalJson } from "./certificate-changes.ts";
import { withConflictRetry } from "./conflict-retry.ts";
import { eventSource } from "./deps.ts";
import type { ProcessCertificateEventDeps, ProcessOutcome } from "./process-certificate-event.ts";
import { publishEvents } from "./publish-events.ts";
import { refreshReadiness } from "./refresh-readiness.ts";

const SOURCE = eventSource("onCertificateEvent");

/**
 * A user's directory change: the user record follows it, a new primary SMTP address re-validates every
 * certificate of the user (SMTP_MISMATCH depends on it), and the readiness summary is refreshed (a disabled
 * or deleted user is not ready). The re-validation requests are published on every delivery — their ids
 * come from the change — so a crash after the user write loses none of them.
 */
export async function processUserChanged(
  deps: ProcessCertificateEventDeps,
  event: PipelineEvent & { type: "user.changed" },
): Promise<ProcessOutcome> {
  const now = deps.clock.now();
  const d = event.data;
  const result = await withConflictRetry(`user ${d.userId}`, async () => {
    const stored = await deps.users.get(d.userId);
    const next = applyUserChange(stored?.value, d, now);
    if (
      stored &&
      canonicalJson({ ...next, updatedAt: "" }) === canonicalJson({ ...stored.value, updatedAt: "" })
    )
      return "unchanged" as const;
    await deps.users.put(next, stored ? { ifMatch: stored.etag } : { ifAbsent: true });
    return "changed" as const;
  });
  const requests =
    d.change === "primarySmtpChanged"
      ? (await deps.certificates.listByUser(d.userId))
          .filter((c) => c.state !== "removed" && c.state !== "revoked")
          .map((c) =>
            createEvent(
              "certificate.revalidationRequested",
              {
                userId: c.userId,
                thumbprint: c.thumbprint,
                reason: `user.changed ${d.change}`,
                requestedAt: d.observedAt,
              },
              { source: SOURCE, time: now },
            ),
          )
      : [];
  await publishEvents(deps, requests);
  await refreshReadiness(deps, d, now);
  deps.logger.info("user changed", { eventId: event.id, userId: d.userId, change: d.change, result });
  return { eventId: event.id, type: event.type, result, published: requests.length };
}

function applyUserChange(
  stored: UserRecord | undefined,
  d: EventData<"user.changed">,
  now: Date,
): UserRecord {
  const base: UserRecord = stored ?? {
    userId: d.userId,
    userPrincipalName: d.userPrincipalName,
    accountEnabled: true,
    deleted: false,
    reasons: [],
    updatedAt: now.toISOString(),
  };
  const change: Partial<UserRecord> =
    d.change === "primarySmtpChanged"
      ? d.primarySmtp === undefined
        ? {}
        : { primarySmtp: d.primarySmtp }
      : d.change === "disabled"
        ? { accountEnabled: false }
        : d.change === "enabled"
          ? { accountEnabled: true }
          : { deleted: true };
  return { ...base, userPrincipalName: d.userPrincipalName, ...change, updatedAt: now.toISOString() };
}
