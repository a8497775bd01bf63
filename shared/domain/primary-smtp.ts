/**
 * A user's primary SMTP address: the address Outlook and Exchange Online match a certificate against
 * (DESIGN.md rule 3). Pure.
 *
 * Exchange keeps every address of a mailbox in `proxyAddresses`, each with a type prefix: `SMTP:` in upper
 * case marks the one primary (reply) address, `smtp:` in lower case the secondary ones, and other types
 * (`X500:`, `SIP:`, `x400:`) are not e-mail addresses at all. A user without a mailbox has no proxy
 * addresses; then `mail` is what Entra ID shows.
 */
import { z } from "zod";

/** The Graph user properties the primary address is read from. */
export interface AddressFacts {
  readonly mail?: string | null;
  readonly proxyAddresses?: readonly string[] | null;
}

const PRIMARY_PREFIX = "SMTP:";
const Address = z.email();

/**
 * The `SMTP:` proxy address (the prefix in upper case, exactly), else `mail`, else undefined. A value that
 * is not an e-mail address (a hand-edited attribute) is passed over rather than reported as the user's
 * address: the next candidate, or none. When a directory holds several `SMTP:` entries (Exchange allows one;
 * a hybrid sync can leave two), the first valid one wins, as Exchange's own address policy reads them.
 */
export function primarySmtp(user: AddressFacts): string | undefined {
  for (const entry of user.proxyAddresses ?? []) {
    if (!entry.startsWith(PRIMARY_PREFIX)) continue;
    const address = valid(entry.slice(PRIMARY_PREFIX.length));
    if (address) return address;
  }
  return valid(user.mail ?? "");
}

/** Addresses compare case-insensitively, as Exchange and the engine's SMTP_MISMATCH check do. */
export function sameAddress(a: string | undefined, b: string | undefined): boolean {
  return (a ?? "").toLowerCase() === (b ?? "").toLowerCase();
}

function valid(candidate: string): string | undefined {
  const trimmed = candidate.trim();
  return trimmed !== "" && Address.safeParse(trimmed).success ? trimmed : undefined;
}
