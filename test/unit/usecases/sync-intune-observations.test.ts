import { describe, expect, it } from "vitest";
import { ManagedDeviceCertificateState, UserPfxCertificate } from "../../../shared/contracts/graph.ts";
import {
  allowsEmail,
  ExportRow,
  exportObservation,
  issuanceStateOf,
  type Names,
  type ProfileFacts,
  pfxObservation,
  purposeFromIntended,
  purposeFromKeyUsage,
  stateObservation,
} from "../../../shared/usecases/intune-observations.ts";

const names: Names = { userId: (upn) => `id-${upn.toLowerCase()}`, intern: (t) => t };
const T = "AB".repeat(20);

describe("what Intune's words mean", () => {
  const purposes: [string, Parameters<typeof purposeFromKeyUsage>[0], string | undefined][] = [
    ["Graph flags, signing", ["digitalSignature"], "signing"],
    ["Graph flags, both", ["keyEncipherment", "digitalSignature"], "both"],
    ["export text, signing with non-repudiation", "Digital Signature, Non-Repudiation", "signing"],
    ["export text, key agreement (EC encryption)", "Key Agreement", "encryption"],
    ["export text, both", "Digital Signature, Key Encipherment", "both"],
    ["nothing said", undefined, undefined],
    ["no usage it knows", "Certificate Signing", undefined],
  ];
  it.each(purposes)("key usage: %s", (_name, words, expected) =>
    expect(purposeFromKeyUsage(words)).toBe(expected),
  );

  const intended: [string[], string | undefined][] = [
    [["smimeEncryption"], "encryption"],
    [["smimeSigning", "smimeEncryption"], "both"],
    [["vpn"], undefined],
    [["unassigned"], undefined],
  ];
  it.each(intended)("PFX intended purpose %j → %s", (words, expected) =>
    expect(purposeFromIntended(words)).toBe(expected),
  );

  const ekus: [string | undefined, boolean][] = [
    ["Secure Email (1.3.6.1.5.5.7.3.4)", true],
    ["Client Authentication (1.3.6.1.5.5.7.3.2)", false],
    ["Any Purpose (2.5.29.37.0)", true],
    [undefined, true],
    ["", true],
  ];
  it.each(ekus)("EKU %j allows e-mail: %s", (eku, expected) => expect(allowsEmail(eku)).toBe(expected));

  const states: [string | undefined, string | undefined][] = [
    ["Installed", "installed"],
    ["Install failed", "installFailed"],
    ["issuePending", "issuePending"],
    [" ", undefined],
    [undefined, undefined],
  ];
  it.each(states)("export status %j → Graph's %j", (text, expected) =>
    expect(issuanceStateOf(text)).toBe(expected),
  );
});

describe("observations", () => {
  const profile: ProfileFacts = { id: "p1", platform: "android", delivery: "scep" };
  const state = (over: Record<string, unknown>) =>
    ManagedDeviceCertificateState.parse({
      id: "s1",
      certificateKeyUsage: "keyEncipherment",
      certificateIssuanceState: "installed",
      certificateThumbprint: T.toLowerCase(),
      deviceDisplayName: "Pixel",
      certificateEnhancedKeyUsage: "Secure Email (1.3.6.1.5.5.7.3.4)",
      ...over,
    });
  const upnOf = (t: string) => (t === T ? "Bob@Contoso.com" : undefined);

  const cases: { name: string; over: Record<string, unknown>; expected: unknown }[] = [
    {
      name: "a SCEP encryption certificate on an Android device, its user found by thumbprint",
      over: {},
      expected: {
        userId: "id-bob@contoso.com",
        thumbprint: T,
        source: "intuneScep",
        purpose: "encryption",
        platform: "android",
        deviceId: "Pixel",
        issuanceState: "installed",
      },
    },
    {
      name: "nothing issued yet, failed: unissued",
      over: { certificateThumbprint: null, certificateIssuanceState: "issueFailed" },
      expected: "unissued",
    },
    {
      name: "nothing issued yet, no state: nothing",
      over: { certificateThumbprint: "", certificateIssuanceState: null },
      expected: undefined,
    },
    {
      name: "a user nobody names: unattributed",
      over: { certificateThumbprint: "CD".repeat(20) },
      expected: "unattributed",
    },
    {
      name: "a Wi-Fi certificate: nothing",
      over: { certificateEnhancedKeyUsage: "Client Authentication (1.3.6.1.5.5.7.3.2)" },
      expected: undefined,
    },
  ];
  it.each(cases)("device state: $name", ({ over, expected }) => {
    const o = stateObservation(state(over), profile, upnOf, names);
    if (typeof expected === "object") expect(o).toMatchObject(expected as object);
    else expect(o).toBe(expected);
  });

  it("an export row, quoted fields and localised status, is the same observation as Graph's state", () => {
    const row = ExportRow.parse({
      CertificateStatus: "Installed",
      DeviceName: "Pixel",
      EnhancedKeyUsage: "Secure Email (1.3.6.1.5.5.7.3.4)",
      KeyUsage: "Key Encipherment",
      PolicyId: "p1",
      Thumbprint: T.toLowerCase(),
      UPN: "Bob@Contoso.com",
      ValidTo: "2027-01-01T00:00:00Z",
    });
    const fromExport = exportObservation(row, new Map([["p1", profile]]), names);
    const fromGraph = stateObservation(
      state({ certificateExpirationDateTime: "2027-01-01T00:00:00Z" }),
      profile,
      upnOf,
      names,
    );
    expect(fromExport).toEqual(fromGraph);
  });

  it("a row of another profile (not S/MIME on iOS or Android) is nothing; a row with a bad date is refused", () => {
    const row = ExportRow.parse({ PolicyId: "wifi", Thumbprint: T, UPN: "bob@contoso.com" });
    expect(exportObservation(row, new Map([["p1", profile]]), names)).toBeUndefined();
    expect(ExportRow.safeParse({ ValidTo: "next year" }).success).toBe(false);
  });

  it("a PFX for S/MIME is an observation without a device; one for VPN is nothing", () => {
    const pfx = (intendedPurpose: string) =>
      UserPfxCertificate.parse({
        id: "x",
        thumbprint: T,
        intendedPurpose,
        userPrincipalName: "bob@contoso.com",
        startDateTime: "2026-01-01T00:00:00Z",
        expirationDateTime: "2027-01-01T00:00:00Z",
      });
    expect(pfxObservation(pfx("smimeEncryption"), names)).toEqual({
      userId: "id-bob@contoso.com",
      userPrincipalName: "bob@contoso.com",
      thumbprint: T,
      source: "intunePfx",
      purpose: "encryption",
      notAfter: "2027-01-01T00:00:00.000Z",
    });
    expect(pfxObservation(pfx("vpn"), names)).toBeUndefined();
  });
});
