/**
 * What one directory observation of a user (a users/delta entry, or a fresh read after a change
 * notification) means for the pipeline: the user record to store, and the `user.changed` facts to announce.
 * Pure: the stored record and the time come in, nothing is read or written here.
 */
import { z } from "zod";
import type { EventData } from "../contracts/events.ts";
import type { UserRecord } from "../contracts/rows.ts";
import { primarySmtp, sameAddress } from "../domain/primary-smtp.ts";
import { canonicalJson } from "./certificate-changes.ts";

/** A user as the directory shows it now: present (with its selected properties), or removed. */
export type DirectoryUser =
  | {
      readonly kind: "present";
      readonly id: string;
      readonly userPrincipalName: string;
      readonly displayName?: string | null;
      readonly mail?: string | null;
      readonly proxyAddresses?: readonly string[] | null;
      /** Absent when the caller may not read it; then the stored value stands. */
      readonly accountEnabled?: boolean | null;
      readonly preferredLanguage?: string | null;
    }
  | {
      readonly kind: "removed";
      readonly id: string;
    };

export type UserChange = EventData<"user.changed">;

export interface UserDecision {
  /** The record to write, when it differs from the stored one (readiness summary kept). */
  readonly record?: UserRecord;
  /** The facts to publish as `user.changed`, in a stable order. */
  readonly changes: readonly UserChange[];
}

const Address = z.email();

/**
 * Compares the directory's view of a user with the stored record.
 *
 * - A user seen for the first time is stored and announces nothing: no certificate can have been checked
 *   against an address the pipeline never knew. (A user known only from a certificate has a stub record,
 *   so its first real address *is* announced, and its certificates are re-checked against it.)
 * - A changed primary SMTP address (case aside: Exchange compares without it), a disabled or re-enabled
 *   account, a removed user each announce one `user.changed`.
 * - A removed user that comes back (restored from the recycle bin within its 30 days) is stored as present
 *   again and announced as `enabled` when its account is, so its readiness is recomputed.
 * - Display name, UPN and preferred language are stored without an event: no verdict depends on them.
 */
export function decideUserChange(
  stored: UserRecord | undefined,
  observed: DirectoryUser,
  now: Date,
): UserDecision {
  const at = now.toISOString();
  if (observed.kind === "removed") {
    if (!stored || stored.deleted) return { changes: [] };
    return {
      record: { ...stored, deleted: true, updatedAt: at },
      changes: [
        {
          userId: stored.userId,
          userPrincipalName: stored.userPrincipalName,
          change: "deleted",
          ...address("primarySmtp", stored.primarySmtp),
          observedAt: at,
        },
      ],
    };
  }
  const smtp = primarySmtp(observed);
  const enabled = observed.accountEnabled ?? stored?.accountEnabled ?? true;
  // A property the directory cleared disappears from the record rather than keeping its old value.
  const next = withoutUndefined<UserRecord>({
    ...(stored ?? { reasons: [] }),
    userId: observed.id,
    userPrincipalName: observed.userPrincipalName,
    displayName: observed.displayName ?? undefined,
    primarySmtp: smtp,
    preferredLanguage: observed.preferredLanguage ?? undefined,
    accountEnabled: enabled,
    deleted: false,
    updatedAt: at,
  });
  if (!stored) return { record: next, changes: [] };
  const base = { userId: observed.id, userPrincipalName: observed.userPrincipalName, observedAt: at };
  const changes: UserChange[] = [];
  if (!sameAddress(smtp, stored.primarySmtp))
    changes.push({
      ...base,
      change: "primarySmtpChanged",
      ...address("primarySmtp", smtp),
      ...address("previousPrimarySmtp", stored.primarySmtp),
    });
  const wasActive = stored.accountEnabled && !stored.deleted;
  if (wasActive && !enabled) changes.push({ ...base, change: "disabled", ...address("primarySmtp", smtp) });
  if (!wasActive && enabled) changes.push({ ...base, change: "enabled", ...address("primarySmtp", smtp) });
  const same = canonicalJson({ ...next, updatedAt: "" }) === canonicalJson({ ...stored, updatedAt: "" });
  return same ? { changes } : { record: next, changes };
}

/** `{key: value}` for a valid e-mail address, `{}` otherwise: the event schema takes addresses only. */
function address<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value !== undefined && Address.safeParse(value).success
    ? ({ [key]: value } as Record<K, string>)
    : {};
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
