/**
 * Where the engine gets CRLs and missing intermediates from the network: the guarded HTTP fetcher with a
 * per-URL cache, so a run over 10,000 leaves fetches, parses and verifies each CRL once.
 */
import { createHttpFetcher } from "../adapters/http-fetcher.ts";
import { createCachedFetch } from "../pki/cached-fetch.ts";
import { type Certificate, parseCertificate } from "../pki/certificate.ts";
import { parseCrl } from "../pki/crl.ts";
import { extractCertificates } from "../pki/formats.ts";
import type { CrlFetchResult } from "../pki/revocation.ts";
import type { Clock } from "../ports.ts";

export interface NetworkSources {
  readonly fetchCrl: (url: string) => Promise<CrlFetchResult>;
  readonly fetchIssuers: (url: string) => Promise<readonly Certificate[]>;
}

export function createNetworkSources(options: {
  allowPrivateNetwork: boolean;
  clock: Clock;
}): NetworkSources {
  const fetcher = createHttpFetcher({ allowPrivateNetwork: options.allowPrivateNetwork });
  const crls = createCachedFetch({
    fetcher,
    clock: options.clock,
    parse: (bytes) => parseCrl(bytes),
    // A CRL is good until its nextUpdate; Exchange Online caches it the same way.
    freshUntil: (crl) => crl.nextUpdate,
  });
  const issuers = createCachedFetch({
    fetcher,
    clock: options.clock,
    parse: (bytes, url) => extractCertificates(bytes, url).map(parseCertificate),
    freshUntil: () => undefined,
  });
  return {
    async fetchCrl(url) {
      const r = await crls.get(url);
      if (r.ok) return { ok: true, crl: r.value };
      // An answer that is not a CRL makes revocation undecidable for a different reason than a dead URL.
      return { ok: false, reason: r.reason, kind: r.kind === "parse" ? "unusable" : "unreachable" };
    },
    // Thrown, not swallowed: the path builder records the reason, and CHAIN_UNTRUSTED then says why
    // the issuer could not be fetched (timed out, refused, not a certificate) instead of only "no issuer".
    async fetchIssuers(url) {
      const r = await issuers.get(url);
      if (!r.ok) throw new Error(r.reason);
      return r.value;
    },
  };
}
