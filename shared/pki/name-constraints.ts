/**
 * RFC 5280 §6.1 name constraints (permitted and excluded subtrees) over DN, rfc822Name, dNSName, URI and IP.
 *
 * Each CA's nameConstraints is kept as its own set rather than folded into one permitted_subtrees
 * intersection: a name must lie in every set's permitted subtrees of its form (which is exactly the
 * intersection, without computing intersections of subtrees) and in no set's excluded subtrees (the union).
 */
import type { Certificate } from "./certificate.ts";
import { ExtensionOid } from "./extensions.ts";
import type { GeneralName } from "./general-name.ts";
import { attributeValues, OID_EMAIL_ADDRESS } from "./name.ts";
import {
  type CandidateName,
  type CompiledConstraint,
  compileConstraint,
  type FormKey,
  nameMatches,
  readName,
} from "./name-constraint-matchers.ts";

export interface NameConstraintViolation {
  /** Index in `path` of the certificate whose name is outside the constraints (or whose constraints are defective). */
  readonly index: number;
  readonly message: string;
  /**
   * `error`: a name outside the constraints, or a constraint that cannot be honoured
   * (NAME_CONSTRAINTS_VIOLATED). `warning`: an RFC 5280 breach that OpenSSL, Go and Windows tolerate
   * (NONCONFORMANT): a leading-period dNSName base, nameConstraints in an end-entity certificate.
   */
  readonly severity: "error" | "warning";
}

export interface NameConstraintOptions {
  /**
   * The trust anchor, when its nameConstraints should bind the path (RFC 5280 §6.1.1 (d) lets trust
   * anchor information carry constraints; Windows, OpenSSL and Go apply a root's). Excluded from `path`.
   */
  readonly trustAnchor?: Certificate;
}

/**
 * The most names times constraints we will weigh for one certificate before refusing it. Counted as
 * OpenSSL counts (every subject attribute and subjectAltName entry against every subtree, whatever their
 * forms) with OpenSSL's bound, so a certificate OpenSSL refuses as a denial of service we refuse too
 * (x509-limbo's nc-dos cases: 2,048 names against 4,097 subtrees). Real paths stay far below it.
 */
export const MAX_NAME_CONSTRAINT_COMPARISONS = 1 << 20;

/** One CA's constraints, grouped by name form. */
interface ConstraintSet {
  /** Index in `path`, or -1 for the trust anchor. */
  readonly index: number;
  readonly critical: boolean;
  readonly permitted: ReadonlyMap<FormKey, CompiledConstraint[]>;
  readonly excluded: ReadonlyMap<FormKey, CompiledConstraint[]>;
}

const certLabel = (index: number): string => (index < 0 ? "the trust anchor" : `certificate ${index + 1}`);

function group(list: readonly CompiledConstraint[]): Map<FormKey, CompiledConstraint[]> {
  const byForm = new Map<FormKey, CompiledConstraint[]>();
  for (const c of list) {
    const forms = byForm.get(c.key);
    if (forms) forms.push(c);
    else byForm.set(c.key, [c]);
  }
  return byForm;
}

/** §6.1.4 (g): reads a CA's nameConstraints, reporting defective bases at that CA. */
function readConstraintSet(
  cert: Certificate,
  index: number,
  out: NameConstraintViolation[],
): ConstraintSet | undefined {
  const nc = cert.nameConstraints;
  if (!nc) return undefined;
  const at = Math.max(index, 0);
  // A non-critical or empty extension is a profile breach that certificate-profile.ts and the parser
  // report; here criticality only decides what to do with forms we cannot process.
  const critical = cert.extensions.get(ExtensionOid.nameConstraints)?.critical ?? true;
  const where = certLabel(index);
  const compile = (subtrees: NonNullable<typeof nc.permitted> = []) =>
    subtrees.map((s) => {
      const { defect, ...compiled } = compileConstraint(s);
      if (defect) out.push({ index: at, severity: defect.severity, message: `${where}: ${defect.reason}` });
      return compiled;
    });
  return { index, critical, permitted: group(compile(nc.permitted)), excluded: group(compile(nc.excluded)) };
}

/**
 * §6.1.3 (b)-(c): the names of certificate i that constraints apply to: a non-empty subject DN, every
 * subjectAltName, and the subject's emailAddress attributes as rfc822Name. RFC 5280 asks for the latter
 * only when there is no subjectAltName, but Outlook and our S/MIME rules take the subject's address as
 * the signer's, so a constrained CA must not be able to put any address there (OpenSSL checks it too).
 */
function candidateNames(cert: Certificate): CandidateName[] {
  const names: CandidateName[] = [];
  if (cert.subject.rdns.length > 0)
    names.push(readName({ type: "directoryName", value: cert.subject }, "subject"));
  for (const email of attributeValues(cert.subject, OID_EMAIL_ADDRESS)) {
    const g: GeneralName = { type: "rfc822Name", value: email };
    names.push(readName(g, "subject emailAddress"));
  }
  for (const g of cert.subjectAltName ?? []) names.push(readName(g, "subjectAltName"));
  return names;
}

/** Checks one name against one CA's constraints; returns the reason it fails, if it does. */
function violation(name: CandidateName, set: ConstraintSet): string | undefined {
  const permitted = set.permitted.get(name.key);
  const excluded = set.excluded.get(name.key);
  if (!permitted && !excluded) return undefined;
  const by = certLabel(set.index);
  if (name.invalid)
    return `${name.text} ${name.invalid}, so it cannot be checked against the name constraints of ${by}`;
  const value = name.value;
  if (!value) {
    if (!set.critical) return undefined;
    return `${name.text} is of a form whose constraints in the critical nameConstraints of ${by} cannot be processed (RFC 5280 §4.2.1.10)`;
  }
  const hit = excluded?.find((c) => c.value && nameMatches(value, c.value, true));
  if (hit) return `${name.text} is in the excluded subtree ${hit.text} of ${by}`;
  if (permitted && !permitted.some((c) => c.value && nameMatches(value, c.value, false))) {
    return `${name.text} is not in the permitted subtrees (${permitted.map((c) => c.text).join(", ")}) of ${by}`;
  }
  return undefined;
}

function comparisons(cert: Certificate, sets: readonly ConstraintSet[]): number {
  const names =
    cert.subject.rdns.reduce((sum, r) => sum + r.attributes.length, 0) + (cert.subjectAltName?.length ?? 0);
  let subtrees = 0;
  for (const set of sets) {
    for (const list of [...set.permitted.values(), ...set.excluded.values()]) subtrees += list.length;
  }
  return names * subtrees;
}

function checkCertificate(
  cert: Certificate,
  i: number,
  sets: readonly ConstraintSet[],
  out: NameConstraintViolation[],
) {
  if (sets.length === 0) return;
  const cost = comparisons(cert, sets);
  if (cost > MAX_NAME_CONSTRAINT_COMPARISONS) {
    const message = `certificate ${i + 1}: its names against the path's name constraints make ${cost} comparisons, more than the ${MAX_NAME_CONSTRAINT_COMPARISONS} allowed; refusing a pathological certificate`;
    out.push({ index: i, severity: "error", message });
    return;
  }
  const names = candidateNames(cert);
  for (const set of sets) {
    for (const name of names) {
      const why = violation(name, set);
      if (why) out.push({ index: i, severity: "error", message: `certificate ${i + 1}: ${why}` });
    }
  }
}

/**
 * Applies name constraints along `path` (the trust anchor excluded: the certificate it issued first, the
 * end entity last). Every CA certificate's constraints (and the trust anchor's, when given) bind the
 * names of every later certificate: subject DN, subjectAltName entries and subject e-mail attributes.
 * Self-issued certificates other than the last are not checked (RFC 5280 §6.1.3 (b), key rollover).
 * A name of a form the constraints do not mention passes; a name that does not parse, or whose form is
 * constrained by a critical extension in a way this module cannot process (otherName, x400Address,
 * ediPartyName, registeredID), fails. Returns every violation, ordered by certificate; empty when none.
 */
export function checkNameConstraints(
  path: readonly Certificate[],
  options: NameConstraintOptions = {},
): NameConstraintViolation[] {
  const out: NameConstraintViolation[] = [];
  const sets: ConstraintSet[] = [];
  const anchorSet = options.trustAnchor && readConstraintSet(options.trustAnchor, -1, out);
  if (anchorSet) sets.push(anchorSet);
  const last = path.length - 1;
  for (const [i, cert] of path.entries()) {
    if (i === last || !cert.selfIssued) checkCertificate(cert, i, sets, out);
    if (i === last) {
      // A CA can be the last certificate (a CRL signer's own path); only an end entity is out of profile.
      if (cert.nameConstraints && !cert.basicConstraints?.ca) {
        const message = `certificate ${i + 1}: nameConstraints in an end-entity certificate is ignored (RFC 5280 §4.2.1.10: only in CA certificates)`;
        out.push({ index: i, severity: "warning", message });
      }
      break;
    }
    const set = readConstraintSet(cert, i, out);
    if (set) sets.push(set);
  }
  return out;
}
