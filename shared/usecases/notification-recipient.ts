/**
 * Who a notice is for: the inventory's user record (language, address, name), or, for a user the directory
 * sync has not stored yet (a certificate from Intune can arrive before its owner's first delta round), the
 * user as Graph has it now. Only a user neither knows is a permanent failure.
 */
import type { UserRecord } from "../contracts/rows.ts";
import { primarySmtp } from "../domain/primary-smtp.ts";
import { PermanentError } from "../errors.ts";
import type { GraphDirectory, UserStore } from "../ports.ts";

export type Recipient = Pick<
  UserRecord,
  "userId" | "displayName" | "primarySmtp" | "preferredLanguage" | "accountEnabled" | "deleted"
>;

/** @throws PermanentError when neither the inventory nor Graph knows the user */
export async function recipientOf(
  deps: { readonly users: Pick<UserStore, "get">; readonly graph: Pick<GraphDirectory, "getUser"> },
  userId: string,
): Promise<Recipient> {
  const stored = (await deps.users.get(userId))?.value;
  if (stored) return stored;
  const user = await deps.graph.getUser(userId);
  if (!user) throw new PermanentError(`notification for unknown user ${userId}`);
  const address = primarySmtp(user);
  return {
    userId,
    accountEnabled: user.accountEnabled ?? true,
    deleted: false,
    ...(user.displayName ? { displayName: user.displayName } : {}),
    ...(address ? { primarySmtp: address } : {}),
    ...(user.preferredLanguage ? { preferredLanguage: user.preferredLanguage } : {}),
  };
}
