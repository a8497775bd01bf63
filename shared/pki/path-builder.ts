/**
 * Certification path building: from a leaf to any trust anchor through the given intermediates and the
 * certificates its AIA caIssuers URLs point at (RFC 4158 in spirit).
 *
 * Candidate paths are produced lazily, best first, so the engine can stop at the first that validates and
 * only fall back to alternatives (an expired intermediate beside its renewal, a cross-signed CA, a wrong
 * key under the right name) when it must. The search is a depth-first walk with backtracking; it never
 * puts a certificate (by thumbprint, or by subject name and key) on one path twice, stops at a depth
 * limit, and counts every candidate it considers against a budget, so that a pile of look-alike CAs
 * (x509-limbo `pathological::`) costs a bounded amount of work instead of an exponential one.
 */
import type { Certificate } from "./certificate.ts";
import { AccessMethod } from "./extensions.ts";
import { type CertificateIndex, caIdentity, type TrustStore } from "./trust-store.ts";

/** Default limit on the logical (not self-issued) intermediates of a path. */
export const DEFAULT_MAX_DEPTH = 10;
/** Default budget of issuer candidates one search may consider. */
export const DEFAULT_MAX_CANDIDATES = 1000;
/** Default limit on AIA fetches one search may make. */
export const DEFAULT_MAX_FETCHES = 8;

export interface PathBuilderOptions {
  /** Used to prefer issuers valid at that time. */
  readonly time: Date;
  readonly anchors: TrustStore;
  readonly intermediates: CertificateIndex;
  /** Fetches the certificates at an http AIA caIssuers URL; absent when offline. May throw. */
  readonly fetchIssuers?: (url: string) => Promise<readonly Certificate[]>;
  /** Only anchors this accepts end a path (a CRL signer must chain to the certificate's own anchor). */
  readonly acceptAnchor?: (anchor: Certificate) => boolean;
  /** Maximum logical intermediates (self-issued ones don't count, as for pathLenConstraint). */
  readonly maxDepth?: number;
  readonly maxCandidates?: number;
  readonly maxFetches?: number;
}

/** One candidate path: trust anchor first, leaf last (RFC 5280 order). */
export interface CandidatePath {
  readonly certificates: readonly Certificate[];
  readonly anchor: Certificate;
}

/** What the search ran into; read it after the paths are exhausted to explain a missing path. */
export interface BuildReport {
  /** Certificates for which no issuer was found anywhere (the dead ends). */
  readonly noIssuer: Certificate[];
  /** The longest partial chain seen, leaf first. */
  longestChain: readonly Certificate[];
  depthLimited: boolean;
  budgetExhausted: boolean;
  loops: number;
  readonly fetchFailures: { url: string; reason: string }[];
}

export interface PathSearch {
  readonly paths: AsyncIterable<CandidatePath>;
  readonly report: BuildReport;
}

const isHttpUrl = (s: string): boolean => /^http:\/\//i.test(s);

/** The http caIssuers URLs of `cert`'s AIA extension (HTTPS would need a path to validate the fetch itself). */
export function caIssuersUrls(cert: Certificate): string[] {
  const urls: string[] = [];
  for (const ad of cert.authorityInfoAccess ?? []) {
    if (ad.method !== AccessMethod.caIssuers || ad.location.type !== "uniformResourceIdentifier") continue;
    if (isHttpUrl(ad.location.value)) urls.push(ad.location.value);
  }
  return urls;
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

/** 0 when the child's AKI keyIdentifier equals the candidate's SKI, 2 when they differ, 1 when unknown. */
function keyIdRank(child: Certificate, candidate: Certificate): number {
  const aki = child.authorityKeyIdentifier?.keyIdentifier;
  const ski = candidate.subjectKeyIdentifier;
  if (!aki || !ski) return 1;
  return equalBytes(aki, ski) ? 0 : 2;
}

const validAt = (c: Certificate, t: number): boolean =>
  c.notBefore.getTime() <= t && t <= c.notAfter.getTime();

/** Orders issuer candidates best first: AKI/SKI match, then valid now, then anchors; otherwise as given. */
function rankCandidates(
  child: Certificate,
  candidates: readonly Certificate[],
  anchors: TrustStore,
  time: number,
): readonly Certificate[] {
  // The common case (one CA per name) needs no ranking: skip the allocations for 10,000 leaves.
  if (candidates.length < 2) return candidates;
  const score = (c: Certificate): number =>
    keyIdRank(child, c) * 4 + (validAt(c, time) ? 0 : 2) + (anchors.anchorFor(c) ? 0 : 1);
  return candidates
    .map((c, i) => ({ c, i, s: score(c) }))
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map((x) => x.c);
}

class Search {
  readonly report: BuildReport = {
    noIssuer: [],
    longestChain: [],
    depthLimited: false,
    budgetExhausted: false,
    loops: 0,
    fetchFailures: [],
  };
  readonly #o: PathBuilderOptions;
  readonly #maxDepth: number;
  readonly #maxCandidates: number;
  readonly #fetched = new Map<string, readonly Certificate[]>();
  #work = 0;
  #fetches = 0;

  constructor(options: PathBuilderOptions) {
    this.#o = options;
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.#maxCandidates = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  }

  #anchorOf(c: Certificate): Certificate | undefined {
    const anchor = this.#o.anchors.anchorFor(c);
    if (anchor && (this.#o.acceptAnchor?.(anchor) ?? true)) return anchor;
    return undefined;
  }

  async *run(leaf: Certificate): AsyncGenerator<CandidatePath> {
    const chain = [leaf];
    this.report.longestChain = [leaf];
    // A trusted leaf is its own path: the anchor is its name and key, nothing above it is consulted.
    const self = this.#anchorOf(leaf);
    if (self) yield { certificates: [self], anchor: self };
    yield* this.#extend(chain, new Set([leaf.thumbprint, caIdentity(leaf)]), 0);
  }

  async *#extend(chain: Certificate[], seen: Set<string>, depth: number): AsyncGenerator<CandidatePath> {
    const current = chain[chain.length - 1]!;
    const tried = new Set<string>();
    let any = false;
    const local = [
      ...this.#o.anchors.bySubject(current.issuer.key),
      ...this.#o.intermediates.bySubject(current.issuer.key),
    ];
    for (const c of rankCandidates(current, local, this.#o.anchors, this.#o.time.getTime())) {
      if (this.report.budgetExhausted) return;
      any = true;
      if (this.#markTried(tried, c)) yield* this.#try(chain, seen, depth, c);
    }
    for (const url of caIssuersUrls(current)) {
      const fetched = (await this.#fetch(url)).filter(
        (c) => c.subject.key === current.issuer.key && !tried.has(c.thumbprint),
      );
      for (const c of rankCandidates(current, fetched, this.#o.anchors, this.#o.time.getTime())) {
        if (this.report.budgetExhausted) return;
        any = true;
        if (this.#markTried(tried, c)) yield* this.#try(chain, seen, depth, c);
      }
    }
    if (!any) this.report.noIssuer.push(current);
  }

  /** False when `c`, or the anchor it stands for, was already tried at this step. */
  #markTried(tried: Set<string>, c: Certificate): boolean {
    const key = this.#anchorOf(c)?.thumbprint ?? c.thumbprint;
    if (tried.has(key)) return false;
    tried.add(key);
    return true;
  }

  async *#try(
    chain: Certificate[],
    seen: Set<string>,
    depth: number,
    c: Certificate,
  ): AsyncGenerator<CandidatePath> {
    if (++this.#work > this.#maxCandidates) {
      this.report.budgetExhausted = true;
      return;
    }
    const anchor = this.#anchorOf(c);
    if (anchor) {
      if (seen.has(caIdentity(anchor))) return;
      yield { certificates: [anchor, ...[...chain].reverse()], anchor };
      return;
    }
    if (seen.has(c.thumbprint) || seen.has(caIdentity(c))) {
      this.report.loops++;
      return;
    }
    const nextDepth = c.selfIssued ? depth : depth + 1;
    // Self-issued links don't count towards the depth, so cap the raw length too.
    if (nextDepth > this.#maxDepth || chain.length > 2 * this.#maxDepth + 2) {
      this.report.depthLimited = true;
      return;
    }
    seen.add(c.thumbprint).add(caIdentity(c));
    chain.push(c);
    if (chain.length > this.report.longestChain.length) this.report.longestChain = [...chain];
    try {
      yield* this.#extend(chain, seen, nextDepth);
    } finally {
      chain.pop();
      seen.delete(c.thumbprint);
      seen.delete(caIdentity(c));
    }
  }

  async #fetch(url: string): Promise<readonly Certificate[]> {
    const known = this.#fetched.get(url);
    if (known) return known;
    const fetchIssuers = this.#o.fetchIssuers;
    if (!fetchIssuers || this.#fetches >= (this.#o.maxFetches ?? DEFAULT_MAX_FETCHES)) return [];
    this.#fetches++;
    let certs: readonly Certificate[] = [];
    try {
      certs = await fetchIssuers(url);
    } catch (e) {
      this.report.fetchFailures.push({ url, reason: e instanceof Error ? e.message : String(e) });
    }
    this.#fetched.set(url, certs);
    return certs;
  }
}

/**
 * Starts a lazy search for candidate paths from `leaf` to an anchor. Iterate `paths` (best first); once
 * done, `report` explains dead ends. Nothing is fetched until the local candidates are exhausted.
 */
export function buildPaths(leaf: Certificate, options: PathBuilderOptions): PathSearch {
  const search = new Search(options);
  return { paths: { [Symbol.asyncIterator]: () => search.run(leaf) }, report: search.report };
}
