/**
 * The demo tenant answers like Graph: bearer required, paging by nextLink, $select honoured, OData errors,
 * beta-only resources absent from v1.0, certificate states under the profile's type cast.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { all, graph, type Started, startTestTenant } from "./support.ts";

let s: Started;
beforeAll(async () => {
  s = await startTestTenant({ pageSize: 7 });
});
afterAll(() => s.stop());

describe("errors in Graph's shape", () => {
  it.each([
    {
      name: "no bearer token",
      path: "/v1.0/users",
      token: null,
      status: 401,
      code: "InvalidAuthenticationToken",
    },
    { name: "unknown segment", path: "/v1.0/nonsense", status: 400, code: "BadRequest" },
    { name: "unknown version", path: "/v2.0/users", status: 400, code: "BadRequest" },
    {
      name: "beta-only resource on v1.0",
      path: "/v1.0/deviceManagement/userPfxCertificates",
      status: 400,
      code: "BadRequest",
    },
    {
      name: "unknown user",
      path: "/v1.0/users/nobody@demo.smime-lifecycle.local",
      status: 404,
      code: "Request_ResourceNotFound",
    },
    {
      name: "$select of an unknown property",
      path: "/v1.0/users?$select=id,shoeSize",
      status: 400,
      code: "Request_BadRequest",
    },
    { name: "bad $top", path: "/v1.0/users?$top=0", status: 400, code: "BadRequest" },
    {
      name: "$filter (not supported here)",
      path: "/v1.0/deviceManagement/managedDevices?$filter=x",
      status: 400,
      code: "BadRequest",
    },
    {
      name: "unknown device",
      path: "/v1.0/deviceManagement/managedDevices/nope",
      status: 404,
      code: "ResourceNotFound",
    },
  ])("$name → $status $code", async ({ path, token, status, code }) => {
    const res = await graph(s.tenant, path, token === null ? { token: null } : {});
    expect(res.status).toBe(status);
    const error = res.json.error as { code: string; message: string };
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(5);
  });
});

describe("paging", () => {
  it("follows nextLink through every user exactly once, pageSize at a time", async () => {
    const users = s.tenant.dataset?.users ?? [];
    const { items, pages, last } = await all(s.tenant, "/v1.0/users");
    expect(items.map((u) => u.id)).toEqual(users.map((u) => u.id));
    expect(pages).toBe(Math.ceil(users.length / 7));
    expect(last["@odata.nextLink"]).toBeUndefined();
  });

  it("honours $top and keeps $select in the nextLink", async () => {
    const first = await graph(s.tenant, "/v1.0/users?$top=3&$select=id,mail");
    expect((first.json.value as unknown[]).length).toBe(3);
    const next = String(first.json["@odata.nextLink"]);
    expect(next).toContain("$select=id,mail");
    expect(next).toContain("$top=3");
    const second = await graph(s.tenant, next);
    expect(Object.keys((second.json.value as Record<string, unknown>[])[0] ?? {}).sort()).toEqual([
      "id",
      "mail",
    ]);
  });

  it("caps $top at the largest page", async () => {
    const res = await graph(s.tenant, "/v1.0/users?$top=5000");
    expect((res.json.value as unknown[]).length).toBe(s.tenant.dataset?.users.length);
  });
});

describe("$select", () => {
  it.each([
    {
      name: "no $select: Graph's default set (no proxyAddresses, no accountEnabled)",
      query: "",
      has: ["id", "displayName", "mail", "preferredLanguage", "userPrincipalName"],
      lacks: ["proxyAddresses", "accountEnabled"],
    },
    {
      name: "$select=id,proxyAddresses,accountEnabled: just those",
      query: "?$select=id,proxyAddresses,accountEnabled",
      has: ["id", "proxyAddresses", "accountEnabled"],
      lacks: ["displayName", "mail"],
    },
  ])("$name", async ({ query, has, lacks }) => {
    const res = await graph(s.tenant, `/v1.0/users/aino@demo.smime-lifecycle.local${query}`);
    expect(res.status).toBe(200);
    for (const key of has) expect(res.json).toHaveProperty(key);
    for (const key of lacks) expect(res.json).not.toHaveProperty(key);
  });

  it("applies to Intune collections too, keeping @odata.type", async () => {
    const res = await graph(
      s.tenant,
      "/beta/deviceManagement/userPfxCertificates?$select=thumbprint,intendedPurpose&$top=1",
    );
    expect((res.json.value as Record<string, unknown>[])[0]).toEqual({
      "@odata.type": "#microsoft.graph.userPFXCertificate",
      thumbprint: expect.stringMatching(/^[0-9A-F]{40}$/),
      intendedPurpose: expect.stringMatching(/^smime(Signing|Encryption)$/),
    });
  });
});

describe("certificate profiles and their device states", () => {
  it("lists every state of every certificate profile under its type cast, and refuses a wrong cast", async () => {
    const { items: profiles } = await all(s.tenant, "/beta/deviceManagement/deviceConfigurations");
    const certificateProfiles = profiles.filter((p) =>
      String(p["@odata.type"]).endsWith("CertificateProfile"),
    );
    expect(certificateProfiles.length).toBe(12);
    let states = 0;
    for (const p of certificateProfiles) {
      const cast = String(p["@odata.type"]).slice(1);
      const { items } = await all(
        s.tenant,
        `/beta/deviceManagement/deviceConfigurations/${p.id}/${cast}/managedDeviceCertificateStates`,
      );
      states += items.length;
    }
    const expected = (s.tenant.dataset?.certificates ?? []).reduce((n, c) => n + c.platforms.length, 0);
    // Pending issuances are states without a certificate.
    expect(states).toBe(expected + 1);
    const first = certificateProfiles[0] as Record<string, unknown>;
    const wrong = await graph(
      s.tenant,
      `/beta/deviceManagement/deviceConfigurations/${first.id}/microsoft.graph.windows81SCEPCertificateProfile/managedDeviceCertificateStates`,
    );
    expect(wrong.status).toBe(404);
  });
});

describe("Outlook app configuration policies", () => {
  it("the Android managed-store policy is served under beta with a base64 payloadJson that has drifted", async () => {
    const { items } = await all(s.tenant, "/beta/deviceAppManagement/mobileAppConfigurations");
    const android = items.find(
      (p) => p["@odata.type"] === "#microsoft.graph.androidManagedStoreAppConfiguration",
    );
    const payload = JSON.parse(Buffer.from(String(android?.payloadJson), "base64").toString("utf8")) as {
      managedProperty: { key: string; valueBool?: boolean }[];
    };
    const smime = payload.managedProperty.find((p) => p.key === "com.microsoft.outlook.Mail.SMIMEEnabled");
    expect(smime?.valueBool).toBe(false);
    const ios = items.find((p) => p.displayName === "Outlook S/MIME (iOS)") as {
      settings: { appConfigKey: string; appConfigKeyValue: string }[];
    };
    expect(
      ios.settings.find((k) => k.appConfigKey === "com.microsoft.outlook.Mail.SMIMEEnabled")
        ?.appConfigKeyValue,
    ).toBe("true");
  });

  it("v1.0 leaves the beta-only Android type out", async () => {
    const { items } = await all(s.tenant, "/v1.0/deviceAppManagement/mobileAppConfigurations");
    expect(items.map((p) => p["@odata.type"])).not.toContain(
      "#microsoft.graph.androidManagedStoreAppConfiguration",
    );
    expect(items.length).toBe(2);
  });
});

describe("outside Graph", () => {
  it("/_demo/dataset describes every user: story, expected problems, certificates", async () => {
    const res = await fetch(`${s.tenant.baseUrl}/_demo/dataset`);
    const body = (await res.json()) as {
      users: {
        userPrincipalName: string;
        story: string;
        expectedProblems: string[];
        certificates: unknown[];
      }[];
    };
    expect(body.users.length).toBe(s.tenant.dataset?.users.length);
    const gosta = body.users.find((u) => u.userPrincipalName.startsWith("gosta@"));
    expect(gosta?.expectedProblems).toEqual(["REVOKED"]);
    expect(gosta?.certificates.length).toBe(2);
    expect(gosta?.story).toMatch(/revoked/);
  });
});
