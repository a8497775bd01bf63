/**
 * RFC 5280 §6.3 CRL-based revocation checking for every certificate of a path but the anchor.
 *
 * Per-CRL work (the entry index, defect checks, signature verdicts per signer) is cached on the CRL object,
 * so 10,000 leaves under one CA with one 100,000-entry CRL cost one index build, one signature verification
 * and 10,000 hash lookups. The algorithm itself is in revocation/certificate-status.ts.
 */
import type { Certificate } from "./certificate.ts";
import type { Crl } from "./crl.ts";
import type { Problem } from "./problems.ts";
import { certificateStatus } from "./revocation/certificate-status.ts";

export type CrlFetchResult =
  | { readonly ok: true; readonly crl: Crl }
  | {
      readonly ok: false;
      readonly reason: string;
      /** `unusable`: the endpoint answered with something that is not a CRL (CRL_INVALID, not unreachable). */
      readonly kind?: "unreachable" | "unusable";
    };

export interface RevocationContext {
  readonly time: Date;
  /** CRLs given up front (files). Used before any fetch. */
  readonly crls: readonly Crl[];
  /** Fetches (and caches) a CRL by http(s) URL; absent when offline, which makes a needed fetch CRL_UNREACHABLE. */
  readonly fetchCrl?: (url: string) => Promise<CrlFetchResult>;
  /** Certificates that may have signed a CRL (path, intermediates, anchors). */
  readonly candidateSigners: readonly Certificate[];
  /**
   * Validates the certification path of a CRL signer that is not the certificate's own issuer
   * (RFC 5280 §6.3.3 (f)): the signer must chain to the same trust anchor. Returns problems, empty when valid.
   */
  readonly validateSigner: (signer: Certificate, anchor: Certificate) => Promise<readonly Problem[]>;
}

// A signer's path is validated once per context, however many certificates its CRL covers.
const signerVerdicts = new WeakMap<RevocationContext, Map<string, Promise<readonly Problem[]>>>();

function cachedValidateSigner(ctx: RevocationContext, anchor: Certificate) {
  let byThumbprint = signerVerdicts.get(ctx);
  if (!byThumbprint) {
    byThumbprint = new Map();
    signerVerdicts.set(ctx, byThumbprint);
  }
  const cache = byThumbprint;
  return (signer: Certificate): Promise<readonly Problem[]> => {
    const key = `${anchor.thumbprint}|${signer.thumbprint}`;
    let verdict = cache.get(key);
    if (!verdict) {
      verdict = ctx.validateSigner(signer, anchor);
      cache.set(key, verdict);
    }
    return verdict;
  };
}

/**
 * Checks every certificate of `path` (anchor first, end entity last) but the anchor against CRLs: the given
 * ones first, then those fetched from its http(s) distribution points. Returns REVOKED when a CRL lists a
 * certificate (certificateHold included), else CRL_UNREACHABLE / CRL_STALE / CRL_INVALID when no usable
 * CRL settles a certificate's status for every reason; empty when every certificate is proven unrevoked.
 * NONCONFORMANT warnings flag CRLs that break RFC 5280 rules mainstream validators tolerate.
 */
export async function checkRevocation(
  path: readonly Certificate[],
  ctx: RevocationContext,
): Promise<Problem[]> {
  const anchor = path[0];
  if (!anchor) return [];
  const completes = ctx.crls.filter((c) => c.deltaCrlIndicator === undefined);
  const deltas = ctx.crls.filter((c) => c.deltaCrlIndicator !== undefined);
  const validateSigner = cachedValidateSigner(ctx, anchor);
  const problems: Problem[] = [];
  for (let index = 1; index < path.length; index++) {
    const cert = path[index]!;
    const found = await certificateStatus({
      subject: { cert, chainIndex: path.length - 1 - index },
      time: ctx.time,
      completes,
      deltas,
      fetchCrl: ctx.fetchCrl,
      signers: { path, index, candidates: ctx.candidateSigners, validateSigner },
    });
    problems.push(...found);
  }
  return problems;
}
