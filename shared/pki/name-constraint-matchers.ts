/**
 * RFC 5280 §4.2.1.10 subtree matching, per name form: what a constraint base means and whether a name
 * lies inside it. Bases and names are parsed once (compileConstraint, readName) so that checking a path
 * is a loop of cheap comparisons.
 */
import type { GeneralSubtree } from "./extensions.ts";
import type { GeneralName } from "./general-name.ts";
import { formatName, isNamePrefix, type Name } from "./name.ts";
import {
  type DnsName,
  formatIp,
  formatIpRange,
  type IpRange,
  ipInRange,
  isBelowDomain,
  isWithinDomain,
  type Mailbox,
  type Parsed,
  parseDnsName,
  parseDomain,
  parseIpAddress,
  parseIpRange,
  parseMailbox,
  parseUriHost,
} from "./name-constraint-syntax.ts";

/**
 * The name space a constraint or name belongs to: the GeneralName type, and for otherName its type-id
 * too (a constraint on one otherName type says nothing about another).
 */
export type FormKey = string;

export const formKey = (g: GeneralName): FormKey =>
  g.type === "otherName" ? `otherName ${g.typeId}` : g.type;

/** A name this module can compare, parsed. */
export type NameValue =
  | { readonly form: "directoryName"; readonly name: Name }
  | { readonly form: "rfc822Name"; readonly mailbox: Mailbox }
  | { readonly form: "dNSName"; readonly dns: DnsName }
  | { readonly form: "uniformResourceIdentifier"; readonly host: string }
  | { readonly form: "iPAddress"; readonly address: Uint8Array };

/** A constraint base this module can compare, parsed. */
export type ConstraintValue =
  | { readonly form: "directoryName"; readonly name: Name }
  | { readonly form: "rfc822Name"; readonly mailbox: Mailbox }
  | { readonly form: "rfc822Name"; readonly host: string; readonly subdomainsOnly: boolean }
  | { readonly form: "dNSName"; readonly domain: string; readonly subdomainsOnly: boolean }
  | { readonly form: "uniformResourceIdentifier"; readonly host: string; readonly subdomainsOnly: boolean }
  | { readonly form: "iPAddress"; readonly range: IpRange };

/** A name found in a certificate: `value` when it parses, else `invalid` says why. */
export interface CandidateName {
  readonly key: FormKey;
  /** For messages: where the name comes from and what it is. */
  readonly text: string;
  readonly value?: NameValue;
  readonly invalid?: string;
}

/** A constraint base: `value` is absent for forms this module cannot process and for malformed bases. */
export interface CompiledConstraint {
  readonly key: FormKey;
  readonly text: string;
  readonly value?: ConstraintValue;
}

/** Why a constraint base is unusable (`error`) or breaks the profile in a way validators tolerate (`warning`). */
export interface ConstraintDefect {
  readonly severity: "error" | "warning";
  readonly reason: string;
}

const describe = (g: GeneralName): string => {
  switch (g.type) {
    case "directoryName":
      return `directoryName "${formatName(g.value)}"`;
    case "rfc822Name":
    case "dNSName":
    case "uniformResourceIdentifier":
    case "registeredID":
      return `${g.type} "${g.value}"`;
    case "iPAddress":
      return `iPAddress ${g.value.length === 8 || g.value.length === 32 ? describeRange(g.value) : formatIp(g.value)}`;
    case "otherName":
      return `otherName of type ${g.typeId}`;
    default:
      return g.type;
  }
};

const describeRange = (bytes: Uint8Array): string => {
  const r = parseIpRange(bytes);
  return r.ok ? formatIpRange(r.value) : `0x${Buffer.from(bytes).toString("hex")}`;
};

function fromParsed<T>(
  g: GeneralName,
  parsed: Parsed<T>,
  wrap: (v: T) => NameValue,
  where: string,
): CandidateName {
  const text = `${where} ${describe(g)}`;
  return parsed.ok
    ? { key: formKey(g), text, value: wrap(parsed.value) }
    : { key: formKey(g), text, invalid: parsed.reason };
}

/** Parses a certificate's name (subject DN, SAN entry or DN e-mail) for matching. */
export function readName(g: GeneralName, where: string): CandidateName {
  switch (g.type) {
    case "directoryName":
      return { key: g.type, text: `${where} ${describe(g)}`, value: { form: g.type, name: g.value } };
    case "rfc822Name":
      return fromParsed(g, parseMailbox(g.value), (mailbox) => ({ form: g.type, mailbox }), where);
    case "dNSName":
      return fromParsed(g, parseDnsName(g.value), (dns) => ({ form: g.type, dns }), where);
    case "uniformResourceIdentifier":
      return fromParsed(g, parseUriHost(g.value), (host) => ({ form: g.type, host }), where);
    case "iPAddress":
      return fromParsed(g, parseIpAddress(g.value), (address) => ({ form: g.type, address }), where);
    default:
      return { key: formKey(g), text: `${where} ${describe(g)}` };
  }
}

type Compiled = { value?: ConstraintValue; defect?: ConstraintDefect };

const malformed = (g: GeneralName, reason: string): Compiled => ({
  defect: { severity: "error", reason: `name constraint ${describe(g)} ${reason}` },
});

/** A domain base with an optional leading period ("subdomains only", RFC 5280 for rfc822Name and URI). */
function domainBase(text: string): Parsed<{ host: string; subdomainsOnly: boolean }> {
  const subdomainsOnly = text.startsWith(".");
  const host = parseDomain(subdomainsOnly ? text.slice(1) : text);
  return host.ok
    ? { ok: true, value: { host: host.value, subdomainsOnly } }
    : { ok: false, reason: host.reason };
}

function compileRfc822(g: GeneralName & { type: "rfc822Name" }): Compiled {
  if (g.value.includes("@")) {
    const mailbox = parseMailbox(g.value);
    return mailbox.ok ? { value: { form: g.type, mailbox: mailbox.value } } : malformed(g, mailbox.reason);
  }
  const base = domainBase(g.value);
  return base.ok ? { value: { form: g.type, ...base.value } } : malformed(g, base.reason);
}

/**
 * dNSName bases: "" is the whole name space. A leading period is not RFC 5280 syntax for dNSName (only
 * for rfc822Name and URI) but OpenSSL, Go and Windows read it as "subdomains only"; we do the same and
 * report a warning, so the name space it guards stays guarded either way.
 */
function compileDns(g: GeneralName & { type: "dNSName" }): Compiled {
  if (g.value === "") return { value: { form: g.type, domain: "", subdomainsOnly: false } };
  if (g.value.includes("*")) return malformed(g, "holds a wildcard, which dNSName constraints do not have");
  const base = domainBase(g.value);
  if (!base.ok) return malformed(g, base.reason);
  const value: ConstraintValue = {
    form: g.type,
    domain: base.value.host,
    subdomainsOnly: base.value.subdomainsOnly,
  };
  if (!base.value.subdomainsOnly) return { value };
  const reason = `name constraint ${describe(g)} has a leading period, which RFC 5280 §4.2.1.10 allows only for rfc822Name and URI; read as "subdomains only"`;
  return { value, defect: { severity: "warning", reason } };
}

function compileUri(g: GeneralName & { type: "uniformResourceIdentifier" }): Compiled {
  if (/[/:@]/.test(g.value)) return malformed(g, "is not a host or .domain (RFC 5280 §4.2.1.10)");
  const base = domainBase(g.value);
  return base.ok ? { value: { form: g.type, ...base.value } } : malformed(g, base.reason);
}

/** Parses one subtree of a nameConstraints extension. */
export function compileConstraint(
  subtree: GeneralSubtree,
): CompiledConstraint & { defect?: ConstraintDefect } {
  const g = subtree.base;
  const head = { key: formKey(g), text: describe(g) };
  if (subtree.minimum !== 0 || subtree.maximum !== undefined) {
    return { ...head, ...malformed(g, "has a minimum other than 0 or a maximum (RFC 5280 §4.2.1.10)") };
  }
  switch (g.type) {
    case "directoryName":
      return { ...head, value: { form: g.type, name: g.value } };
    case "rfc822Name":
      return { ...head, ...compileRfc822(g) };
    case "dNSName":
      return { ...head, ...compileDns(g) };
    case "uniformResourceIdentifier":
      return { ...head, ...compileUri(g) };
    case "iPAddress": {
      const range = parseIpRange(g.value);
      return range.ok
        ? { ...head, value: { form: g.type, range: range.value } }
        : { ...head, ...malformed(g, range.reason) };
    }
    default:
      return head;
  }
}

const hostMatches = (host: string, base: { host: string; subdomainsOnly: boolean }): boolean =>
  base.subdomainsOnly ? isBelowDomain(host, base.host) : host === base.host;

/** True when `x` is `domain` with exactly one more label on the left (what `*.domain` can stand for). */
const oneLabelBelow = (x: string, domain: string): boolean =>
  isBelowDomain(x, domain) && !x.slice(0, x.length - domain.length - 1).includes(".");

/**
 * dNSName matching. A wildcard SAN `*.X` stands for every `a.X`: it lies inside a permitted subtree only
 * when all of them do (X within the base), and it hits an excluded subtree when any of them might
 * (CVE-2025-61727: `*.example.com` must not slip past an exclusion of `bar.example.com`).
 */
function dnsMatches(
  dns: DnsName,
  c: { domain: string; subdomainsOnly: boolean },
  excluded: boolean,
): boolean {
  if (c.domain === "") return true;
  if (!dns.wildcard) {
    return c.subdomainsOnly ? isBelowDomain(dns.domain, c.domain) : isWithinDomain(dns.domain, c.domain);
  }
  if (isWithinDomain(dns.domain, c.domain)) return true;
  return excluded && !c.subdomainsOnly && oneLabelBelow(c.domain, dns.domain);
}

/**
 * True when the name lies inside the subtree. `excluded` selects the reading for names that stand for
 * several (wildcards): inside all of them for permitted subtrees, inside any of them for excluded ones.
 */
export function nameMatches(name: NameValue, c: ConstraintValue, excluded: boolean): boolean {
  switch (name.form) {
    case "directoryName":
      return c.form === name.form && isNamePrefix(c.name, name.name);
    case "rfc822Name": {
      if (c.form !== name.form) return false;
      const m = name.mailbox;
      if ("mailbox" in c) return c.mailbox.local === m.local && c.mailbox.host === m.host;
      return hostMatches(m.host, c);
    }
    case "dNSName":
      return c.form === name.form && dnsMatches(name.dns, c, excluded);
    case "uniformResourceIdentifier":
      return c.form === name.form && hostMatches(name.host, c);
    case "iPAddress":
      return c.form === name.form && ipInRange(name.address, c.range);
  }
}
