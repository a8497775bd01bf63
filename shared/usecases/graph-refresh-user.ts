/**
 * onCertificateEvent's handling of `user.refreshRequested`: a change notification said a user changed;
 * the user is read from Graph now and what changed is applied like a delta entry (`user.changed` for a new
 * primary SMTP address, a disabled, enabled or deleted account).
 *
 * Reading the user at processing time, rather than trusting the notification, makes the order and number
 * of notifications irrelevant: however many arrive, and in whatever order, the last refresh sees the
 * directory as it is. A user Graph no longer finds (404) has been deleted.
 */
import type { PipelineEvent } from "../contracts/events.ts";
import type { GraphDirectory } from "../ports.ts";
import { type ApplyDirectoryUserDeps, applyDirectoryUser } from "./graph-user-apply.ts";
import type { DirectoryUser } from "./graph-user-changes.ts";
import type { ProcessOutcome } from "./process-certificate-event.ts";

export type RefreshUserDeps = ApplyDirectoryUserDeps & { readonly graph: Pick<GraphDirectory, "getUser"> };

/**
 * @throws RetryableError when Graph is throttling or unavailable (the bus redelivers the message)
 * @throws PermanentError when Graph refuses the read (no permission): retrying cannot help
 */
export async function processUserRefreshRequested(
  deps: RefreshUserDeps,
  event: PipelineEvent & { type: "user.refreshRequested" },
): Promise<ProcessOutcome> {
  const { userId } = event.data;
  const user = await deps.graph.getUser(userId);
  const observed: DirectoryUser = user
    ? {
        kind: "present",
        id: user.id,
        userPrincipalName: user.userPrincipalName,
        mail: user.mail ?? null,
        proxyAddresses: user.proxyAddresses,
        ...(user.accountEnabled !== undefined && { accountEnabled: user.accountEnabled }),
        displayName: user.displayName ?? null,
        preferredLanguage: user.preferredLanguage ?? null,
      }
    : { kind: "removed", id: userId };
  const applied = await applyDirectoryUser(deps, observed, deps.clock.now(), "onCertificateEvent");
  deps.logger.info("user refreshed from Graph", {
    eventId: event.id,
    userId,
    found: user !== undefined,
    changes: applied.changes,
  });
  return {
    eventId: event.id,
    type: event.type,
    result: applied.written || applied.changes.length > 0 ? "changed" : "unchanged",
    published: applied.changes.length,
  };
}
