/**
 * The production way in: a table endpoint and an Entra token (managed identity), no account key. Azurite
 * checks bearer tokens only over https and only their lifetime, issuer and audience, which is what the
 * adapter controls; the token service itself is stood in for by a credential minting such tokens.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTableStores } from "../../../shared/adapters/tables/index.ts";
import { RetryableError } from "../../../shared/errors.ts";
import { type RunningAzurite, startAzurite } from "../../support/azurite.ts";
import { mintTlsIdentity } from "../../support/tls-identity.ts";

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A credential handing out tokens shaped like Entra's for Storage, valid from `nbf` to `exp` (seconds). */
function tokenCredential(lifetime: { nbf: number; exp: number }, scopes: string[][]): TokenCredential {
  return {
    async getToken(requested): Promise<AccessToken> {
      scopes.push(Array.isArray(requested) ? [...requested] : [requested]);
      const claims = {
        aud: "https://storage.azure.com",
        iss: "https://sts.windows.net/00000000-0000-0000-0000-000000000001/",
        iat: lifetime.nbf,
        ...lifetime,
        oid: "11111111-0000-0000-0000-000000000000",
      };
      const token = `${base64url({ alg: "RS256", typ: "JWT" })}.${base64url(claims)}.c2lnbmF0dXJl`;
      return { token, expiresOnTimestamp: lifetime.exp * 1000 };
    },
  };
}

/** The loopback TLS identity, as the files Azurite's --cert and --key take. */
async function tlsFiles(dir: string): Promise<{ certFile: string; keyFile: string; pem: string }> {
  const identity = await mintTlsIdentity("localhost");
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  writeFileSync(certFile, identity.cert);
  writeFileSync(keyFile, identity.key);
  return { certFile, keyFile, pem: identity.cert };
}

describe("createTableStores with an endpoint and a TokenCredential", () => {
  const dir = mkdtempSync(join(tmpdir(), "azurite-tls-"));
  let azurite: RunningAzurite;
  let caPem: string;
  const nowSeconds = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    const tls = await tlsFiles(dir);
    caPem = tls.pem;
    azurite = await startAzurite({ https: tls, oauth: "basic" });
  });
  afterAll(async () => {
    await azurite?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates its tables and reads back what it wrote, asking for a Storage token", async () => {
    const scopes: string[][] = [];
    const credential = tokenCredential({ nbf: nowSeconds - 60, exp: nowSeconds + 3600 }, scopes);
    const { cursors } = createTableStores({
      endpoint: azurite.endpoint,
      credential,
      trustedCaPem: caPem,
      tablePrefix: "mi",
    });
    await cursors.set(
      "users/delta",
      "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x",
      new Date("2026-03-01T00:00:00Z"),
    );
    expect(await cursors.get("users/delta")).toEqual({
      value: "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x",
      updatedAt: "2026-03-01T00:00:00.000Z",
    });
    expect(scopes[0]).toEqual(["https://storage.azure.com/.default"]);
  });

  it("an expired token is refused, and the refusal is retryable (a token or role may yet arrive)", async () => {
    const credential = tokenCredential({ nbf: nowSeconds - 7200, exp: nowSeconds - 3600 }, []);
    const { cursors } = createTableStores({
      endpoint: azurite.endpoint,
      credential,
      trustedCaPem: caPem,
      tablePrefix: "miexpired",
      maxRetries: 0,
    });
    const error = await cursors.get("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(String(error)).toMatch(/40[13]/);
  });

  it("the https endpoint is not trusted without its CA", async () => {
    const credential = tokenCredential({ nbf: nowSeconds - 60, exp: nowSeconds + 3600 }, []);
    const { cursors } = createTableStores({
      endpoint: azurite.endpoint,
      credential,
      tablePrefix: "minoca",
      maxRetries: 0,
    });
    await expect(cursors.get("x")).rejects.toThrow(/certificate/i);
  });
});
