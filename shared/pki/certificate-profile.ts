/**
 * RFC 5280 §4 profile rules that path validation (§6) does not itself enforce: how a conforming CA must
 * build a certificate. Each breach is reported with the rule it breaks.
 *
 * Severity follows DESIGN.md: a breach that Exchange Online/Outlook (CryptoAPI), OpenSSL and Go all
 * tolerate is a NONCONFORMANT warning (a missing AKI or SKI, a zero or over-long serial, a non-critical
 * policyConstraints, an underscore in a dNSName, …). A breach that OpenSSL refuses outright (it marks
 * the certificate invalid: a critical AKI, SKI or AIA, a negative serial, a CA with an empty subject) is
 * an error, MALFORMED: Exchange should not be trusted to be more lenient than the strictest mainstream
 * validator on the same bytes.
 */
import type { Certificate } from "./certificate.ts";
import { ExtensionOid, KeyUsage } from "./extensions.ts";
import { formatName } from "./name.ts";
import { error, type Problem, ProblemCode, warning } from "./problems.ts";
import { checkSmimeProfile } from "./smime-profile.ts";

/** Where the certificate sits in the path. */
export type Role = "leaf" | "intermediate" | "anchor";

interface Subject {
  readonly cert: Certificate;
  readonly role: Role;
  readonly index: number;
}

type Rule = (s: Subject) => Problem | undefined;

const where = (s: Subject) => ({ certificate: formatName(s.cert.subject), index: s.index });
const label = (s: Subject) => `'${formatName(s.cert.subject)}'`;

const nonconformant = (s: Subject, what: string, rule: string): Problem =>
  warning(ProblemCode.NONCONFORMANT, `${label(s)} ${what}`, { ...where(s), rule });

const malformed = (s: Subject, what: string, rule: string): Problem =>
  error(ProblemCode.MALFORMED, `${label(s)} ${what}`, { ...where(s), rule });

const critical = (s: Subject, oid: string): boolean => s.cert.extensions.get(oid)?.critical === true;
const nonCritical = (s: Subject, oid: string): boolean => s.cert.extensions.get(oid)?.critical === false;
/** Self-signed in the RFC 5280 sense we can check without a signature: self-issued. */
const selfSigned = (s: Subject): boolean => s.cert.selfIssued;

/** RFC 1034 preferred name syntax, plus a leading wildcard label (RFC 6125) that TLS profiles use. */
const DNS_NAME =
  /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.?$/;

const RULES: readonly Rule[] = [
  (s) => {
    const bytes = s.cert.serialNumberBytes;
    if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0)
      return malformed(s, "has a negative serial number", "RFC 5280 4.1.2.2: serialNumber MUST be positive");
    if (bytes.every((b) => b === 0))
      return nonconformant(s, "has serial number zero", "RFC 5280 4.1.2.2: serialNumber MUST be positive");
    if (bytes.length > 20)
      return nonconformant(
        s,
        "has a serial number over 20 octets",
        "RFC 5280 4.1.2.2: serialNumber at most 20 octets",
      );
    return undefined;
  },
  (s) =>
    critical(s, ExtensionOid.authorityKeyIdentifier)
      ? malformed(s, "marks authorityKeyIdentifier critical", "RFC 5280 4.2.1.1: AKI MUST be non-critical")
      : undefined,
  (s) =>
    !selfSigned(s) && s.cert.version === 3 && s.cert.authorityKeyIdentifier?.keyIdentifier === undefined
      ? nonconformant(
          s,
          "has no authorityKeyIdentifier keyIdentifier",
          "RFC 5280 4.2.1.1: AKI keyIdentifier MUST be in every certificate but a self-signed one",
        )
      : undefined,
  (s) =>
    critical(s, ExtensionOid.subjectKeyIdentifier)
      ? malformed(s, "marks subjectKeyIdentifier critical", "RFC 5280 4.2.1.2: SKI MUST be non-critical")
      : undefined,
  (s) =>
    s.role !== "leaf" && s.cert.version === 3 && s.cert.subjectKeyIdentifier === undefined
      ? nonconformant(
          s,
          "is a CA without subjectKeyIdentifier",
          "RFC 5280 4.2.1.2: SKI MUST appear in CA certificates",
        )
      : undefined,
  (s) =>
    critical(s, ExtensionOid.authorityInfoAccess)
      ? malformed(s, "marks authorityInfoAccess critical", "RFC 5280 4.2.2.1: AIA MUST be non-critical")
      : undefined,
  (s) =>
    nonCritical(s, ExtensionOid.policyConstraints)
      ? nonconformant(
          s,
          "marks policyConstraints non-critical",
          "RFC 5280 4.2.1.11: policyConstraints MUST be critical",
        )
      : undefined,
  (s) =>
    nonCritical(s, ExtensionOid.nameConstraints)
      ? nonconformant(
          s,
          "marks nameConstraints non-critical",
          "RFC 5280 4.2.1.10: nameConstraints MUST be critical",
        )
      : undefined,
  (s) =>
    s.role !== "leaf" && s.cert.subject.rdns.length === 0
      ? malformed(s, "is a CA with an empty subject", "RFC 5280 4.1.2.6: a CA's subject MUST be non-empty")
      : undefined,
  (s) =>
    s.cert.subject.rdns.length === 0 && nonCritical(s, ExtensionOid.subjectAltName)
      ? nonconformant(
          s,
          "has an empty subject and a non-critical subjectAltName",
          "RFC 5280 4.2.1.6: SAN MUST be critical when the subject is empty",
        )
      : undefined,
  (s) => {
    const bad = (s.cert.subjectAltName ?? []).find((g) => g.type === "dNSName" && !DNS_NAME.test(g.value));
    return bad
      ? nonconformant(
          s,
          `has a dNSName outside the preferred name syntax (${bad.value})`,
          "RFC 5280 4.2.1.6: dNSName MUST be in the RFC 1034 preferred name syntax",
        )
      : undefined;
  },
  (s) =>
    s.role === "leaf" &&
    s.cert.keyUsage !== undefined &&
    (s.cert.keyUsage & KeyUsage.keyCertSign) !== 0 &&
    s.cert.basicConstraints?.ca !== true
      ? nonconformant(
          s,
          "asserts keyCertSign without cA",
          "RFC 5280 4.2.1.3: keyCertSign requires basicConstraints cA",
        )
      : undefined,
];

/** Every RFC 5280 profile breach of `cert` in its role; `index` counts from the leaf (0). */
export function checkProfile(cert: Certificate, role: Role, index: number): Problem[] {
  const subject: Subject = { cert, role, index };
  return [...RULES.flatMap((rule) => rule(subject) ?? []), ...checkSmimeProfile(cert, role, index)];
}
