/**
 * Small interfaces between the pure core and the outside world. Adapters in shared/adapters implement them.
 */

/** One HTTP GET, already guarded (scheme, address, size, time, redirects) by the adapter. */
export interface FetchRequest {
  readonly url: string;
  /** Revalidation validators from an earlier response. */
  readonly etag?: string;
  readonly lastModified?: string;
}

export type FetchResult =
  | {
      readonly ok: true;
      /** 200 with a body, or 304 (not modified: body empty, keep the cached copy). */
      readonly status: 200 | 304;
      readonly body: Uint8Array;
      readonly etag?: string;
      readonly lastModified?: string;
      /** The URL finally answered, after redirects. */
      readonly finalUrl: string;
    }
  | {
      readonly ok: false;
      /** Why it failed, in words fit for a problem message ("timed out after 5000 ms", "refused: 10.0.0.1 is a private address"). */
      readonly reason: string;
      readonly kind: "refused" | "timeout" | "too-large" | "http-status" | "network" | "bad-url";
    };

/** Fetches CRLs and AIA issuer certificates. Never throws for network trouble: it answers `ok: false`. */
export interface Fetcher {
  get(request: FetchRequest): Promise<FetchResult>;
}

/** The time, passed in so that decisions stay pure and testable. */
export interface Clock {
  now(): Date;
}
