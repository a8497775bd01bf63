/**
 * What syncIntune reads of the pipeline's own state, on Azurite: the inventory's Intune certificates through a
 * projected scan (only the fields an entry is made from) must give exactly the entries the whole records give,
 * and the users' projected scan must resolve UPNs as the whole records would.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { CertificateRecord, UserRecord } from "../../../shared/contracts/rows.ts";
import { type InventoryEntry, inventoryEntry } from "../../../shared/domain/intune-diff.ts";
import type { ByUser } from "../../../shared/usecases/intune-by-user.ts";
import { loadIntuneInventory, loadUserResolver } from "../../../shared/usecases/intune-inventory.ts";
import { userIdForUpn } from "../../../shared/usecases/register-certificate.ts";
import { certificate, storesFor, thumbprint, user } from "../tables/fixtures.ts";

const { certificates, users } = storesFor("intuneinventory");
const FINGERPRINT = "0123456789abcdef";

/** A record of one case: its own user, so the cases never share a partition by accident. */
const record = (name: string, overrides: Partial<CertificateRecord>): CertificateRecord =>
  certificate({
    userId: `user-${name}`,
    thumbprint: thumbprint(name),
    userPrincipalName: `${name}@contoso.com`,
    intuneFingerprint: FINGERPRINT,
    ...overrides,
  });

/** Each case: the stored record, and the entry syncIntune must keep of it (undefined: skipped). */
const CASES: [string, CertificateRecord, Omit<InventoryEntry, "userId" | "thumbprint"> | undefined][] = [
  [
    "an imported PFX from Intune alone",
    record("pfx", { sources: ["intunePfx"], purpose: "encryption" }),
    { state: "valid", intuneOnly: true, fingerprint: FINGERPRINT, facts: undefined },
  ],
  [
    "a SCEP certificate on an iOS device",
    record("scep", { sources: ["intuneScep"], platform: "iOS", deviceId: "device-1" }),
    { state: "valid", intuneOnly: true, fingerprint: FINGERPRINT, facts: undefined },
  ],
  [
    "a PKCS certificate the directory publishes too",
    record("pkcs", { sources: ["intunePkcs", "directory"] }),
    { state: "valid", intuneOnly: false, fingerprint: FINGERPRINT, facts: undefined },
  ],
  [
    "a certificate Intune no longer lists (removed)",
    record("removed", { sources: ["intuneScep"], state: "removed" }),
    { state: "removed", intuneOnly: true, fingerprint: FINGERPRINT, facts: undefined },
  ],
  [
    "a revoked certificate",
    record("revoked", { sources: ["intunePfx"], state: "revoked" }),
    { state: "revoked", intuneOnly: true, fingerprint: FINGERPRINT, facts: undefined },
  ],
  [
    "a record written before records kept a fingerprint: its facts instead",
    record("nofingerprint", {
      sources: ["intuneScep", "manual"],
      intuneFingerprint: undefined,
      platform: "android",
      deviceId: "device-2",
      notAfter: "2027-02-01T00:00:00.000Z",
    }),
    {
      state: "valid",
      intuneOnly: false,
      fingerprint: undefined,
      facts: {
        sources: ["intuneScep"],
        purpose: "signing",
        platform: "android",
        deviceId: "device-2",
        notAfter: "2027-02-01T00:00:00.000Z",
      },
    },
  ],
  [
    "a certificate stored in chunks (its DER over one property)",
    record("chunked", { sources: ["intunePfx"], certificate: Buffer.alloc(90_000, 5).toString("base64") }),
    { state: "valid", intuneOnly: true, fingerprint: FINGERPRINT, facts: undefined },
  ],
  ["an admin's upload: not Intune's", record("manual", { sources: ["manual"] }), undefined],
  ["a directory-only certificate: not Intune's", record("directory", { sources: ["directory"] }), undefined],
];

const USERS: UserRecord[] = [
  user({ userId: "id-kim", userPrincipalName: "Kim@contoso.com" }),
  user({ userId: "id-lee-deleted", userPrincipalName: "lee@contoso.com", deleted: true }),
  user({ userId: "id-lee", userPrincipalName: "lee@contoso.com" }),
];

const identity = (text: string) => text;
let projected: ByUser<InventoryEntry>;
let whole: Map<string, InventoryEntry>;

beforeAll(async () => {
  for (const [, stored] of CASES) await certificates.put(stored, { force: true });
  for (const u of USERS) await users.put(u, { force: true });
  projected = await loadIntuneInventory(certificates, { intern: identity, userId: identity });
  whole = new Map();
  for await (const r of certificates.scan()) {
    const entry = inventoryEntry(r);
    if (entry) whole.set(`${entry.userId}|${entry.thumbprint}`, entry);
  }
});

describe("loadIntuneInventory on Azurite", () => {
  it.each(CASES)("%s", (_name, stored, expected) => {
    const entry = projected.get(stored.userId, stored.thumbprint);
    expect(entry).toEqual(expected && { userId: stored.userId, thumbprint: stored.thumbprint, ...expected });
    expect(entry).toEqual(whole.get(`${stored.userId}|${stored.thumbprint}`));
  });

  it("keeps the Intune certificates and nothing else", () => {
    expect(projected.size).toBe(CASES.filter(([, , expected]) => expected).length);
    expect(whole.size).toBe(projected.size);
  });
});

describe("loadUserResolver on Azurite", () => {
  it.each([
    ["a stored user, by UPN in any case", "KIM@contoso.com", "id-kim"],
    ["a reused UPN: the living user, not the deleted one", "lee@contoso.com", "id-lee"],
    [
      "a user the directory sync has not stored: the derived id",
      "new@contoso.com",
      userIdForUpn("new@contoso.com"),
    ],
  ])("%s", async (_name, upn, expected) => {
    const resolve = await loadUserResolver(users);
    expect(resolve.userId(upn)).toBe(expected);
  });
});
