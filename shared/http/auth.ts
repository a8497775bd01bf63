/**
 * Bearer tokens (DESIGN.md "HTTP"): every route but `health` and `graph/*` takes an Entra ID access token
 * for this API, and its app roles decide what the caller may do.
 *
 * One code path checks every token, in Azure and in local mode; only the key set and the issuer differ
 * (Entra's published keys, or the demo issuer's key in demo-issuer.ts). What is checked, in order:
 * a well-formed `Authorization: Bearer` header, the signature against the key set (with the algorithms
 * that key set uses), the issuer, the audience, expiry and not-before with a small clock tolerance, and
 * `tid` equal to the tenant. Then the route's role: `SmimeLifecycle.Reader` for reads,
 * `SmimeLifecycle.Admin` for changes, and Admin implies Reader.
 *
 * Issuers accepted for Entra: both `https://login.microsoftonline.com/{tenant}/v2.0` (v2.0 tokens) and
 * `https://sts.windows.net/{tenant}/` (v1.0 tokens). Which one Entra issues is not the caller's choice: it
 * follows the API app registration's `accessTokenAcceptedVersion` (requestedAccessTokenVersion), which is
 * null, meaning v1.0, unless someone sets it to 2. Both are signed by the same tenant keys published at the
 * same JWKS endpoint and carry the same `tid` and `roles`, so accepting both admits no one a single
 * version would refuse, while refusing v1.0 would lock out every caller of a default registration.
 *
 * The token itself never goes into a log line or an error message.
 */
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from "jose";
import { z } from "zod";
import type { Clock } from "../ports.ts";
import { HttpError, unavailable } from "./errors.ts";

/** The app roles of the API's app registration. */
export const AppRoles = { reader: "SmimeLifecycle.Reader", admin: "SmimeLifecycle.Admin" } as const;
export type Role = keyof typeof AppRoles;

/** Who is calling, as the token says. */
export interface Principal {
  /** The caller's object id (`oid`), else the token's subject. */
  readonly id: string;
  /** A name for logs and audit: the UPN, preferred_username, or the client app id for app-only tokens. */
  readonly name: string;
  readonly tenantId: string;
  readonly roles: ReadonlySet<Role>;
}

export interface TokenVerifier {
  /**
   * The principal of a valid token in an `Authorization` header value.
   * @throws HttpError 401 (`invalid_token`) for a missing or invalid token; 503 when the keys cannot be fetched
   */
  verify(authorization: string | undefined): Promise<Principal>;
}

export interface TokenVerifierOptions {
  /** Where signing keys come from: a remote JWKS (Entra) or a local one (demo issuer, tests). */
  readonly keys: JWTVerifyGetKey;
  readonly issuers: readonly string[];
  /** AUTH_AUDIENCE: the API's client id or App ID URI (v1.0 tokens may carry either). */
  readonly audience: string | readonly string[];
  readonly tenantId: string;
  /** The signature algorithms accepted; anything else is refused before a key is looked up. */
  readonly algorithms: readonly string[];
  readonly clock: Clock;
  /** Clock skew forgiven on `exp` and `nbf`. Default 60 s. */
  readonly clockToleranceSeconds?: number;
}

/** Entra access tokens are larger with many claims but never near this; anything bigger is not one. */
const MAX_TOKEN_LENGTH = 16_384;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const Claims = z.object({
  tid: z.string().min(1),
  sub: z.string().min(1).optional(),
  oid: z.string().min(1).optional(),
  upn: z.string().optional(),
  preferred_username: z.string().optional(),
  azp: z.string().optional(),
  appid: z.string().optional(),
  roles: z.array(z.string()).default([]),
});

/** The bearer-token check shared by the Entra verifier and the demo issuer's. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const tenantId = options.tenantId.toLowerCase();
  return {
    async verify(authorization) {
      const token = bearerToken(authorization);
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, options.keys, {
          algorithms: [...options.algorithms],
          issuer: [...options.issuers],
          audience: typeof options.audience === "string" ? options.audience : [...options.audience],
          currentDate: options.clock.now(),
          clockTolerance: options.clockToleranceSeconds ?? 60,
          requiredClaims: ["exp", "tid"],
        }));
      } catch (e) {
        throw explain(e);
      }
      const claims = Claims.safeParse(payload);
      if (!claims.success) throw invalidToken("the bearer token's claims are malformed");
      if (claims.data.tid.toLowerCase() !== tenantId)
        throw invalidToken("the bearer token is from another tenant");
      return principalOf(claims.data);
    },
  };
}

/** Entra ID's token check for tenant `tenantId` and this API's audience, keys fetched from the tenant's JWKS. */
export function createEntraTokenVerifier(settings: {
  readonly tenantId: string;
  readonly audience: string | readonly string[];
  readonly clock: Clock;
}): TokenVerifier {
  const keys = createRemoteJWKSet(
    new URL(`https://login.microsoftonline.com/${encodeURIComponent(settings.tenantId)}/discovery/v2.0/keys`),
    // Entra rolls keys every few weeks and publishes the new one well before use: an hour's cache is safe;
    // an unknown kid still refetches, at most every 30 s so a flood of forged kids cannot hammer Entra.
    { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 3_600_000 },
  );
  return createTokenVerifier({
    keys,
    issuers: entraIssuers(settings.tenantId),
    audience: settings.audience,
    tenantId: settings.tenantId,
    algorithms: ["RS256"],
    clock: settings.clock,
  });
}

/** The v2.0 and v1.0 issuers of a tenant (see the file comment for why both). */
export function entraIssuers(tenantId: string): string[] {
  return [`https://login.microsoftonline.com/${tenantId}/v2.0`, `https://sts.windows.net/${tenantId}/`];
}

/** Admin implies Reader. */
export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.has(role) || (role === "reader" && principal.roles.has("admin"));
}

/** @throws HttpError 403 when the principal lacks `role` */
export function requireRole(principal: Principal, role: Role): void {
  if (hasRole(principal, role)) return;
  throw new HttpError(403, "forbidden", `this route needs the ${AppRoles[role]} app role`, {
    "www-authenticate": `Bearer error="insufficient_scope", error_description="needs the ${AppRoles[role]} app role"`,
  });
}

function bearerToken(authorization: string | undefined): string {
  // RFC 6750 §3.1: a request without credentials gets the challenge without an error code.
  if (authorization === undefined || authorization.trim() === "")
    throw new HttpError(401, "invalid_token", "a bearer token is required", {
      "www-authenticate": 'Bearer realm="smime-lifecycle"',
    });
  if (authorization.length > MAX_TOKEN_LENGTH + 7) throw invalidToken("the bearer token is malformed");
  const token = BEARER.exec(authorization)?.[1];
  if (token === undefined || !JWT_SHAPE.test(token)) throw invalidToken("the bearer token is malformed");
  return token;
}

function invalidToken(message: string): HttpError {
  return new HttpError(401, "invalid_token", message, {
    "www-authenticate": `Bearer realm="smime-lifecycle", error="invalid_token", error_description="${message}"`,
  });
}

const CLAIM_MESSAGES: Readonly<Record<string, string>> = {
  aud: "the bearer token was not issued for this API",
  iss: "the bearer token's issuer is not trusted",
  nbf: "the bearer token is not valid yet",
  exp: "the bearer token has no expiry",
  tid: "the bearer token has no tenant",
};

/** A jose failure in words fit for the caller; trouble fetching keys is ours, not the token's. */
function explain(e: unknown): HttpError {
  if (e instanceof errors.JWTExpired) return invalidToken("the bearer token has expired");
  if (e instanceof errors.JWTClaimValidationFailed)
    return invalidToken(CLAIM_MESSAGES[e.claim] ?? "the bearer token's claims are not accepted");
  if (e instanceof errors.JWSSignatureVerificationFailed || e instanceof errors.JWKSNoMatchingKey)
    return invalidToken("the bearer token's signature does not verify");
  if (e instanceof errors.JOSEAlgNotAllowed)
    return invalidToken("the bearer token's algorithm is not accepted");
  if (
    e instanceof errors.JWSInvalid ||
    e instanceof errors.JWTInvalid ||
    e instanceof errors.JOSENotSupported
  )
    return invalidToken("the bearer token is malformed");
  if (e instanceof errors.JWKSMultipleMatchingKeys)
    return invalidToken("the bearer token's key id is ambiguous");
  // JWKSTimeout, JWKSInvalid, a failed fetch: the keys could not be had, which says nothing of the token.
  return unavailable("the token signing keys cannot be fetched; try again shortly", 5, e);
}

function principalOf(claims: z.infer<typeof Claims>): Principal {
  const roles = new Set<Role>();
  if (claims.roles.includes(AppRoles.reader)) roles.add("reader");
  if (claims.roles.includes(AppRoles.admin)) roles.add("admin");
  return {
    id: claims.oid ?? claims.sub ?? "unknown",
    name: claims.upn ?? claims.preferred_username ?? claims.azp ?? claims.appid ?? claims.oid ?? "unknown",
    tenantId: claims.tid,
    roles,
  };
}
