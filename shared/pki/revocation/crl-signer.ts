/**
 * Who signed a CRL: RFC 5280 §6.3.3 (e) and (f). The certificate's issuer when its key verifies the CRL,
 * else another certificate named like the CRL issuer (a separate CRL-signing key, PKITS 4.4.19; an indirect
 * CRL issuer, 4.14) whose own path to the same anchor checks out. A signer with a keyUsage needs cRLSign.
 */
import type { Certificate } from "../certificate.ts";
import type { Crl } from "../crl.ts";
import { KeyUsage } from "../extensions.ts";
import { namesEqual } from "../name.ts";
import { hasErrors, type Problem } from "../problems.ts";
import { dsaParametersOf, type VerifyResult, verifySignature } from "../signature.ts";

/** What a signer search needs from the revocation context. */
export interface SignerSearch {
  /** The path being checked, anchor first. */
  readonly path: readonly Certificate[];
  /** The certificate whose status is wanted is path[index]; its issuer is path[index - 1]. */
  readonly index: number;
  readonly candidates: readonly Certificate[];
  readonly validateSigner: (signer: Certificate) => Promise<readonly Problem[]>;
}

export type SignerResult = { readonly signer: Certificate } | { readonly reason: string };

// Hashing a multi-megabyte tbsCertList per leaf would dominate a large run, so verdicts are kept per CRL
// object and signer, on top of signature.ts's own cache.
const verdicts = new WeakMap<Crl, Map<string, VerifyResult>>();

/** DSA keys may inherit their parameters from up the path (RFC 5280 §6.1.4 (f)). */
function inheritedDsaParameters(path: readonly Certificate[], signer: Certificate): Uint8Array | undefined {
  const at = path.findIndex((c) => c.thumbprint === signer.thumbprint);
  for (let k = at - 1; k >= 0; k--) {
    const params = dsaParametersOf(path[k]!.spki);
    if (params) return params;
  }
  return undefined;
}

/** Verifies the CRL's signature with `signer`'s key, once per CRL object and signer. */
export function verifyCrlSignature(
  crl: Crl,
  signer: Certificate,
  path: readonly Certificate[],
): VerifyResult {
  let bySigner = verdicts.get(crl);
  if (!bySigner) {
    bySigner = new Map();
    verdicts.set(crl, bySigner);
  }
  let result = bySigner.get(signer.thumbprint);
  if (!result) {
    const object = { algorithm: crl.signatureAlgorithm, signed: crl.tbs, signature: crl.signature };
    result = verifySignature(object, signer.spki, inheritedDsaParameters(path, signer));
    bySigner.set(signer.thumbprint, result);
  }
  return result;
}

/** The candidates named like the CRL issuer, the certificate's own issuer first, each once. */
function candidatesFor(crl: Crl, search: SignerSearch): Certificate[] {
  const issuer = search.path[search.index - 1]!;
  const seen = new Set<string>();
  const out: Certificate[] = [];
  for (const c of [issuer, ...search.candidates]) {
    if (seen.has(c.thumbprint) || !namesEqual(c.subject, crl.issuer)) continue;
    seen.add(c.thumbprint);
    out.push(c);
  }
  return out;
}

/** Finds the certificate that signed `crl`, or says why none qualifies. */
export async function findCrlSigner(crl: Crl, search: SignerSearch): Promise<SignerResult> {
  const issuer = search.path[search.index - 1]!;
  const rejected: string[] = [];
  for (const candidate of candidatesFor(crl, search)) {
    const own = candidate.thumbprint === issuer.thumbprint;
    const who = own ? "the issuer" : `certificate ${candidate.serialNumber}`;
    if (candidate.keyUsage !== undefined && !(candidate.keyUsage & KeyUsage.cRLSign)) {
      rejected.push(`${who} lacks the cRLSign key usage`);
      continue;
    }
    const verified = verifyCrlSignature(crl, candidate, search.path);
    if (!verified.ok) {
      rejected.push(`${who}'s key does not verify the CRL (${verified.reason})`);
      continue;
    }
    if (!own) {
      const problems = await search.validateSigner(candidate);
      if (hasErrors(problems)) {
        const first = problems.find((p) => p.severity === "error")!;
        rejected.push(`${who} verifies the CRL but its own path fails (${first.code}: ${first.message})`);
        continue;
      }
    }
    return { signer: candidate };
  }
  if (rejected.length === 0) return { reason: "no certificate of the CRL issuer is known to verify it" };
  return { reason: `no valid CRL signer: ${rejected.join("; ")}` };
}
