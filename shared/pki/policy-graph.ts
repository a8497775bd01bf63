/**
 * The valid_policy_tree of RFC 5280 §6.1, held as a graph (RFC 9618).
 *
 * Why a graph: in the tree of RFC 5280, every node at depth i-1 that expects policy P gets its own child
 * P at depth i, so crafted policy mappings multiply the node count at every level (exponential growth,
 * CVE-2023-0464). RFC 9618 updates RFC 5280 to merge those children into one node per policy and level
 * with several parents; it proves that validity and the user-constrained policy set come out the same.
 * A level therefore holds at most one node per policy, except the leaves that the final intersection
 * (§6.1.5 (g)(iii)(3)) adds, and the edge count grows with the input size, not exponentially.
 */
import { ANY_POLICY } from "./extensions.ts";

/** One node: its valid_policy, its expected_policy_set and the nodes one level up that lead to it. */
export interface PolicyNode {
  readonly policy: string;
  expected: ReadonlySet<string>;
  parents: PolicyNode[];
  deleted: boolean;
}

const node = (policy: string, expected: Iterable<string>, parents: PolicyNode[]): PolicyNode => ({
  policy,
  expected: new Set(expected),
  parents,
  deleted: false,
});

const live = (level: readonly PolicyNode[]): PolicyNode[] => level.filter((n) => !n.deleted);

/** A node is an "authority" node (valid_policy_node_set, §6.1.5 (g)(iii)(1)) when its parent is anyPolicy. */
const underAnyPolicy = (n: PolicyNode): boolean =>
  n.policy !== ANY_POLICY && n.parents.some((p) => p.policy === ANY_POLICY);

export class PolicyGraph {
  /** levels[0] is the root (the trust anchor); levels[i] holds the nodes added by certificate i. */
  private readonly levels: PolicyNode[][] = [[node(ANY_POLICY, [ANY_POLICY], [])]];
  private edges = 0;

  /** True once the tree has become NULL (RFC 5280's empty tree). */
  get isNull(): boolean {
    return live(this.levels[0]!).length === 0;
  }

  /** Nodes plus edges: what the caller bounds to refuse pathological inputs. */
  get size(): number {
    return this.edges + this.levels.reduce((sum, l) => sum + l.length, 0);
  }

  private get leaves(): PolicyNode[] {
    return this.levels[this.levels.length - 1]!;
  }

  private add(level: PolicyNode[], n: PolicyNode): PolicyNode {
    level.push(n);
    this.edges += n.parents.length;
    return n;
  }

  /**
   * §6.1.3 (d): grows a level from the certificate's policies. `anyPolicyAllowed` is
   * "inhibit_anyPolicy > 0, or i < n and the certificate is self-issued" (d)(2).
   */
  addCertificatePolicies(policies: readonly string[], anyPolicyAllowed: boolean): void {
    const previous = live(this.leaves);
    const expecting = new Map<string, PolicyNode[]>();
    for (const p of previous) {
      for (const e of p.expected) {
        const list = expecting.get(e);
        if (list) list.push(p);
        else expecting.set(e, [p]);
      }
    }
    const anyParent = previous.find((p) => p.policy === ANY_POLICY);
    const next: PolicyNode[] = [];
    const present = new Set<string>();
    for (const policy of new Set(policies)) {
      if (policy === ANY_POLICY) continue;
      // (d)(1)(i) every node expecting the policy is a parent; (d)(1)(ii) else the anyPolicy node is.
      const parents = expecting.get(policy) ?? (anyParent ? [anyParent] : []);
      if (parents.length === 0) continue;
      this.add(next, node(policy, [policy], [...parents]));
      present.add(policy);
    }
    if (anyPolicyAllowed && policies.includes(ANY_POLICY)) {
      // (d)(2): every expected policy not already a child gets one, under every node that expects it.
      for (const [policy, parents] of expecting) {
        if (!present.has(policy)) this.add(next, node(policy, [policy], [...parents]));
      }
    }
    this.levels.push(next);
    this.prune();
  }

  /** §6.1.3 (e): a certificate without certificatePolicies makes the tree NULL. */
  clear(): void {
    for (const level of this.levels) for (const n of level) n.deleted = true;
  }

  /**
   * §6.1.4 (b): apply policy mappings at the current depth. `allowed` is policy_mapping > 0: the
   * mapped nodes get new expected sets (or are generated under anyPolicy's parent); otherwise they are
   * deleted.
   */
  applyMappings(mappings: ReadonlyMap<string, readonly string[]>, allowed: boolean): void {
    const level = this.leaves;
    const byPolicy = new Map(live(level).map((n) => [n.policy, n]));
    const anyNode = byPolicy.get(ANY_POLICY);
    for (const [issuerPolicy, subjectPolicies] of mappings) {
      const existing = byPolicy.get(issuerPolicy);
      if (!allowed) {
        if (existing) existing.deleted = true;
      } else if (existing) {
        existing.expected = new Set(subjectPolicies);
      } else if (anyNode) {
        this.add(level, node(issuerPolicy, subjectPolicies, [...anyNode.parents]));
      }
    }
    if (!allowed) this.prune();
  }

  /** §6.1.5 (g)(iii): intersect with a user-initial-policy-set that is not anyPolicy. */
  intersect(initial: ReadonlySet<string>): void {
    // (1)-(2) authority nodes outside the initial set go.
    for (const level of this.levels) {
      for (const n of level) if (!n.deleted && underAnyPolicy(n) && !initial.has(n.policy)) n.deleted = true;
    }
    this.prune();
    // (3) an anyPolicy leaf stands for every initial policy not yet present among the authority nodes.
    const anyLeaf = live(this.leaves).find((n) => n.policy === ANY_POLICY);
    if (anyLeaf) {
      const authority = new Set(
        this.liveNodes()
          .filter(underAnyPolicy)
          .map((n) => n.policy),
      );
      for (const policy of initial) {
        if (!authority.has(policy)) this.add(this.leaves, node(policy, [policy], [...anyLeaf.parents]));
      }
      anyLeaf.deleted = true;
      this.prune();
    }
  }

  /**
   * The authorities-constrained policy set: `[anyPolicy]` when an anyPolicy leaf remains (every policy is
   * acceptable, whatever else the tree holds), else the policies of the authority nodes (in the trust
   * anchor's policy domain) that lead to a leaf. After `intersect` this is the user-constrained policy set.
   */
  authorityPolicies(): string[] {
    if (this.isNull) return [];
    if (live(this.leaves).some((n) => n.policy === ANY_POLICY)) return [ANY_POLICY];
    return [
      ...new Set(
        this.liveNodes()
          .filter(underAnyPolicy)
          .map((n) => n.policy),
      ),
    ].sort();
  }

  private liveNodes(): PolicyNode[] {
    return this.levels.flatMap(live);
  }

  /**
   * Removes nodes cut off by deletions: first those whose parents are all gone (the tree's "delete the
   * subtree"), then, bottom-up, non-leaf nodes left without children (§6.1.3 (d)(3)).
   */
  private prune(): void {
    for (let d = 1; d < this.levels.length; d++) {
      for (const n of this.levels[d]!) {
        if (n.deleted) continue;
        n.parents = n.parents.filter((p) => !p.deleted);
        if (n.parents.length === 0) n.deleted = true;
      }
    }
    for (let d = this.levels.length - 2; d >= 0; d--) {
      const withChildren = new Set<PolicyNode>();
      for (const child of this.levels[d + 1]!)
        if (!child.deleted) for (const p of child.parents) withChildren.add(p);
      for (const n of this.levels[d]!) if (!withChildren.has(n)) n.deleted = true;
    }
  }
}
