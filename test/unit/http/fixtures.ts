/**
 * Builders for the HTTP layer's tests: an Entra-like signing key and tokens minted at fixed times, requests
 * built in memory, and a logger whose lines can be searched.
 */
import {
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWTPayload,
  SignJWT,
} from "jose";
import { createJsonLogger } from "../../../shared/adapters/logger.ts";
import type { AuditRecord, UserRecord } from "../../../shared/contracts/rows.ts";
import type { ApiRequest } from "../../../shared/http/api.ts";
import {
  AppRoles,
  createTokenVerifier,
  entraIssuers,
  type TokenVerifier,
} from "../../../shared/http/auth.ts";
import type { AuditLedger, Clock, UserStore } from "../../../shared/ports.ts";

export const TENANT = "8f3a9c1e-2b4d-4e6f-9a0b-1c2d3e4f5a6b";
export const OTHER_TENANT = "11111111-2222-4333-8444-555555555555";
export const AUDIENCE = "api://smime-lifecycle";
export const NOW = new Date("2026-11-28T12:00:00Z");
export const SECONDS_NOW = Math.floor(NOW.getTime() / 1000);

export const fixedClock = (at: Date = NOW): Clock => ({ now: () => at });

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwks: JSONWebKeySet;
}

/** An RS256 key pair like one of Entra's, with its published JWKS. */
export async function signingKey(kid = "entra-key-1"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return {
    kid,
    privateKey,
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }] },
  };
}

export interface TokenOptions {
  readonly roles?: readonly string[];
  readonly claims?: JWTPayload;
  readonly issuer?: string;
  readonly audience?: string;
  /** Seconds relative to NOW; `null` leaves the claim out. */
  readonly issuedAt?: number;
  readonly notBefore?: number;
  readonly expiresIn?: number | null;
  /** Signs with this key but names `kid` of another (a forged signature). */
  readonly kid?: string;
}

/** An access token as Entra issues them (v2.0 form), minted at fixed times. */
export async function mint(key: SigningKey, options: TokenOptions = {}): Promise<string> {
  const iat = SECONDS_NOW + (options.issuedAt ?? -60);
  const jwt = new SignJWT({
    tid: TENANT,
    oid: "0b7c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3",
    upn: "ops@contoso.com",
    roles: [...(options.roles ?? [AppRoles.reader])],
    ver: "2.0",
    ...options.claims,
  })
    .setProtectedHeader({ alg: "RS256", kid: options.kid ?? key.kid, typ: "JWT" })
    .setIssuer(options.issuer ?? entraIssuers(TENANT)[0]!)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject("subject-1")
    .setIssuedAt(iat)
    .setNotBefore(SECONDS_NOW + (options.notBefore ?? -60));
  if (options.expiresIn !== null) jwt.setExpirationTime(SECONDS_NOW + (options.expiresIn ?? 3600));
  return jwt.sign(key.privateKey);
}

/** The Entra verifier's configuration, with the key set local instead of fetched. */
export function verifierFor(key: SigningKey, clock: Clock = fixedClock()): TokenVerifier {
  return createTokenVerifier({
    keys: createLocalJWKSet(key.jwks),
    issuers: entraIssuers(TENANT),
    audience: AUDIENCE,
    tenantId: TENANT,
    algorithms: ["RS256"],
    clock,
  });
}

export interface RequestOptions {
  readonly method?: string;
  readonly path: string;
  readonly query?: Record<string, string> | string;
  readonly headers?: Record<string, string>;
  /** The body as one chunk, or as several. */
  readonly body?: string | Uint8Array | readonly Uint8Array[];
  /** Content-Length; by default the body's length. */
  readonly declaredLength?: number | null;
}

/** An in-memory request; `pulled` counts the body bytes a handler actually read. */
export function request(options: RequestOptions): ApiRequest & { readonly pulled: () => number } {
  const chunks = toChunks(options.body);
  const headers = new Map(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  let pulled = 0;
  return {
    method: options.method ?? "GET",
    path: options.path,
    query: new URLSearchParams(options.query ?? {}),
    header: (name) => headers.get(name.toLowerCase()),
    body: {
      declaredLength: options.declaredLength === null ? undefined : (options.declaredLength ?? total),
      async *chunks() {
        for (const chunk of chunks) {
          pulled += chunk.byteLength;
          yield chunk;
        }
      },
    },
    pulled: () => pulled,
  };
}

function toChunks(body: RequestOptions["body"]): Uint8Array[] {
  if (body === undefined) return [];
  if (typeof body === "string") return [new TextEncoder().encode(body)];
  if (body instanceof Uint8Array) return [body];
  return [...body];
}

/** A JSON logger whose lines are kept for assertions. */
export function capturingLogger() {
  const lines: string[] = [];
  const logger = createJsonLogger({ level: "debug", write: (line) => lines.push(line), now: () => NOW });
  return { logger, lines, text: () => lines.join("\n") };
}

export const json = (value: unknown) => ({
  body: JSON.stringify(value),
  headers: { "content-type": "application/json" },
});

/** Ports the query routes reach, kept in memory, counting the reads so a refusal can prove none ran. */
export function memoryStores(users: readonly UserRecord[], audit: readonly AuditRecord[]) {
  const reads = { users: 0, audit: [] as object[] };
  const userStore: UserStore = {
    get: async (userId) => {
      reads.users++;
      const value = users.find((u) => u.userId === userId);
      return value && { value, etag: "1" };
    },
    findByUpn: async (upn) => {
      reads.users++;
      return users.find((u) => u.userPrincipalName.toLowerCase() === upn.toLowerCase());
    },
    put: async () => {
      throw new Error("the query routes never write");
    },
    async *scan() {
      reads.users++;
      yield* users;
    },
  };
  const auditLedger: AuditLedger = {
    append: async () => {
      throw new Error("the query routes never write");
    },
    list: async (query) => {
      reads.audit.push(query);
      return audit.slice(0, query.limit);
    },
  };
  return { users: userStore, audit: auditLedger, reads };
}
