/**
 * Parsing of the names and name-constraint bases that RFC 5280 §4.2.1.10 defines matching for:
 * domain names, mailboxes, URI hosts and IP address ranges. A name that cannot be parsed cannot be shown
 * to lie inside a subtree, so callers treat it as a violation whenever its form is constrained.
 */

/** Either the parsed value or why the text is not a well-formed instance of its form. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

// Letters, digits, hyphen; underscore too, because real-world service names carry it and
// Windows, OpenSSL and Go accept it in names they constrain.
const LABEL = /^[a-z0-9_-]{1,63}$/;

/** A lower-case domain name (no leading or trailing dot, no empty label), or why it is not one. */
export function parseDomain(text: string): Parsed<string> {
  const lower = text.toLowerCase();
  if (lower.length === 0) return bad("is empty");
  if (lower.length > 253) return bad("is longer than 253 characters");
  for (const label of lower.split(".")) {
    if (label.length === 0) return bad("has an empty label");
    if (!LABEL.test(label)) return bad(`has an invalid label "${label}"`);
  }
  return ok(lower);
}

/** True when `name` equals `domain` or lies below it on a label boundary (both lower case). */
export const isWithinDomain = (name: string, domain: string): boolean =>
  name === domain || name.endsWith(`.${domain}`);

/** True when `name` lies strictly below `domain` (at least one more label). */
export const isBelowDomain = (name: string, domain: string): boolean => name.endsWith(`.${domain}`);

/** A dNSName from a certificate: `*.` (RFC 6125 wildcard, one leftmost label) is kept apart. */
export interface DnsName {
  /** Lower case, without the `*.` of a wildcard. */
  readonly domain: string;
  readonly wildcard: boolean;
}

export function parseDnsName(text: string): Parsed<DnsName> {
  const wildcard = text.startsWith("*.");
  const domain = parseDomain(wildcard ? text.slice(2) : text);
  if (!domain.ok) return bad(`is not a valid DNS name: it ${domain.reason}`);
  return ok({ domain: domain.value, wildcard });
}

/** An RFC 5321 mailbox: the local part as written (it is case-sensitive), the host in lower case. */
export interface Mailbox {
  readonly local: string;
  readonly host: string;
}

// RFC 5322 atext plus the dots of a dot-atom.
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** Splits a quoted-string local part off the front, or returns undefined when it is not closed. */
function quotedLocal(text: string): string | undefined {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return text.slice(0, i + 1);
  }
  return undefined;
}

export function parseMailbox(text: string): Parsed<Mailbox> {
  const local = text.startsWith('"') ? quotedLocal(text) : text.slice(0, Math.max(0, text.indexOf("@")));
  if (local === undefined) return bad("has an unterminated quoted local part");
  if (local.length === 0 || text[local.length] !== "@") return bad("is not a mailbox (local-part@host)");
  if (!local.startsWith('"') && !DOT_ATOM.test(local)) return bad(`has an invalid local part "${local}"`);
  const host = parseDomain(text.slice(local.length + 1));
  if (!host.ok) return bad(`has an invalid host: it ${host.reason}`);
  return ok({ local, host: host.value });
}

/**
 * The host of a URI's authority (RFC 3986 §3.2.2), lower case, brackets of an IP literal removed.
 * A URI without an authority (`mailto:`, `urn:`) has no host to constrain.
 */
export function parseUriHost(text: string): Parsed<string> {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(text);
  if (!m) return bad("has no authority (//host) to check against URI constraints");
  const authority = m[1]!.slice(m[1]!.lastIndexOf("@") + 1);
  const host = authority.startsWith("[")
    ? authority.slice(1, authority.indexOf("]"))
    : authority.replace(/:\d*$/, "");
  if (host.length === 0) return bad("has an empty host");
  return ok(host.toLowerCase());
}

/** An iPAddress constraint base: address and mask of the same length (4 or 16 bytes each). */
export interface IpRange {
  readonly address: Uint8Array;
  readonly mask: Uint8Array;
}

/** Length of the mask's leading one bits, or -1 when the mask is not contiguous ones then zeros. */
export function prefixLength(mask: Uint8Array): number {
  let bits = 0;
  let ended = false;
  for (const byte of mask) {
    for (let b = 7; b >= 0; b--) {
      const one = (byte >> b) & 1;
      if (one && ended) return -1;
      if (one) bits++;
      else ended = true;
    }
  }
  return bits;
}

export function parseIpRange(bytes: Uint8Array): Parsed<IpRange> {
  if (bytes.length !== 8 && bytes.length !== 32) {
    return bad(`has ${bytes.length} bytes; an address and mask need 8 (IPv4) or 32 (IPv6)`);
  }
  const half = bytes.length / 2;
  const mask = bytes.subarray(half);
  if (prefixLength(mask) < 0) return bad("has a mask that is not a contiguous prefix");
  return ok({ address: bytes.subarray(0, half), mask });
}

export function parseIpAddress(bytes: Uint8Array): Parsed<Uint8Array> {
  if (bytes.length !== 4 && bytes.length !== 16) {
    return bad(`has ${bytes.length} bytes; an address has 4 (IPv4) or 16 (IPv6)`);
  }
  return ok(bytes);
}

/** True when the address lies in the range; an IPv4 address never lies in an IPv6 range or back. */
export function ipInRange(address: Uint8Array, range: IpRange): boolean {
  if (address.length !== range.address.length) return false;
  return address.every((b, i) => (b & range.mask[i]!) === (range.address[i]! & range.mask[i]!));
}

/** Dotted IPv4 or full-form IPv6 for messages. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join(".");
  if (bytes.length !== 16) return `0x${Buffer.from(bytes).toString("hex")}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(":");
}

export const formatIpRange = (r: IpRange): string => `${formatIp(r.address)}/${prefixLength(r.mask)}`;
