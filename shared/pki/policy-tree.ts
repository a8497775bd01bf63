/**
 * RFC 5280 §6.1 certificate policy processing: the valid_policy_tree, the explicit_policy,
 * policy_mapping and inhibit_anyPolicy counters, and the user-constrained policy set.
 *
 * The tree is held as RFC 9618's policy graph (see policy-graph.ts), which gives the same verdicts and
 * policy sets without the exponential growth crafted mappings can cause; a size bound refuses the rest.
 */
import type { Certificate } from "./certificate.ts";
import { ANY_POLICY } from "./extensions.ts";
import { PolicyGraph } from "./policy-graph.ts";

/** The four RFC 5280 §6.1.1 policy inputs. */
export interface PolicyInputs {
  readonly initialPolicySet: readonly string[];
  readonly initialExplicitPolicy: boolean;
  readonly initialPolicyMappingInhibit: boolean;
  readonly initialAnyPolicyInhibit: boolean;
}

/** Any policy accepted, none required, mapping and anyPolicy allowed: what a relying party without a policy uses. */
export const DEFAULT_POLICY_INPUTS: PolicyInputs = {
  initialPolicySet: ["2.5.29.32.0"],
  initialExplicitPolicy: false,
  initialPolicyMappingInhibit: false,
  initialAnyPolicyInhibit: false,
};

/** The path's verdict for policies: the user-constrained policy set, or why and where the path fails. */
export type PolicyResult =
  | { readonly ok: true; readonly userConstrainedPolicySet: readonly string[] }
  | { readonly ok: false; readonly reason: string; readonly certificateIndex?: number };

/**
 * Nodes plus edges the policy graph may hold. Real paths hold a few dozen; this only stops a crafted
 * path (thousands of policies and mappings per certificate) from costing seconds per validation.
 */
export const MAX_POLICY_GRAPH_SIZE = 20_000;

/** The §6.1.2 state variables that count certificates down. */
interface Counters {
  explicitPolicy: number;
  policyMapping: number;
  inhibitAnyPolicy: number;
}

class PolicyFailure extends Error {
  constructor(
    readonly reason: string,
    readonly certificateIndex: number,
  ) {
    super(reason);
  }
}

const decrement = (n: number): number => (n > 0 ? n - 1 : 0);

/** Display position of certificate `i` in messages: 1-based as in RFC 5280, with its role. */
const where = (i: number, n: number): string =>
  `certificate ${i + 1} of ${n}${i === n - 1 ? " (end entity)" : ""}`;

/** §6.1.4 (a): mappings grouped by issuerDomainPolicy; mapping to or from anyPolicy is an error. */
function readMappings(cert: Certificate, i: number, n: number): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const m of cert.policyMappings ?? []) {
    if (m.issuerDomainPolicy === ANY_POLICY || m.subjectDomainPolicy === ANY_POLICY) {
      throw new PolicyFailure(
        `policyMappings maps ${m.issuerDomainPolicy} to ${m.subjectDomainPolicy}: mapping to or from anyPolicy is not allowed (RFC 5280 §6.1.4 (a)) in ${where(i, n)}`,
        i,
      );
    }
    const list = grouped.get(m.issuerDomainPolicy);
    if (list) list.push(m.subjectDomainPolicy);
    else grouped.set(m.issuerDomainPolicy, [m.subjectDomainPolicy]);
  }
  return grouped;
}

/** §6.1.3 (d)-(e): one certificate's policies into the graph. */
function processCertificatePolicies(graph: PolicyGraph, cert: Certificate, anyPolicyAllowed: boolean): void {
  if (graph.isNull) return;
  const policies = cert.certificatePolicies;
  if (policies === undefined) {
    graph.clear();
    return;
  }
  graph.addCertificatePolicies(
    policies.map((p) => p.policyId),
    anyPolicyAllowed,
  );
}

/** §6.1.4 (a)-(b) and (h)-(j): mappings, then the counters, for an intermediate certificate. */
function prepareForNext(graph: PolicyGraph, cert: Certificate, i: number, n: number, c: Counters): void {
  const mappings = readMappings(cert, i, n);
  if (mappings.size > 0 && !graph.isNull) graph.applyMappings(mappings, c.policyMapping > 0);
  if (!cert.selfIssued) {
    c.explicitPolicy = decrement(c.explicitPolicy);
    c.policyMapping = decrement(c.policyMapping);
    c.inhibitAnyPolicy = decrement(c.inhibitAnyPolicy);
  }
  const pc = cert.policyConstraints;
  if (pc?.requireExplicitPolicy !== undefined)
    c.explicitPolicy = Math.min(c.explicitPolicy, pc.requireExplicitPolicy);
  if (pc?.inhibitPolicyMapping !== undefined)
    c.policyMapping = Math.min(c.policyMapping, pc.inhibitPolicyMapping);
  if (cert.inhibitAnyPolicy !== undefined)
    c.inhibitAnyPolicy = Math.min(c.inhibitAnyPolicy, cert.inhibitAnyPolicy);
}

function checkSize(graph: PolicyGraph, i: number, n: number): void {
  if (graph.size > MAX_POLICY_GRAPH_SIZE) {
    throw new PolicyFailure(
      `the certificate policy graph grew past ${MAX_POLICY_GRAPH_SIZE} nodes and edges at ${where(i, n)}; refusing a pathological path`,
      i,
    );
  }
}

/** Why certificate i left no valid policy: for the message when an explicit policy is then required. */
function whyNoPolicy(cert: Certificate, i: number, n: number, anyPolicyAllowed: boolean): string {
  const policies = cert.certificatePolicies?.map((p) => p.policyId);
  if (policies === undefined) return `${where(i, n)} has no certificatePolicies extension`;
  const inhibited = !anyPolicyAllowed && policies.includes(ANY_POLICY) ? "; its anyPolicy is inhibited" : "";
  return `none of the policies of ${where(i, n)} (${policies.join(", ")}) is valid from the trust anchor${inhibited}`;
}

function run(path: readonly Certificate[], inputs: PolicyInputs): string[] {
  const n = path.length;
  const c: Counters = {
    explicitPolicy: inputs.initialExplicitPolicy ? 0 : n + 1,
    policyMapping: inputs.initialPolicyMappingInhibit ? 0 : n + 1,
    inhibitAnyPolicy: inputs.initialAnyPolicyInhibit ? 0 : n + 1,
  };
  const graph = new PolicyGraph();
  let nullSince: string | undefined;
  for (const [i, cert] of path.entries()) {
    const anyPolicyAllowed = c.inhibitAnyPolicy > 0 || (i < n - 1 && cert.selfIssued);
    processCertificatePolicies(graph, cert, anyPolicyAllowed);
    checkSize(graph, i, n);
    if (graph.isNull) nullSince ??= whyNoPolicy(cert, i, n, anyPolicyAllowed);
    // §6.1.3 (f)
    if (c.explicitPolicy === 0 && graph.isNull) {
      throw new PolicyFailure(`an explicit policy is required at ${where(i, n)}, but ${nullSince}`, i);
    }
    if (i < n - 1) {
      prepareForNext(graph, cert, i, n, c);
      checkSize(graph, i, n);
      if (graph.isNull)
        nullSince ??= `policy mapping is inhibited at ${where(i, n)}, which removes its mapped policies`;
    }
  }
  // §6.1.5 (a)-(b): the end entity's own requireExplicitPolicy of 0 counts.
  const leaf = path[n - 1]!;
  c.explicitPolicy = decrement(c.explicitPolicy);
  if (leaf.policyConstraints?.requireExplicitPolicy === 0) c.explicitPolicy = 0;
  // §6.1.5 (g)
  const initial = new Set(inputs.initialPolicySet);
  if (!initial.has(ANY_POLICY) && !graph.isNull) {
    graph.intersect(initial);
    if (graph.isNull)
      nullSince ??= `none of the acceptable policies (${inputs.initialPolicySet.join(", ")}) is valid for the path`;
  }
  if (c.explicitPolicy === 0 && graph.isNull) {
    throw new PolicyFailure(`an explicit policy is required at ${where(n - 1, n)}, but ${nullSince}`, n - 1);
  }
  return graph.authorityPolicies();
}

/**
 * Runs RFC 5280 §6.1.2-§6.1.5 policy processing over `path` (the trust anchor excluded: the certificate
 * it issued first, the end entity last) with the four initial inputs.
 *
 * On success, `userConstrainedPolicySet` holds the policies (in the trust anchor's policy domain) that the
 * path is valid for and the user accepts: empty when the tree is NULL, `["2.5.29.32.0"]` when anyPolicy
 * survives to the end entity and the user accepts anyPolicy. On failure, `reason` says why and
 * `certificateIndex` names the certificate (index into `path`) where it was found.
 */
export function processPolicies(path: readonly Certificate[], inputs: PolicyInputs): PolicyResult {
  if (path.length === 0) return { ok: true, userConstrainedPolicySet: [...inputs.initialPolicySet] };
  try {
    return { ok: true, userConstrainedPolicySet: run(path, inputs) };
  } catch (e) {
    if (e instanceof PolicyFailure)
      return { ok: false, reason: e.reason, certificateIndex: e.certificateIndex };
    throw e;
  }
}
