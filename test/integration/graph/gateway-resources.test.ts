/**
 * Each resource of the gateway against the loopback Graph server: the paths, versions, casts and bodies it
 * sends, and what it makes of Graph's answers (delta rounds to their deltaLink, S/MIME profiles picked from
 * all device configurations, Outlook policies listed then read one by one, the export ZIP streamed).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGraphGateway, DeltaExpiredError, staticToken } from "../../../shared/adapters/graph/index.ts";
import {
  DEVICE_CONFIGURATION_SELECT,
  decodeAndroidPayload,
  MANAGED_DEVICE_CERTIFICATE_STATE_SELECT,
  MOBILE_APP_CONFIGURATION_SELECT,
  USER_SELECT,
} from "../../../shared/contracts/graph.ts";
import { PermanentError } from "../../../shared/errors.ts";
import type { UserDeltaPage } from "../../../shared/ports.ts";
import { TOKEN } from "./fixtures.ts";
import {
  fakeTime,
  type GraphServer,
  graphError,
  json,
  type RecordedRequest,
  startGraphServer,
} from "./graph-server.ts";

let server: GraphServer;
beforeAll(async () => {
  server = await startGraphServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

function gateway() {
  const time = fakeTime();
  return createGraphGateway({
    baseUrl: server.base,
    credential: staticToken(TOKEN),
    sleep: time.sleep,
    now: time.now,
    random: () => 0.5,
  });
}

const alice = {
  id: "u-alice",
  userPrincipalName: "alice@contoso.com",
  mail: "alice@contoso.com",
  proxyAddresses: ["SMTP:alice@contoso.com", "smtp:a@contoso.com"],
  accountEnabled: true,
  preferredLanguage: "en-US",
  displayName: "Alice",
};

describe("users delta", () => {
  /** Three pages to the deltaLink on a full round; one page from the deltaLink on the next. */
  function deltaHandler(request: RecordedRequest) {
    const link = (q: string) => `${server.base}/v1.0/users/delta?${q}`;
    if (request.query.has("$deltatoken")) {
      if (request.query.get("$deltatoken") === "expired")
        return graphError(410, "syncStateNotFound", "The sync state is no longer valid");
      return json({
        value: [
          { id: "u-bob", "@removed": { reason: "deleted" } },
          { id: "u-alice", accountEnabled: false },
        ],
        "@odata.deltaLink": link("$deltatoken=round-3"),
      });
    }
    const page = Number(request.query.get("$skiptoken") ?? "0");
    const pages = [
      [alice],
      [{ ...alice, id: "u-bob", userPrincipalName: "bob@contoso.com", proxyAddresses: null, mail: null }],
      [{ ...alice, id: "u-carol", userPrincipalName: "carol@contoso.com" }],
    ];
    return json({
      value: pages[page],
      ...(page < 2
        ? { "@odata.nextLink": link(`$select=${USER_SELECT.join(",")}&$skiptoken=${page + 1}`) }
        : { "@odata.deltaLink": link("$deltatoken=round-2") }),
    });
  }

  async function round(deltaLink?: string): Promise<UserDeltaPage[]> {
    const pages: UserDeltaPage[] = [];
    for await (const page of gateway().usersDelta(deltaLink)) pages.push(page);
    return pages;
  }

  it("a full round pages to the deltaLink, asking $select on the first request", async () => {
    server.handle(deltaHandler);
    const pages = await round();
    expect(pages.map((p) => p.items.map((u) => u.id))).toEqual([["u-alice"], ["u-bob"], ["u-carol"]]);
    expect(pages.map((p) => p.deltaLink)).toEqual([
      undefined,
      undefined,
      `${server.base}/v1.0/users/delta?$deltatoken=round-2`,
    ]);
    expect(server.requests[0]?.path).toBe("/v1.0/users/delta");
    expect(server.requests[0]?.query.get("$select")).toBe(USER_SELECT.join(","));
    expect(server.requests.every((r) => r.query.get("$select") === USER_SELECT.join(","))).toBe(true);
  });

  it("the next round starts from the deltaLink and reports removals and partial updates", async () => {
    server.handle(deltaHandler);
    const [page] = await round(`${server.base}/v1.0/users/delta?$deltatoken=round-2`);
    expect(server.requests[0]?.query.get("$deltatoken")).toBe("round-2");
    expect(page?.items).toEqual([
      { id: "u-bob", removed: { reason: "deleted" } },
      { id: "u-alice", accountEnabled: false },
    ]);
    expect(page?.deltaLink).toBe(`${server.base}/v1.0/users/delta?$deltatoken=round-3`);
  });

  it("an expired deltaLink is a DeltaExpiredError (a PermanentError): sync all users again", async () => {
    server.handle(deltaHandler);
    const error = await round(`${server.base}/v1.0/users/delta?$deltatoken=expired`).catch((e: Error) => e);
    expect(error).toBeInstanceOf(DeltaExpiredError);
    expect(error).toBeInstanceOf(PermanentError);
  });

  it("a saved deltaLink pointing elsewhere is refused before anything is sent", async () => {
    const error = await round("https://attacker.example/v1.0/users/delta?$deltatoken=x").catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect(server.requests).toHaveLength(0);
  });
});

describe("certificate profiles and their states", () => {
  it("keeps only the S/MIME certificate profiles for iOS and Android, with platform and delivery", async () => {
    server.handle(() =>
      json({
        value: [
          { "@odata.type": "#microsoft.graph.iosPkcsCertificateProfile", id: "p1", displayName: "iOS PKCS" },
          { "@odata.type": "#microsoft.graph.iosWiFiConfiguration", id: "w1", displayName: "Wi-Fi" },
          {
            "@odata.type": "#microsoft.graph.androidWorkProfileScepCertificateProfile",
            id: "p2",
            version: 3,
          },
          { "@odata.type": "#microsoft.graph.androidImportedPFXCertificateProfile", id: "p3" },
          { "@odata.type": "#microsoft.graph.windows81SCEPCertificateProfile", id: "x1" },
        ],
      }),
    );
    const profiles = await gateway().certificateProfiles();
    expect(profiles.map((p) => [p.id, p.platform, p.delivery])).toEqual([
      ["p1", "iOS", "pkcs"],
      ["p2", "android", "scep"],
      ["p3", "android", "importedPfx"],
    ]);
    expect(server.requests[0]?.path).toBe("/beta/deviceManagement/deviceConfigurations");
    expect(server.requests[0]?.query.get("$select")).toBe(DEVICE_CONFIGURATION_SELECT.join(","));
  });

  it("reads a profile's states through the cast to its type, and parses Graph's enums and flags", async () => {
    server.handle(() =>
      json({
        value: [
          {
            id: "s1",
            devicePlatform: "iOS",
            certificateKeyUsage: "keyEncipherment,digitalSignature",
            certificateIssuanceState: "installed",
            certificateRevokeStatus: "none",
            certificateThumbprint: "ab:cd ".repeat(10).trim(),
            certificateExpirationDateTime: "2027-01-01T00:02:14.9489247-08:00",
            certificateEnhancedKeyUsage: "Secure Email (1.3.6.1.5.5.7.3.4)",
          },
          { id: "s2", certificateIssuanceState: "aStateFromTheFuture", certificateThumbprint: "" },
        ],
      }),
    );
    const gw = gateway();
    const profile = {
      id: "p1",
      odataType: "#microsoft.graph.iosPkcsCertificateProfile",
      platform: "iOS",
      delivery: "pkcs",
    } as const;
    const pages = [];
    for await (const page of gw.certificateStates(profile)) pages.push(page);
    const [s1, s2] = pages[0]?.items ?? [];
    expect(server.requests[0]?.path).toBe(
      "/beta/deviceManagement/deviceConfigurations/p1/microsoft.graph.iosPkcsCertificateProfile/managedDeviceCertificateStates",
    );
    expect(server.requests[0]?.query.get("$select")).toBe(MANAGED_DEVICE_CERTIFICATE_STATE_SELECT.join(","));
    expect(s1?.certificateKeyUsage).toEqual(["keyEncipherment", "digitalSignature"]);
    expect(s1?.certificateThumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(s1?.certificateExpirationDateTime).toBe("2027-01-01T08:02:14.948Z");
    expect(s2?.certificateIssuanceState).toBe("unknownFutureValue");
    expect(s2?.certificateThumbprint).toBeUndefined();
  });
});

describe("Outlook app configurations", () => {
  const androidPayload = {
    kind: "androidenterprise#managedConfiguration",
    productId: "app:com.microsoft.office.outlook",
    managedProperty: [{ key: "com.microsoft.outlook.Mail.SMIMEEnabled", valueBool: false }],
  };

  it("lists the policies with $select, then reads each iOS and Android one whole at its documented path", async () => {
    server.handle((request) => {
      if (request.path === "/beta/deviceAppManagement/mobileAppConfigurations")
        return json({
          value: [
            {
              "@odata.type": "#microsoft.graph.iosMobileAppConfiguration",
              id: "ios1",
              targetedMobileApps: ["outlook-ios"],
            },
            { "@odata.type": "#microsoft.graph.androidManagedStoreAppConfiguration", id: "and1" },
            { "@odata.type": "#microsoft.graph.androidForWorkMobileAppConfiguration", id: "other" },
          ],
        });
      if (request.path.endsWith("/mobileAppConfigurations/ios1"))
        return json({
          id: "ios1",
          settings: [
            {
              appConfigKey: "com.microsoft.outlook.Mail.SMIMEEnabled",
              appConfigKeyType: "booleanType",
              appConfigKeyValue: "true",
            },
          ],
        });
      if (request.path.endsWith("/mobileAppConfigurations/and1"))
        return json({
          id: "and1",
          packageId: "app:com.microsoft.office.outlook",
          payloadJson: Buffer.from(JSON.stringify(androidPayload)).toString("base64"),
          profileApplicability: "androidWorkProfile",
        });
      return graphError(404, "NotFound", "no such policy");
    });
    const policies = await gateway().appConfigurations();
    expect(policies.map((p) => p.id)).toEqual(["ios1", "and1"]);
    const ios = policies[0];
    expect(ios && "settings" in ios ? ios.settings : undefined).toEqual([
      {
        appConfigKey: "com.microsoft.outlook.Mail.SMIMEEnabled",
        appConfigKeyType: "booleanType",
        appConfigKeyValue: "true",
      },
    ]);
    const android = policies[1];
    const payload =
      android && "payloadJson" in android && android.payloadJson
        ? decodeAndroidPayload(android.payloadJson)
        : undefined;
    expect(payload?.managedProperty).toEqual([
      { key: "com.microsoft.outlook.Mail.SMIMEEnabled", valueBool: false },
    ]);
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => r.path)).toEqual([
      "/beta/deviceAppManagement/mobileAppConfigurations",
      "/beta/deviceAppManagement/mobileAppConfigurations/ios1",
      "/beta/deviceAppManagement/mobileAppConfigurations/and1",
    ]);
    expect(server.requests[0]?.query.get("$select")).toBe(MOBILE_APP_CONFIGURATION_SELECT.join(","));
  });
});

describe("actions and writes", () => {
  it("sends mail as the sender with the body as given (202)", async () => {
    server.handle(() => ({ status: 202 }));
    await gateway().sendMail("pipeline@contoso.com", {
      message: {
        subject: "Your S/MIME certificate expires in 14 days",
        body: { contentType: "text", content: "Renew it in the Company Portal." },
        toRecipients: [{ emailAddress: { address: "alice@contoso.com" } }],
      },
    });
    const [request] = server.requests;
    expect([request?.method, request?.path]).toEqual(["POST", "/v1.0/users/pipeline%40contoso.com/sendMail"]);
    expect(request?.body).toMatchObject({
      saveToSentItems: false,
      message: { toRecipients: [{ emailAddress: { address: "alice@contoso.com" } }] },
    });
  });

  it("posts a Company Portal notice on beta", async () => {
    server.handle(() => ({ status: 204 }));
    await gateway().notifyCompanyPortal("dev-1", {
      notificationTitle: "S/MIME",
      notificationBody: "Your certificate was revoked.",
    });
    expect(server.requests[0]?.path).toBe(
      "/beta/deviceManagement/managedDevices/dev-1/sendCustomNotificationToCompanyPortal",
    );
    expect(server.requests[0]?.body).toEqual({
      notificationTitle: "S/MIME",
      notificationBody: "Your certificate was revoked.",
    });
  });

  it("lists a user's managed devices on v1.0", async () => {
    server.handle(() =>
      json({ value: [{ id: "dev-1", operatingSystem: "iOS", userPrincipalName: "alice@contoso.com" }] }),
    );
    const devices = await gateway().userDevices("u-alice");
    expect(devices.map((d) => d.id)).toEqual(["dev-1"]);
    expect(server.requests[0]?.path).toBe("/v1.0/users/u-alice/managedDevices");
  });

  it("creates and renews the users subscription", async () => {
    const subscription = {
      id: "sub-1",
      resource: "users",
      changeType: "updated,deleted",
      notificationUrl: "https://app.example/api/graph/notifications",
      lifecycleNotificationUrl: "https://app.example/api/graph/lifecycle",
      expirationDateTime: "2026-12-20T00:00:00Z",
      clientState: null,
    };
    server.handle((request) =>
      json(
        request.method === "PATCH"
          ? { ...subscription, expirationDateTime: "2026-12-25T00:00:00Z" }
          : subscription,
        request.method === "POST" ? 201 : 200,
      ),
    );
    const gw = gateway();
    const created = await gw.create({
      changeType: "updated,deleted",
      notificationUrl: "https://app.example/api/graph/notifications",
      lifecycleNotificationUrl: "https://app.example/api/graph/lifecycle",
      resource: "users",
      expirationDateTime: "2026-12-20T00:00:00Z",
      clientState: "a-long-client-state",
    });
    const renewed = await gw.renew("sub-1", "2026-12-25T00:00:00Z");
    expect(created.id).toBe("sub-1");
    expect(renewed.expirationDateTime).toBe("2026-12-25T00:00:00.000Z");
    expect(server.requests.map((r) => [r.method, r.path])).toEqual([
      ["POST", "/v1.0/subscriptions"],
      ["PATCH", "/v1.0/subscriptions/sub-1"],
    ]);
    expect(server.requests[1]?.body).toEqual({ expirationDateTime: "2026-12-25T00:00:00Z" });
  });

  it("starts an export, reads its status, and streams the ZIP without the Graph token", async () => {
    const zip = Buffer.alloc(200_000, 7);
    server.handle((request) => {
      if (request.path === "/v1.0/deviceManagement/reports/exportJobs")
        return json(
          { id: "job-1", reportName: "AllDeviceCertificates", format: "csv", status: "notStarted" },
          201,
        );
      if (request.path === "/v1.0/deviceManagement/reports/exportJobs/job-1")
        return json({
          id: "job-1",
          reportName: "AllDeviceCertificates",
          status: "completed",
          url: `${server.base}/blob/job-1.zip?sig=x`,
        });
      if (request.path === "/blob/job-1.zip")
        return { status: 200, text: zip.toString("latin1"), headers: { "content-type": "application/zip" } };
      return graphError(404, "NotFound", "no");
    });
    const gw = gateway();
    const started = await gw.startExport({ reportName: "AllDeviceCertificates" });
    const job = await gw.getExport(started.id);
    let bytes = 0;
    for await (const chunk of gw.downloadExport(job.url ?? "")) bytes += chunk.length;
    expect(started.status).toBe("notStarted");
    expect(job.status).toBe("completed");
    expect(bytes).toBe(zip.length);
    expect(server.requests[0]?.body).toEqual({ reportName: "AllDeviceCertificates", format: "csv" });
    expect(server.requests[1]?.query.has("$select")).toBe(true);
    expect(server.requests[2]?.headers.authorization).toBeUndefined();
  });
});
