/**
 * RFC 5280 §6.1 basic path validation on one candidate path (trust anchor first, end entity last).
 *
 * Every problem is collected, not just the first: an admin fixing a chain wants the whole list.
 *
 * The trust anchor. RFC 5280 treats an anchor as a bare name and key and checks nothing else about it.
 * Windows CryptoAPI (what Exchange Online and Outlook run) builds the root certificate into the chain and
 * flags it like any other element: an expired or not-yet-valid root, an unknown critical extension, a
 * root that says it is not a CA, or a root pathLenConstraint or name constraints the chain breaks all
 * fail the chain; OpenSSL and Go do the same for validity, path length and name constraints. We follow
 * them: those are errors on the anchor too. A root without basicConstraints (or with it non-critical) is
 * accepted by CryptoAPI and Go, so that is a NONCONFORMANT warning; a v1 root (no extensions at all, still
 * found in old stores) is accepted silently, as all three do.
 */
import { type Certificate, sameAlgorithm } from "./certificate.ts";
import { checkProfile } from "./certificate-profile.ts";
import { unsupportedCriticalExtensions } from "./critical-extensions.ts";
import { ExtensionOid, KeyUsage } from "./extensions.ts";
import { formatName, namesEqual } from "./name.ts";
import { checkNameConstraints } from "./name-constraints.ts";
import { DEFAULT_POLICY_INPUTS, type PolicyInputs, processPolicies } from "./policy-tree.ts";
import { error, type Problem, ProblemCode, warning } from "./problems.ts";
import { verifySignature } from "./signature.ts";

export interface PathValidationOptions {
  /** The validation time (RFC 5280 §6.1.1 (b)). */
  readonly time: Date;
  /** The four RFC 5280 §6.1.1 policy inputs; default: any policy, nothing required or inhibited. */
  readonly policy?: PolicyInputs;
}

export interface PathValidationResult {
  readonly problems: Problem[];
  /** The user-constrained policy set when policy processing succeeded. */
  readonly userConstrainedPolicySet?: readonly string[];
}

const DSA_OID = "1.2.840.10040.4.1";

/** Where a certificate sits, for problem detail fields: `index` counts from the leaf (0), as the JSON chain does. */
export interface Position {
  readonly cert: Certificate;
  readonly index: number;
}

const detail = (p: Position, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  certificate: formatName(p.cert.subject),
  index: p.index,
  ...extra,
});

const label = (p: Position): string => `'${formatName(p.cert.subject)}'`;

/**
 * Validity at `time`; RFC 5280 §4.1.2.5: both bounds are inclusive. Certificate times have whole seconds,
 * so the validation time is floored to its second before comparing (x509-limbo's notafter-fractional and
 * notbefore-fractional: comparisons at the granularity of the encoding).
 */
export function checkValidity(p: Position, time: Date): Problem[] {
  const t = Math.floor(time.getTime() / 1000) * 1000;
  if (t < p.cert.notBefore.getTime()) {
    return [
      error(
        ProblemCode.NOT_YET_VALID,
        `${label(p)} is not valid before ${p.cert.notBefore.toISOString()}`,
        detail(p),
      ),
    ];
  }
  if (t > p.cert.notAfter.getTime()) {
    return [error(ProblemCode.EXPIRED, `${label(p)} expired on ${p.cert.notAfter.toISOString()}`, detail(p))];
  }
  return [];
}

/** UNSUPPORTED_CRITICAL_EXTENSION for each critical extension we don't process (RFC 5280 §4.2). */
export function checkCriticalExtensions(p: Position): Problem[] {
  return unsupportedCriticalExtensions(p.cert).map((oid) =>
    error(
      ProblemCode.UNSUPPORTED_CRITICAL_EXTENSION,
      `${label(p)} has an unsupported critical extension ${oid}`,
      {
        ...detail(p),
        extension: oid,
      },
    ),
  );
}

/** Signature of `p` by `issuer`'s key, and the tbs/outer algorithm agreement (RFC 5280 §4.1.1.2). */
function checkSignature(p: Position, issuer: Certificate, dsaParameters: Uint8Array | undefined): Problem[] {
  const problems: Problem[] = [];
  if (!sameAlgorithm(p.cert.signatureAlgorithm, p.cert.tbsSignatureAlgorithm)) {
    problems.push(
      error(
        ProblemCode.MALFORMED,
        `${label(p)} names different signature algorithms inside and outside the signed part`,
        {
          ...detail(p),
          rule: "RFC 5280 4.1.1.2",
        },
      ),
    );
  }
  const result = verifySignature(
    { algorithm: p.cert.signatureAlgorithm, signed: p.cert.tbs, signature: p.cert.signature },
    issuer.spki,
    dsaParameters,
  );
  if (!result.ok) {
    problems.push(
      error(ProblemCode.SIGNATURE_INVALID, `${label(p)}: ${result.reason}`, {
        ...detail(p),
        issuer: formatName(issuer.subject),
      }),
    );
  }
  return problems;
}

/**
 * Is `p` allowed to issue certificates (RFC 5280 §6.1.4 (k), (n))? `isAnchor`: see the file comment.
 * Version 1 and 2 intermediates carry no basicConstraints and RFC 5280 says to treat them as end entities;
 * PKITS expects that, so only a v1/v2 anchor is tolerated.
 */
function checkIssuerIsCa(p: Position, isAnchor: boolean): Problem[] {
  const { cert } = p;
  const problems: Problem[] = [];
  const bc = cert.basicConstraints;
  if (bc === undefined) {
    if (!isAnchor) {
      problems.push(
        error(
          ProblemCode.ISSUER_NOT_CA,
          `${label(p)} issues certificates but has no basicConstraints`,
          detail(p),
        ),
      );
    } else if (cert.version === 3) {
      problems.push(
        warning(ProblemCode.NONCONFORMANT, `trust anchor ${label(p)} has no basicConstraints extension`, {
          ...detail(p),
          rule: "RFC 5280 4.2.1.9: CA certificates MUST include basicConstraints",
        }),
      );
    }
  } else if (!bc.ca) {
    problems.push(
      error(
        ProblemCode.ISSUER_NOT_CA,
        `${label(p)} issues certificates but basicConstraints says cA=false`,
        detail(p),
      ),
    );
  } else if (cert.extensions.get(ExtensionOid.basicConstraints)?.critical === false) {
    problems.push(
      warning(ProblemCode.NONCONFORMANT, `${label(p)} marks basicConstraints non-critical`, {
        ...detail(p),
        rule: "RFC 5280 4.2.1.9: basicConstraints MUST be critical in CA certificates",
      }),
    );
  }
  if (cert.keyUsage !== undefined && (cert.keyUsage & KeyUsage.keyCertSign) === 0) {
    problems.push(
      error(ProblemCode.ISSUER_NOT_CA, `${label(p)} issues certificates but its keyUsage lacks keyCertSign`, {
        ...detail(p),
        reason: "keyCertSign not asserted",
      }),
    );
  }
  return problems;
}

/** The DSA parameters to carry down the path after `cert` (RFC 5280 §6.1.4 (f)). */
function nextDsaParameters(cert: Certificate, working: Uint8Array | undefined): Uint8Array | undefined {
  if (cert.publicKeyAlgorithm.oid !== DSA_OID) return undefined;
  return cert.publicKeyAlgorithm.parameters ?? working;
}

/** pathLenConstraint over the issuers (anchor included), self-issued intermediates not counted (§6.1.4 (l), (m)). */
function checkPathLength(path: readonly Certificate[], at: (k: number) => Position): Problem[] {
  const problems: Problem[] = [];
  let remaining = path[0]?.basicConstraints?.pathLenConstraint ?? Number.POSITIVE_INFINITY;
  for (let k = 1; k < path.length - 1; k++) {
    const cert = path[k]!;
    if (!cert.selfIssued) {
      if (remaining <= 0) {
        const p = at(k);
        problems.push(
          error(
            ProblemCode.PATH_LENGTH_EXCEEDED,
            `${label(p)} is beyond the path length its issuers allow`,
            detail(p),
          ),
        );
      }
      remaining--;
    }
    const own = cert.basicConstraints?.pathLenConstraint;
    if (own !== undefined && own < remaining) remaining = own;
  }
  return problems;
}

function checkPolicies(
  path: readonly Certificate[],
  inputs: PolicyInputs,
  at: (k: number) => Position,
): { problems: Problem[]; set?: readonly string[] } {
  if (path.length < 2) return { problems: [], set: inputs.initialPolicySet };
  const result = processPolicies(path.slice(1), inputs);
  if (result.ok) return { problems: [], set: result.userConstrainedPolicySet };
  const where = result.certificateIndex === undefined ? {} : detail(at(result.certificateIndex + 1));
  return { problems: [error(ProblemCode.POLICY_INVALID, `certificate policies: ${result.reason}`, where)] };
}

/**
 * Name constraints, the anchor's included: Go, OpenSSL and CryptoAPI apply a root's name constraints, and
 * x509-limbo expects it. The anchor is self-issued, so its own names are never checked.
 */
function checkNames(path: readonly Certificate[], at: (k: number) => Position): Problem[] {
  // Most paths carry no name constraints at all: skip the per-name work for them.
  if (path.length < 2 || !path.some((c) => c.nameConstraints !== undefined)) return [];
  return checkNameConstraints(path).map((v) => {
    const p = at(v.index);
    // A warning is a constraint rule OpenSSL, Go and CryptoAPI tolerate (e.g. a leading-period dNSName).
    return v.severity === "warning"
      ? warning(ProblemCode.NONCONFORMANT, `${label(p)}: ${v.message}`, {
          ...detail(p),
          rule: "RFC 5280 4.2.1.10",
        })
      : error(ProblemCode.NAME_CONSTRAINTS_VIOLATED, `${label(p)}: ${v.message}`, detail(p));
  });
}

/**
 * Validates `path` (trust anchor first, end entity last) at `options.time`. A path of one certificate is a
 * trusted leaf: only its validity and critical extensions are checked.
 */
export function validatePath(
  path: readonly Certificate[],
  options: PathValidationOptions,
): PathValidationResult {
  const last = path.length - 1;
  const at = (k: number): Position => ({ cert: path[k]!, index: last - k });
  const problems: Problem[] = [];
  let dsaParameters: Uint8Array | undefined;
  for (let k = 0; k <= last; k++) {
    const p = at(k);
    const role = k === last ? "leaf" : k === 0 ? "anchor" : "intermediate";
    problems.push(
      ...checkValidity(p, options.time),
      ...checkCriticalExtensions(p),
      ...checkProfile(p.cert, role, p.index),
    );
    if (k > 0) {
      const issuer = path[k - 1]!;
      if (!namesEqual(p.cert.issuer, issuer.subject)) {
        problems.push(
          error(
            ProblemCode.CHAIN_UNTRUSTED,
            `${label(p)} names issuer '${formatName(p.cert.issuer)}', not ${label(at(k - 1))}`,
            detail(p),
          ),
        );
      }
      problems.push(...checkSignature(p, issuer, dsaParameters));
    }
    if (k < last) problems.push(...checkIssuerIsCa(p, k === 0));
    dsaParameters = nextDsaParameters(p.cert, dsaParameters);
  }
  problems.push(...checkPathLength(path, at), ...checkNames(path, at));
  const policies = checkPolicies(path, options.policy ?? DEFAULT_POLICY_INPUTS, at);
  problems.push(...policies.problems);
  return policies.set === undefined ? { problems } : { problems, userConstrainedPolicySet: policies.set };
}
