import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppRoles } from "../../../shared/http/auth.ts";
import { DEMO_AUTH, loadDemoIssuer, userObjectId } from "../../../shared/http/demo-issuer.ts";
import { fixedClock, NOW } from "./fixtures.ts";

let data: string;
beforeEach(async () => {
  data = await mkdtemp(join(tmpdir(), "demo-issuer-"));
});
afterEach(async () => {
  await rm(data, { recursive: true, force: true });
});

describe("the demo issuer's key", () => {
  it("is made on first use, readable by the owner alone", async () => {
    await loadDemoIssuer(data);
    const file = await stat(join(data, "demo-issuer", "key.json"));
    expect(file.mode & 0o777).toBe(0o600);
    expect((await stat(join(data, "demo-issuer"))).mode & 0o077).toBe(0);
  });

  it("is reused: a token minted by one load verifies with the next", async () => {
    const first = await loadDemoIssuer(data);
    const token = await first.mint({ role: "reader", userPrincipalName: "ops@contoso.com", now: NOW });
    const second = await loadDemoIssuer(data);
    expect(second.jwks).toEqual(first.jwks);
    await expect(second.verifier(fixedClock()).verify(`Bearer ${token}`)).resolves.toMatchObject({
      name: "ops@contoso.com",
    });
  });

  it("is one key when several processes make it at once", async () => {
    const issuers = await Promise.all(Array.from({ length: 8 }, () => loadDemoIssuer(data)));
    const kids = new Set(issuers.map((i) => i.jwks.keys[0]?.kid));
    expect(kids.size).toBe(1);
  });

  it("publishes the public half only", async () => {
    const issuer = await loadDemoIssuer(data);
    expect(issuer.jwks.keys).toHaveLength(1);
    expect(issuer.jwks.keys[0]).not.toHaveProperty("d");
    expect(issuer.jwks.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
  });

  it("refuses a key file that is not one, naming it", async () => {
    await mkdir(join(data, "demo-issuer"), { recursive: true });
    await writeFile(join(data, "demo-issuer", "key.json"), '{"kid": 1}');
    await expect(loadDemoIssuer(data)).rejects.toThrow(/key\.json: not a demo issuer key; delete it/);
  });
});

describe("demo tokens", () => {
  it.each([
    { role: "reader" as const, roles: [AppRoles.reader] },
    { role: "admin" as const, roles: [AppRoles.admin] },
    { role: "none" as const, roles: [] },
  ])("$role: the claims Entra would put there, valid for an hour", async ({ role, roles }) => {
    const issuer = await loadDemoIssuer(data);
    const token = await issuer.mint({ role, userPrincipalName: "Alice@Contoso.com", now: NOW });
    const claims = decodeJwt(token);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "ES256", kid: issuer.jwks.keys[0]?.kid });
    expect(claims).toMatchObject({
      iss: DEMO_AUTH.issuer,
      aud: DEMO_AUTH.audience,
      tid: DEMO_AUTH.tenantId,
      upn: "Alice@Contoso.com",
      oid: userObjectId("alice@contoso.com"),
      roles,
      iat: NOW.getTime() / 1000,
      exp: NOW.getTime() / 1000 + 3600,
    });
  });

  it.each([
    { name: "at issue", at: "2026-11-28T12:00:00Z", valid: true },
    { name: "59 minutes on", at: "2026-11-28T12:59:00Z", valid: true },
    { name: "an hour and two minutes on", at: "2026-11-28T13:02:00Z", valid: false },
    { name: "before issue, past the tolerance", at: "2026-11-28T11:58:00Z", valid: false },
  ])("verified by the local verifier $name: $valid", async ({ at, valid }) => {
    const issuer = await loadDemoIssuer(data);
    const token = await issuer.mint({ role: "admin", userPrincipalName: "ops@contoso.com", now: NOW });
    const verify = issuer.verifier(fixedClock(new Date(at))).verify(`Bearer ${token}`);
    if (valid) await expect(verify).resolves.toMatchObject({ roles: new Set(["admin"]) });
    else await expect(verify).rejects.toMatchObject({ status: 401 });
  });

  it("from another data directory's issuer do not verify", async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), "demo-issuer-other-"));
    try {
      const other = await loadDemoIssuer(elsewhere);
      const token = await other.mint({ role: "admin", userPrincipalName: "mallory@contoso.com", now: NOW });
      const ours = await loadDemoIssuer(data);
      await expect(ours.verifier(fixedClock()).verify(`Bearer ${token}`)).rejects.toMatchObject({
        status: 401,
        message: "the bearer token's signature does not verify",
      });
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it("keep the key file's private half out of the token", async () => {
    const issuer = await loadDemoIssuer(data);
    const token = await issuer.mint({ role: "reader", userPrincipalName: "ops@contoso.com", now: NOW });
    const file = JSON.parse(await readFile(join(data, "demo-issuer", "key.json"), "utf8")) as {
      privateJwk: { d: string };
    };
    expect(token).not.toContain(file.privateJwk.d);
  });
});
