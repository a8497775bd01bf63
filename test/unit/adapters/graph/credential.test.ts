import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from "@azure/identity";
import { describe, expect, it } from "vitest";
import { DEMO_TENANT_TOKEN, graphCredential } from "../../../../shared/adapters/graph/credential.ts";

const tenant = {
  tenantId: "11111111-1111-1111-1111-111111111111",
  clientId: "22222222-2222-2222-2222-222222222222",
};

describe("graphCredential", () => {
  it.each(["http://127.0.0.1:7072", "http://localhost:7072/graph", "http://[::1]:7072"])(
    "the demo tenant on loopback (%s) gets the fixed token, without signing in",
    async (baseUrl) => {
      const token = await graphCredential({ baseUrl, ...tenant, clientSecret: "ignored" }).getToken(
        "x/.default",
      );
      expect(token?.token).toBe(DEMO_TENANT_TOKEN);
    },
  );

  it.each([
    { name: "a client secret", options: { ...tenant, clientSecret: "s3cret" }, type: ClientSecretCredential },
    {
      name: "a client certificate",
      options: { ...tenant, clientCertificatePath: "/run/secrets/graph.pem" },
      type: ClientCertificateCredential,
    },
    {
      name: "nothing but the tenant: the managed identity",
      options: tenant,
      type: ManagedIdentityCredential,
    },
    {
      name: "no settings at all: the system-assigned identity",
      options: {},
      type: ManagedIdentityCredential,
    },
  ])("Microsoft Graph with $name", ({ options, type }) => {
    expect(graphCredential({ baseUrl: "https://graph.microsoft.com", ...options })).toBeInstanceOf(type);
  });

  it("a secret without the tenant and client ids is refused, naming the settings", () => {
    expect(() => graphCredential({ baseUrl: "https://graph.microsoft.com", clientSecret: "s3cret" })).toThrow(
      /GRAPH_TENANT_ID and GRAPH_CLIENT_ID/,
    );
  });
});
