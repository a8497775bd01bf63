import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRemoteJWKSet, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  AppRoles,
  createTokenVerifier,
  entraIssuers,
  hasRole,
  type Principal,
  type Role,
  requireRole,
} from "../../../shared/http/auth.ts";
import { HttpError } from "../../../shared/http/errors.ts";
import {
  AUDIENCE,
  fixedClock,
  mint,
  OTHER_TENANT,
  type SigningKey,
  signingKey,
  TENANT,
  type TokenOptions,
  verifierFor,
} from "./fixtures.ts";

let key: SigningKey;
let otherKey: SigningKey;
beforeAll(async () => {
  key = await signingKey("entra-key-1");
  otherKey = await signingKey("entra-key-1");
});

async function failure(authorization: string | undefined): Promise<HttpError> {
  const error = await verifierFor(key)
    .verify(authorization)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`);
  return error;
}

const bearer = (token: string) => `Bearer ${token}`;
const tamper = (token: string) => {
  const [header, , signature] = token.split(".");
  const payload = Buffer.from(
    JSON.stringify({ tid: TENANT, roles: [AppRoles.admin], aud: AUDIENCE, iss: entraIssuers(TENANT)[0] }),
  ).toString("base64url");
  return `${header}.${payload}.${signature}`;
};

describe("bearer token verification: refusals", () => {
  const cases: {
    name: string;
    authorization: () => Promise<string | undefined>;
    message: string;
    status?: number;
  }[] = [
    { name: "no header", authorization: async () => undefined, message: "a bearer token is required" },
    { name: "blank header", authorization: async () => "  ", message: "a bearer token is required" },
    {
      name: "another scheme",
      authorization: async () => `Basic ${Buffer.from("a:b").toString("base64")}`,
      message: "malformed",
    },
    { name: "the scheme alone", authorization: async () => "Bearer", message: "malformed" },
    { name: "not a JWT", authorization: async () => "Bearer abc.def", message: "malformed" },
    { name: "garbage segments", authorization: async () => "Bearer a.b.c", message: "malformed" },
    {
      name: "unsigned (alg none)",
      authorization: async () => {
        const part = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
        return bearer(`${part({ alg: "none" })}.${part({ tid: TENANT, aud: AUDIENCE })}.`);
      },
      message: "malformed",
    },
    {
      name: "expired",
      authorization: async () =>
        bearer(await mint(key, { issuedAt: -7200, notBefore: -7200, expiresIn: -600 })),
      message: "has expired",
    },
    {
      name: "not yet valid",
      authorization: async () => bearer(await mint(key, { issuedAt: 600, notBefore: 600 })),
      message: "not valid yet",
    },
    {
      name: "wrong audience",
      authorization: async () => bearer(await mint(key, { audience: "api://someone-else" })),
      message: "not issued for this API",
    },
    {
      name: "wrong issuer",
      authorization: async () => bearer(await mint(key, { issuer: "https://evil.example/v2.0" })),
      message: "issuer is not trusted",
    },
    {
      name: "another tenant's issuer",
      authorization: async () =>
        bearer(await mint(key, { issuer: entraIssuers(OTHER_TENANT)[0]!, claims: { tid: OTHER_TENANT } })),
      message: "issuer is not trusted",
    },
    {
      name: "wrong tenant under our issuer",
      authorization: async () => bearer(await mint(key, { claims: { tid: OTHER_TENANT } })),
      message: "from another tenant",
    },
    {
      name: "no tenant",
      authorization: async () => bearer(await mint(key, { claims: { tid: undefined } })),
      message: "has no tenant",
    },
    {
      name: "no expiry",
      authorization: async () => bearer(await mint(key, { expiresIn: null })),
      message: "has no expiry",
    },
    {
      name: "bad signature (another key, same kid)",
      authorization: async () => bearer(await mint(otherKey)),
      message: "signature does not verify",
    },
    {
      name: "unknown key id",
      authorization: async () => bearer(await mint(key, { kid: "rotated-away" })),
      message: "signature does not verify",
    },
    {
      name: "payload altered after signing",
      authorization: async () => bearer(tamper(await mint(key))),
      message: "signature does not verify",
    },
    {
      name: "symmetric algorithm (HS256)",
      authorization: async () =>
        bearer(
          await new SignJWT({ tid: TENANT, roles: [AppRoles.admin] })
            .setProtectedHeader({ alg: "HS256", kid: "entra-key-1" })
            .setIssuer(entraIssuers(TENANT)[0]!)
            .setAudience(AUDIENCE)
            .setExpirationTime("1h")
            .sign(new TextEncoder().encode("a shared secret of thirty-two bytes!")),
        ),
      message: "algorithm is not accepted",
    },
  ];

  it.each(cases)("$name → 401", async ({ authorization, message }) => {
    const header = await authorization();
    const error = await failure(header);
    expect(error.status).toBe(401);
    expect(error.code).toBe("invalid_token");
    expect(error.message).toContain(message);
    expect(error.headers["www-authenticate"]).toMatch(/^Bearer /);
    const token = header?.split(" ")[1];
    if (token && token.length > 8) {
      expect(error.message).not.toContain(token);
      expect(error.headers["www-authenticate"]).not.toContain(token);
    }
  });

  it("says invalid_token in the challenge for a bad token, and no error code when none was sent", async () => {
    expect((await failure(undefined)).headers["www-authenticate"]).toBe('Bearer realm="smime-lifecycle"');
    expect((await failure("Bearer a.b.c")).headers["www-authenticate"]).toContain('error="invalid_token"');
  });
});

describe("bearer token verification: acceptance", () => {
  const cases: { name: string; options: TokenOptions; roles: Role[]; clockSkew?: number }[] = [
    { name: "reader (v2.0 issuer)", options: { roles: [AppRoles.reader] }, roles: ["reader"] },
    { name: "admin", options: { roles: [AppRoles.admin] }, roles: ["admin"] },
    { name: "both roles", options: { roles: [AppRoles.reader, AppRoles.admin] }, roles: ["reader", "admin"] },
    { name: "no roles", options: { roles: [] }, roles: [] },
    {
      name: "unknown roles are ignored",
      options: { roles: ["SmimeLifecycle.Writer", "Directory.Read"] },
      roles: [],
    },
    { name: "v1.0 issuer", options: { issuer: `https://sts.windows.net/${TENANT}/` }, roles: ["reader"] },
    {
      name: "expired 30 s ago, within the clock tolerance",
      options: { issuedAt: -3600, notBefore: -3600, expiresIn: -30 },
      roles: ["reader"],
    },
    {
      name: "valid 30 s from now, within the clock tolerance",
      options: { issuedAt: 30, notBefore: 30 },
      roles: ["reader"],
    },
    {
      name: "tenant id in upper case",
      options: { claims: { tid: TENANT.toUpperCase() } },
      roles: ["reader"],
    },
  ];

  it.each(cases)("$name", async ({ options, roles }) => {
    const principal = await verifierFor(key).verify(`Bearer ${await mint(key, options)}`);
    expect([...principal.roles].sort()).toEqual([...roles].sort());
    expect(principal.id).toBe("0b7c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3");
    expect(principal.name).toBe("ops@contoso.com");
  });

  it("reads the scheme case-insensitively", async () => {
    const principal = await verifierFor(key).verify(`bearer ${await mint(key)}`);
    expect(principal.roles.has("reader")).toBe(true);
  });

  it("takes the time from the injected clock, not the machine's", async () => {
    const token = await mint(key); // valid 11:59 to 13:00 on 2026-11-28
    const later = verifierFor(key, fixedClock(new Date("2026-11-28T14:00:00Z")));
    await expect(later.verify(`Bearer ${token}`)).rejects.toMatchObject({ status: 401 });
  });

  it("names an app-only caller by its client id", async () => {
    const token = await mint(key, {
      claims: { upn: undefined, azp: "c0ffee00-0000-4000-8000-000000000001" },
    });
    const principal = await verifierFor(key).verify(`Bearer ${token}`);
    expect(principal.name).toBe("c0ffee00-0000-4000-8000-000000000001");
  });
});

describe("signing keys that cannot be fetched", () => {
  it("answers 503, not 401: the token may be fine", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const verifier = createTokenVerifier({
      keys: createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/keys`), { timeoutDuration: 2000 }),
      issuers: entraIssuers(TENANT),
      audience: AUDIENCE,
      tenantId: TENANT,
      algorithms: ["RS256"],
      clock: fixedClock(),
    });
    const error = await verifier.verify(`Bearer ${await mint(key)}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 503, code: "unavailable" });
  });
});

describe("roles", () => {
  const principal = (...roles: Role[]): Principal => ({
    id: "u",
    name: "u",
    tenantId: TENANT,
    roles: new Set(roles),
  });
  const cases: { name: string; holds: Role[]; needs: Role; allowed: boolean }[] = [
    { name: "reader reads", holds: ["reader"], needs: "reader", allowed: true },
    { name: "admin reads (Admin implies Reader)", holds: ["admin"], needs: "reader", allowed: true },
    { name: "admin changes", holds: ["admin"], needs: "admin", allowed: true },
    { name: "reader may not change", holds: ["reader"], needs: "admin", allowed: false },
    { name: "no role may not read", holds: [], needs: "reader", allowed: false },
    { name: "no role may not change", holds: [], needs: "admin", allowed: false },
  ];

  it.each(cases)("$name", ({ holds, needs, allowed }) => {
    expect(hasRole(principal(...holds), needs)).toBe(allowed);
    if (allowed) expect(() => requireRole(principal(...holds), needs)).not.toThrow();
    else {
      const error = (() => {
        try {
          requireRole(principal(...holds), needs);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toMatchObject({ status: 403, code: "forbidden" });
      expect((error as HttpError).message).toContain(AppRoles[needs]);
      expect((error as HttpError).headers["www-authenticate"]).toContain('error="insufficient_scope"');
    }
  });
});
