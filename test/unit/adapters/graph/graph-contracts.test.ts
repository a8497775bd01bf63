/** The Graph contracts on payloads shaped like Graph's documentation examples. */
import { describe, expect, it } from "vitest";
import {
  ChangeNotificationCollection,
  decodeAndroidPayload,
  GraphUser,
  GraphUserDelta,
  LifecycleNotificationCollection,
  ManagedAllDeviceCertificateState,
  UserPfxCertificate,
} from "../../../../shared/contracts/graph.ts";

const pfx = (overrides: Record<string, unknown> = {}) => ({
  id: "pfx-1",
  thumbprint: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
  intendedPurpose: "smimeEncryption",
  userPrincipalName: "alice@contoso.com",
  startDateTime: "2026-01-01T00:00:00Z",
  expirationDateTime: "2027-01-01T00:00:00Z",
  ...overrides,
});

describe("UserPfxCertificate", () => {
  it.each([
    { name: "one purpose", intendedPurpose: "smimeSigning", parsed: ["smimeSigning"] },
    {
      name: "flags joined by commas",
      intendedPurpose: "smimeEncryption, smimeSigning",
      parsed: ["smimeEncryption", "smimeSigning"],
    },
    {
      name: "a member added later",
      intendedPurpose: "smimeEncryption,passkey",
      parsed: ["smimeEncryption", "unknownFutureValue"],
    },
  ])("intendedPurpose: $name", ({ intendedPurpose, parsed }) => {
    expect(UserPfxCertificate.parse(pfx({ intendedPurpose })).intendedPurpose).toEqual(parsed);
  });

  it.each([
    { name: "lower case", thumbprint: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567" },
    { name: "spaced pairs", thumbprint: "0a 1b 2c 3d 4e 5f 60 71 82 93 a4 b5 c6 d7 e8 f9 01 23 45 67" },
  ])("thumbprint, $name, becomes upper-case hex", ({ thumbprint }) => {
    expect(UserPfxCertificate.parse(pfx({ thumbprint })).thumbprint).toBe(
      "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567",
    );
  });

  it("dates with offsets and 7-digit fractions become UTC ISO strings; nulls become absent", () => {
    const parsed = UserPfxCertificate.parse(
      pfx({ expirationDateTime: "2027-01-01T00:02:14.9489247-08:00", providerName: null }),
    );
    expect(parsed.expirationDateTime).toBe("2027-01-01T08:02:14.948Z");
    expect("providerName" in parsed && parsed.providerName !== undefined).toBe(false);
  });

  it.each([
    { name: "no thumbprint", change: { thumbprint: undefined }, field: "thumbprint" },
    { name: "a short thumbprint", change: { thumbprint: "abc" }, field: "thumbprint" },
    { name: "a date that is not one", change: { startDateTime: "yesterday" }, field: "startDateTime" },
    { name: "a number for a purpose", change: { intendedPurpose: 1 }, field: "intendedPurpose" },
  ])("rejects $name, naming $field", ({ change, field }) => {
    const result = UserPfxCertificate.safeParse(pfx(change));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toContain(field);
  });
});

describe("users", () => {
  it("a user without proxyAddresses has none", () => {
    expect(
      GraphUser.parse({ id: "u", userPrincipalName: "a@contoso.com", proxyAddresses: null }).proxyAddresses,
    ).toEqual([]);
  });

  it.each([
    {
      name: "a removal",
      entry: { id: "u", "@removed": { reason: "changed" } },
      removed: { reason: "changed" },
    },
    { name: "a partial update", entry: { id: "u", accountEnabled: false }, removed: undefined },
  ])("delta: $name", ({ entry, removed }) => {
    expect(GraphUserDelta.parse(entry).removed).toEqual(removed);
  });
});

describe("notifications", () => {
  it("a change notification batch, as Graph posts it for users", () => {
    const batch = ChangeNotificationCollection.parse({
      value: [
        {
          subscriptionId: "sub-1",
          subscriptionExpirationDateTime: "2026-12-20T00:00:00-08:00",
          clientState: "secret-state",
          changeType: "updated",
          resource: "Users/u-1",
          resourceData: {
            "@odata.type": "#Microsoft.Graph.User",
            "@odata.id": "Users/u-1",
            id: "u-1",
            organizationId: "t",
          },
          tenantId: "t",
        },
      ],
    });
    expect(batch.value[0]?.resourceData?.id).toBe("u-1");
  });

  it.each(["reauthorizationRequired", "subscriptionRemoved", "missed"])(
    "a lifecycle notification: %s",
    (lifecycleEvent) => {
      const batch = LifecycleNotificationCollection.parse({
        value: [
          {
            subscriptionId: "sub-1",
            lifecycleEvent,
            clientState: "secret-state",
            subscriptionExpirationDateTime: "2026-12-20T00:00:00Z",
          },
        ],
      });
      expect(batch.value[0]?.lifecycleEvent).toBe(lifecycleEvent);
    },
  );
});

describe("Intune", () => {
  it("all-device certificate states carry the UPN and subject; an empty thumbprint is none", () => {
    const state = ManagedAllDeviceCertificateState.parse({
      id: "s",
      userPrincipalName: "alice@contoso.com",
      certificateSubjectName: "CN=Alice",
      certificateThumbprint: "",
      certificateRevokeStatus: "revoked",
      certificateKeyUsages: 160,
    });
    expect([state.userPrincipalName, state.certificateThumbprint, state.certificateRevokeStatus]).toEqual([
      "alice@contoso.com",
      undefined,
      "revoked",
    ]);
  });

  it("decodes an Android managed-store payload", () => {
    const payloadJson = Buffer.from(
      JSON.stringify({
        kind: "androidenterprise#managedConfiguration",
        managedProperty: [{ key: "k", valueString: "v" }],
      }),
    ).toString("base64");
    expect(decodeAndroidPayload(payloadJson).managedProperty).toEqual([{ key: "k", valueString: "v" }]);
    expect(() => decodeAndroidPayload(Buffer.from("not json").toString("base64"))).toThrow();
  });
});
