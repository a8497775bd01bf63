/**
 * Local mode's stand-in for Entra ID: an ES256 key pair kept under the data directory, which signs tokens
 * for `smimectl token` and whose public half the local host's verifier trusts, in process, with no network.
 * The verifier is auth.ts's `createTokenVerifier`, the one Azure runs; only the key set and issuer differ,
 * so a route that refuses a reader in Azure refuses one here too.
 *
 * The key lives in `<data>/demo-issuer/key.json` (mode 0600 in a 0700 folder), made on first use. It is
 * written to a temporary file and hard-linked into place, so two processes starting together (the host
 * and `smimectl token`) end with one key, and neither ever reads a half-written file.
 */
import { createHash, randomUUID } from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, SignJWT } from "jose";
import { z } from "zod";
import type { Clock } from "../ports.ts";
import { AppRoles, createTokenVerifier, type Role, type TokenVerifier } from "./auth.ts";

/** The demo tenant's constants: what demo tokens say and what the local host expects. */
export const DEMO_AUTH = {
  issuer: "http://localhost:7071/demo-issuer",
  tenantId: "00000000-0000-4000-8000-00000000de70",
  audience: "api://smime-lifecycle-demo",
  algorithm: "ES256",
} as const;

/** How long `smimectl token` tokens last. */
export const DEMO_TOKEN_LIFETIME_SECONDS = 3600;

const KeyFile = z.object({
  kid: z.string().min(1),
  privateJwk: z.object({
    kty: z.literal("EC"),
    crv: z.literal("P-256"),
    x: z.string(),
    y: z.string(),
    d: z.string(),
  }),
});
type KeyFile = z.infer<typeof KeyFile>;

export interface DemoTokenRequest {
  /** "none" mints a valid token without app roles (what a user not assigned to the app gets). */
  readonly role: Role | "none";
  readonly userPrincipalName: string;
  /** Issued-at; the token is valid from then for `lifetimeSeconds`. */
  readonly now: Date;
  readonly lifetimeSeconds?: number;
}

export interface DemoIssuer {
  /** The public key set, as Entra publishes its own. */
  readonly jwks: JSONWebKeySet;
  mint(request: DemoTokenRequest): Promise<string>;
  /** The verifier the local host uses: demo keys, demo issuer, demo tenant and audience. */
  verifier(clock: Clock): TokenVerifier;
}

/** The demo issuer of data directory `dataDir`, its key made on first use. */
export async function loadDemoIssuer(dataDir: string): Promise<DemoIssuer> {
  const key = await loadOrCreateKey(join(dataDir, "demo-issuer"));
  const { d: _private, ...publicJwk } = key.privateJwk;
  const jwks: JSONWebKeySet = {
    keys: [{ ...publicJwk, kid: key.kid, alg: DEMO_AUTH.algorithm, use: "sig" }],
  };
  const signingKey = await importJWK(key.privateJwk, DEMO_AUTH.algorithm);
  return {
    jwks,
    async mint(request) {
      const issuedAt = Math.floor(request.now.getTime() / 1000);
      const oid = userObjectId(request.userPrincipalName);
      const roles = request.role === "none" ? [] : [AppRoles[request.role]];
      return new SignJWT({
        tid: DEMO_AUTH.tenantId,
        oid,
        upn: request.userPrincipalName,
        preferred_username: request.userPrincipalName,
        roles,
        ver: "2.0",
      })
        .setProtectedHeader({ alg: DEMO_AUTH.algorithm, kid: key.kid, typ: "JWT" })
        .setIssuer(DEMO_AUTH.issuer)
        .setAudience(DEMO_AUTH.audience)
        .setSubject(oid)
        .setIssuedAt(issuedAt)
        .setNotBefore(issuedAt)
        .setExpirationTime(issuedAt + (request.lifetimeSeconds ?? DEMO_TOKEN_LIFETIME_SECONDS))
        .sign(signingKey);
    },
    verifier(clock) {
      return createTokenVerifier({
        keys: createLocalJWKSet(jwks),
        issuers: [DEMO_AUTH.issuer],
        audience: DEMO_AUTH.audience,
        tenantId: DEMO_AUTH.tenantId,
        algorithms: [DEMO_AUTH.algorithm],
        clock,
      });
    },
  };
}

/** A stable object id per demo user, shaped like Entra's (a UUID), so audit lines name the same caller. */
export function userObjectId(userPrincipalName: string): string {
  const h = createHash("sha256").update(userPrincipalName.toLowerCase()).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

async function loadOrCreateKey(dir: string): Promise<KeyFile> {
  const path = join(dir, "key.json");
  const existing = await readKey(path);
  if (existing) return existing;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair(DEMO_AUTH.algorithm, { extractable: true });
  const fresh = { kid: randomUUID(), privateJwk: await exportJWK(privateKey) };
  const temporary = join(dir, `key.${randomUUID()}.tmp`);
  await writeFile(temporary, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  try {
    await link(temporary, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    // Another process made the key first: use theirs.
  } finally {
    await unlink(temporary);
  }
  const stored = await readKey(path);
  if (!stored) throw new Error(`${path}: the demo issuer key vanished while it was being made`);
  return stored;
}

async function readKey(path: string): Promise<KeyFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = KeyFile.safeParse(value);
  if (!parsed.success) throw new Error(`${path}: not a demo issuer key; delete it to have a new one made`);
  return parsed.data;
}
