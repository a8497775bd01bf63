/**
 * onCertificateEvent's handling of `user.changed`: the user's directory record changed (a new primary SMTP
 * address, disabled, enabled, deleted).
 */
import { createEvent, type EventData, type PipelineEvent } from "../contracts/events.ts";
import type { UserRecord } from "../contracts/rows.ts";
import { revocationRecommendations } from "../domain/revocation-advice.ts";
import { canonicalJson } from "./certificate-changes.ts";
import { withConflictRetry } from "./conflict-retry.ts";
import { eventSource } from "./deps.ts";
import type { ProcessCertificateEventDeps, ProcessOutcome } from "./process-certificate-event.ts";
import { publishEvents } from "./publish-events.ts";
import { refreshReadiness } from "./refresh-readiness.ts";

const SOURCE = eventSource("onCertificateEvent");

/**
 * A user's directory change: the user record follows it, every live certificate of the user is re-validated
 * (a new primary SMTP address makes or clears SMTP_MISMATCH; a departure or a return changes what is advised
 * for the certificates), and the readiness summary is refreshed (a disabled or deleted user is not ready).
 * The re-validation requests are published on every delivery — their ids come from the change — so a crash
 * after the user write loses none of them; being events, they are the audit ledger's line per certificate.
 *
 * A departed (disabled or deleted) user's certificates are recommended for revocation: readiness shows it per
 * certificate while the departure lasts (shared/domain/revocation-advice.ts), and each is logged here once per
 * change as `certificate.revocationRecommended`. Enabling the account withdraws the advice.
 */
export async function processUserChanged(
  deps: ProcessCertificateEventDeps,
  event: PipelineEvent & { type: "user.changed" },
): Promise<ProcessOutcome> {
  const now = deps.clock.now();
  const d = event.data;
  const { result, user } = await withConflictRetry(`user ${d.userId}`, async () => {
    const stored = await deps.users.get(d.userId);
    const next = applyUserChange(stored?.value, d, now);
    if (
      stored &&
      canonicalJson({ ...next, updatedAt: "" }) === canonicalJson({ ...stored.value, updatedAt: "" })
    )
      return { result: "unchanged" as const, user: stored.value };
    await deps.users.put(next, stored ? { ifMatch: stored.etag } : { ifAbsent: true });
    return { result: "changed" as const, user: next };
  });
  const live = (await deps.certificates.listByUser(d.userId)).filter(
    (c) => c.state !== "removed" && c.state !== "revoked",
  );
  const advice = revocationRecommendations(user, live, now);
  const advised = new Set(advice.map((a) => a.thumbprint));
  const requests = live.map((c) =>
    createEvent(
      "certificate.revalidationRequested",
      {
        userId: c.userId,
        thumbprint: c.thumbprint,
        reason: `user.changed ${d.change}${advised.has(c.thumbprint) ? ": revocation recommended" : ""}`,
        requestedAt: d.observedAt,
      },
      { source: SOURCE, time: now },
    ),
  );
  await publishEvents(deps, requests);
  for (const a of advice)
    deps.logger.warn("certificate.revocationRecommended", {
      userId: d.userId,
      upn: d.userPrincipalName,
      thumbprint: a.thumbprint,
      reason: a.reason,
    });
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
