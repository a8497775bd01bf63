/**
 * The validation engine: builds candidate paths for a leaf, validates them (RFC 5280 §6.1), checks
 * revocation (§6.3) and returns the first fully valid path, or the best failing one with every problem.
 *
 * One engine serves a whole batch (the CLI validates directories of 10,000 certificates): the anchor and
 * intermediate indexes, the AIA fetch results and the list of candidate CRL signers are built once;
 * signature results are cached in signature.ts and CRLs by the fetcher, so the issuing CA's work is paid
 * once, not once per leaf.
 */
import type { Certificate } from "./certificate.ts";
import type { Crl } from "./crl.ts";
import { formatName } from "./name.ts";
import { type BuildReport, buildPaths, type CandidatePath } from "./path-builder.ts";
import { checkCriticalExtensions, checkValidity, validatePath } from "./path-validation.ts";
import { DEFAULT_POLICY_INPUTS, type PolicyInputs } from "./policy-tree.ts";
import { error, type Problem, ProblemCode } from "./problems.ts";
import { type CrlFetchResult, checkRevocation, type RevocationContext } from "./revocation.ts";
import { CertificateIndex, caIdentity, TrustStore } from "./trust-store.ts";

export interface EngineOptions {
  /** The validation time. */
  readonly time: Date;
  /** The trust anchors (Exchange Online's virtual certificate collection). */
  readonly anchors: TrustStore | readonly Certificate[];
  /** Untrusted intermediates offered for path building. */
  readonly intermediates?: readonly Certificate[];
  /** CRLs given up front (parsed); consulted before any fetch. */
  readonly crls?: readonly Crl[];
  /** Fetches a CRL by URL; absent = offline. */
  readonly fetchCrl?: (url: string) => Promise<CrlFetchResult>;
  /** Fetches the certificates at an AIA caIssuers URL (DER or PKCS#7 body); absent = offline. */
  readonly fetchIssuers?: (url: string) => Promise<readonly Certificate[]>;
  /** Check revocation (default true). */
  readonly revocation?: boolean;
  /** RFC 5280 §6.1.1 policy inputs; default: any policy. */
  readonly policy?: PolicyInputs;
  /** Maximum logical intermediates per path (default 10). */
  readonly maxDepth?: number;
  /** Budget of issuer candidates per leaf (default 1000). */
  readonly maxCandidates?: number;
}

export interface ChainResult {
  /** The chosen path, leaf first and anchor last; undefined when no path reaches an anchor. */
  readonly chain: Certificate[] | undefined;
  /** Every problem of the chosen path (or of the leaf, when no path was found). */
  readonly problems: Problem[];
  /** The anchor the chain ends at. */
  readonly anchor?: Certificate;
  /** The user-constrained policy set of the chosen path when policy processing succeeded. */
  readonly userConstrainedPolicySet?: string[];
  /** When no path was found: the longest partial chain built, leaf first (for display). */
  readonly partialChain?: Certificate[];
}

/** Per-call settings; anything left out comes from the engine's options. */
export interface ValidateOptions {
  readonly time?: Date;
  readonly policy?: PolicyInputs;
  readonly revocation?: boolean;
}

export interface Engine {
  validate(leaf: Certificate, options?: ValidateOptions): Promise<ChainResult>;
}

/** At most this many candidate paths are validated per leaf; the builder's budget bounds the search. */
const MAX_PATHS = 50;
/** CRL signers' own paths are revocation-checked this many levels deep, then trusted as built. */
const MAX_SIGNER_DEPTH = 2;

interface Run {
  readonly time: Date;
  readonly policy: PolicyInputs;
  readonly revocation: boolean;
  /** Restricts the anchors (a CRL signer must chain to the certificate's anchor). */
  readonly anchor?: Certificate;
  readonly signerDepth: number;
  /** CRL signers being validated up the stack, by thumbprint, to stop a signer checking itself forever. */
  readonly inProgress: ReadonlySet<string>;
}

interface Attempt {
  readonly path: CandidatePath;
  readonly problems: Problem[];
  readonly errors: number;
  readonly policySet?: readonly string[];
}

const errorCount = (problems: readonly Problem[]): number =>
  problems.filter((p) => p.severity === "error").length;

class ValidationEngine implements Engine {
  readonly #options: EngineOptions;
  readonly #anchors: TrustStore;
  readonly #intermediates: CertificateIndex;
  readonly #signers: readonly Certificate[];
  readonly #issuerFetches = new Map<string, Promise<readonly Certificate[]>>();
  readonly #signerVerdicts = new Map<string, Promise<readonly Problem[]>>();
  readonly #fetchIssuers?: (url: string) => Promise<readonly Certificate[]>;

  constructor(options: EngineOptions) {
    this.#options = options;
    this.#anchors = options.anchors instanceof TrustStore ? options.anchors : new TrustStore(options.anchors);
    this.#intermediates = new CertificateIndex(options.intermediates ?? []);
    this.#signers = [...this.#intermediates.all(), ...this.#anchors.all()];
    const fetch = options.fetchIssuers;
    if (fetch) this.#fetchIssuers = (url) => this.#cachedIssuers(url, fetch);
  }

  validate(leaf: Certificate, options: ValidateOptions = {}): Promise<ChainResult> {
    return this.#run(leaf, {
      time: options.time ?? this.#options.time,
      policy: options.policy ?? this.#options.policy ?? DEFAULT_POLICY_INPUTS,
      revocation: options.revocation ?? this.#options.revocation ?? true,
      signerDepth: 0,
      inProgress: new Set(),
    });
  }

  /** One fetch per URL for the engine's lifetime: 10,000 leaves of one CA share its caIssuers URL. */
  #cachedIssuers(url: string, fetch: (url: string) => Promise<readonly Certificate[]>) {
    let pending = this.#issuerFetches.get(url);
    if (!pending) {
      pending = fetch(url);
      this.#issuerFetches.set(url, pending);
    }
    return pending;
  }

  async #run(leaf: Certificate, run: Run): Promise<ChainResult> {
    const anchorId = run.anchor && caIdentity(run.anchor);
    const search = buildPaths(leaf, {
      time: run.time,
      anchors: this.#anchors,
      intermediates: this.#intermediates,
      ...(this.#fetchIssuers && { fetchIssuers: this.#fetchIssuers }),
      ...(anchorId && { acceptAnchor: (a: Certificate) => caIdentity(a) === anchorId }),
      ...(this.#options.maxDepth !== undefined && { maxDepth: this.#options.maxDepth }),
      ...(this.#options.maxCandidates !== undefined && { maxCandidates: this.#options.maxCandidates }),
    });
    let bestFailing: Attempt | undefined;
    let firstRevoked: Attempt | undefined;
    let tried = 0;
    for await (const path of search.paths) {
      const result = validatePath(path.certificates, { time: run.time, policy: run.policy });
      const attempt: Attempt = {
        path,
        problems: result.problems,
        errors: errorCount(result.problems),
        ...(result.userConstrainedPolicySet && { policySet: result.userConstrainedPolicySet }),
      };
      if (attempt.errors === 0) {
        const checked = await this.#withRevocation(attempt, run);
        // A revoked or unverifiable path may have a clean alternative (a cross-signed CA); keep looking.
        if (checked.errors === 0) return this.#result(checked);
        firstRevoked ??= checked;
      } else if (!bestFailing || attempt.errors < bestFailing.errors) {
        bestFailing = attempt;
      }
      if (++tried >= MAX_PATHS) break;
    }
    if (firstRevoked) return this.#result(firstRevoked);
    if (bestFailing) return this.#result(await this.#withRevocation(bestFailing, run));
    return untrusted(leaf, search.report, run.time);
  }

  async #withRevocation(attempt: Attempt, run: Run): Promise<Attempt> {
    const path = attempt.path.certificates;
    if (!run.revocation || path.length < 2) return attempt;
    const revocation = await checkRevocation(path, this.#revocationContext(path, run));
    if (revocation.length === 0) return attempt;
    const problems = [...attempt.problems, ...revocation];
    return { ...attempt, problems, errors: errorCount(problems) };
  }

  #revocationContext(path: readonly Certificate[], run: Run): RevocationContext {
    return {
      time: run.time,
      crls: this.#options.crls ?? [],
      ...(this.#options.fetchCrl && { fetchCrl: this.#options.fetchCrl }),
      candidateSigners: [...path, ...this.#signers],
      validateSigner: (signer, anchor) => this.#validateSigner(signer, anchor, run),
    };
  }

  /**
   * RFC 5280 §6.3.3 (f): a CRL signer other than the certificate's issuer needs its own path to the same
   * anchor. Its revocation is checked too, but only MAX_SIGNER_DEPTH levels deep and never for a signer
   * already being checked further up, so a CA whose CRL signer is covered by its own CRL terminates.
   */
  #validateSigner(signer: Certificate, anchor: Certificate, run: Run): Promise<readonly Problem[]> {
    // Top-level verdicts are shared by every leaf of a batch: one CRL signer, one path validation.
    if (run.signerDepth > 0) return this.#validateSignerPath(signer, anchor, run);
    const key = `${signer.thumbprint}|${caIdentity(anchor)}|${run.time.getTime()}|${run.revocation}`;
    let verdict = this.#signerVerdicts.get(key);
    if (!verdict) {
      verdict = this.#validateSignerPath(signer, anchor, run);
      this.#signerVerdicts.set(key, verdict);
    }
    return verdict;
  }

  async #validateSignerPath(signer: Certificate, anchor: Certificate, run: Run): Promise<readonly Problem[]> {
    const recursing = run.inProgress.has(signer.thumbprint) || run.signerDepth >= MAX_SIGNER_DEPTH;
    const result = await this.#run(signer, {
      time: run.time,
      policy: DEFAULT_POLICY_INPUTS,
      revocation: run.revocation && !recursing,
      anchor,
      signerDepth: run.signerDepth + 1,
      inProgress: new Set([...run.inProgress, signer.thumbprint]),
    });
    return result.problems.filter((p) => p.severity === "error");
  }

  #result(attempt: Attempt): ChainResult {
    const chain = [...attempt.path.certificates].reverse();
    return {
      chain,
      problems: attempt.problems,
      anchor: attempt.path.anchor,
      ...(attempt.policySet && { userConstrainedPolicySet: [...attempt.policySet] }),
    };
  }
}

/** Why no path reached an anchor, in words an admin can act on. */
function untrustedReason(report: BuildReport): string {
  const top = report.longestChain.at(-1);
  const reasons: string[] = [];
  if (top?.selfIssued) {
    reasons.push(`the chain ends at self-issued '${formatName(top.subject)}', which is not a trust anchor`);
  } else if (report.noIssuer.length > 0) {
    const dead = report.noIssuer.includes(top!) ? top! : report.noIssuer[0]!;
    reasons.push(
      `no issuer found for '${formatName(dead.subject)}' (issued by '${formatName(dead.issuer)}')`,
    );
  }
  if (report.budgetExhausted) reasons.push("path building gave up after its candidate budget");
  if (report.depthLimited) reasons.push("paths beyond the depth limit were not followed");
  if (reasons.length === 0 && report.loops > 0) reasons.push("every candidate path loops back on itself");
  for (const f of report.fetchFailures) reasons.push(`fetching ${f.url} failed: ${f.reason}`);
  return reasons.length > 0 ? reasons.join("; ") : "no path to a trust anchor";
}

/** The result for a leaf with no path to any anchor: CHAIN_UNTRUSTED, plus what can be said of the leaf alone. */
function untrusted(leaf: Certificate, report: BuildReport, time: Date): ChainResult {
  const subject = formatName(leaf.subject);
  const problems: Problem[] = [
    error(ProblemCode.CHAIN_UNTRUSTED, `no path to a trust anchor: ${untrustedReason(report)}`, {
      certificate: subject,
      index: 0,
    }),
    ...checkValidity({ cert: leaf, index: 0 }, time),
    ...checkCriticalExtensions({ cert: leaf, index: 0 }),
  ];
  return { chain: undefined, problems, partialChain: [...report.longestChain] };
}

/** Creates an engine whose indexes and caches are shared by every `validate` call (batch validation). */
export const createEngine = (options: EngineOptions): Engine => new ValidationEngine(options);

/** Validates one leaf; for many leaves, create one engine with `createEngine` and reuse it. */
export const validateChain = (leaf: Certificate, options: EngineOptions): Promise<ChainResult> =>
  createEngine(options).validate(leaf);
