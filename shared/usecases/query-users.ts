/**
 * `GET users?state=&limit=`: users with their readiness summary (refreshed by onCertificateEvent whenever
 * one of their certificates changes), for ops looking for users about to lose S/MIME.
 */
import { z } from "zod";
import type { UserRecord } from "../contracts/rows.ts";
import type { Deps } from "./deps.ts";
import { parseInput } from "./input-error.ts";

/** The summary state of a user: ready for signing and encryption, not, or not known yet (no verdict). */
export const UserReadinessState = z.enum(["ready", "notReady", "unknown"]);
export type UserReadinessState = z.infer<typeof UserReadinessState>;

/** The query string (values arrive as strings; the route passes them as they are). */
export const QueryUsersInput = z.object({
  state: UserReadinessState.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type QueryUsersInput = z.input<typeof QueryUsersInput>;

export interface UserSummary {
  readonly userId: string;
  readonly userPrincipalName: string;
  readonly displayName?: string;
  readonly primarySmtp?: string;
  readonly state: UserReadinessState;
  readonly signingReady?: boolean;
  readonly encryptionReady?: boolean;
  /** Problem codes that keep the user from being ready. */
  readonly reasons: readonly string[];
  readonly updatedAt: string;
}

export type QueryUsersDeps = Pick<Deps, "users">;

/**
 * Users (not deleted) in UPN order, filtered by state, at most `limit`.
 * @throws InputError naming the bad query field
 */
export async function queryUsers(
  deps: QueryUsersDeps,
  input: QueryUsersInput,
): Promise<{ users: UserSummary[] }> {
  const query = parseInput(QueryUsersInput, input);
  const users: UserSummary[] = [];
  for await (const user of deps.users.scan()) {
    if (user.deleted) continue;
    const summary = summarize(user);
    if (query.state === undefined || summary.state === query.state) users.push(summary);
  }
  users.sort((a, b) => a.userPrincipalName.localeCompare(b.userPrincipalName));
  return { users: users.slice(0, query.limit) };
}

export function readinessState(
  user: Pick<UserRecord, "signingReady" | "encryptionReady">,
): UserReadinessState {
  if (user.signingReady === undefined && user.encryptionReady === undefined) return "unknown";
  return user.signingReady === true && user.encryptionReady === true ? "ready" : "notReady";
}

function summarize(user: UserRecord): UserSummary {
  return {
    userId: user.userId,
    userPrincipalName: user.userPrincipalName,
    ...(user.displayName !== undefined && { displayName: user.displayName }),
    ...(user.primarySmtp !== undefined && { primarySmtp: user.primarySmtp }),
    state: readinessState(user),
    ...(user.signingReady !== undefined && { signingReady: user.signingReady }),
    ...(user.encryptionReady !== undefined && { encryptionReady: user.encryptionReady }),
    reasons: user.reasons,
    updatedAt: user.updatedAt,
  };
}
