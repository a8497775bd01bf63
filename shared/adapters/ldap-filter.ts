/**
 * The search filter that finds a user's directory entry, written as RFC 4515 text with every value escaped.
 *
 * Values come from Entra ID (addresses, UPNs), which an administrator or a guest's home tenant chooses: an
 * address like `*)(mail=*` must match only an entry with exactly that address, never widen the search to the
 * whole directory. RFC 4515 §3 requires escaping NUL, `(`, `)`, `*` and `\`; this also escapes every other
 * control character and byte outside printable ASCII (as `\XX` of its UTF-8 bytes), which the grammar allows
 * for any octet, so the filter is plain ASCII whatever the input.
 */
import type { DirectoryUser } from "../ports.ts";

/** The attributes an address is looked up in: inetOrgPerson's `mail`, Active Directory's `proxyAddresses` and UPN. */
export const SEARCH_ATTRIBUTES = {
  mail: "mail",
  proxyAddresses: "proxyAddresses",
  userPrincipalName: "userPrincipalName",
} as const;

const PRINTABLE_SAFE = /^[\x20-\x7e]$/;
const SPECIAL = new Set(["(", ")", "*", "\\"]);

/** Escapes one assertion value for an RFC 4515 filter string. */
export function escapeFilterValue(value: string): string {
  let out = "";
  for (const char of value) {
    if (PRINTABLE_SAFE.test(char) && !SPECIAL.has(char)) out += char;
    else for (const byte of Buffer.from(char, "utf8")) out += `\\${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

const equality = (attribute: string, value: string) => `(${attribute}=${escapeFilterValue(value)})`;

/**
 * No address or UPN holds a control character; one that does is not searched for at all, because servers
 * cut values at a NUL (slapd matches `alice@contoso.com\0…` as `alice@contoso.com`).
 */
const isControl = (char: string) => {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f;
};

const searchable = (value: string | undefined): value is string =>
  value !== undefined && value.trim() !== "" && ![...value].some(isControl);

/** The user's distinct, searchable addresses, compared case-insensitively as mail systems do. */
function addressesOf(user: DirectoryUser): string[] {
  const seen = new Map<string, string>();
  for (const a of [user.primarySmtp, user.mail].filter(searchable)) {
    const trimmed = a.trim();
    if (!seen.has(trimmed.toLowerCase())) seen.set(trimmed.toLowerCase(), trimmed);
  }
  return [...seen.values()];
}

/**
 * `(|(mail=a)(proxyAddresses=smtp:a)…(userPrincipalName=u))`: an entry whose mail, SMTP proxy address or
 * UPN is one of the user's. `smtp:` matches the primary `SMTP:` too (proxyAddresses compares case-insensitively).
 * Undefined when the user has nothing searchable: then no entry can be theirs.
 */
export function userEntryFilter(user: DirectoryUser): string | undefined {
  const parts = addressesOf(user).flatMap((a) => [
    equality(SEARCH_ATTRIBUTES.mail, a),
    equality(SEARCH_ATTRIBUTES.proxyAddresses, `smtp:${a}`),
  ]);
  if (searchable(user.userPrincipalName))
    parts.push(equality(SEARCH_ATTRIBUTES.userPrincipalName, user.userPrincipalName.trim()));
  return parts.length === 0 ? undefined : `(|${parts.join("")})`;
}
