/**
 * checkDirectory end to end on real parts: slapd for the directory, Azurite for the inventory and users,
 * the in-process bus, and onCertificateEvent's use case handling what it publishes. Intune knows Alice's
 * encryption certificate by thumbprint only; the directory supplies the bytes, and NOT_PUBLISHED_FOR_RECIPIENTS
 * appears when her renewed certificate is not published and clears once it is.
 */
import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLdapDirectory } from "../../../shared/adapters/ldap-directory.ts";
import { createEvent, type EventData } from "../../../shared/contracts/events.ts";
import type { UserRecord } from "../../../shared/contracts/rows.ts";
import { PermanentError } from "../../../shared/errors.ts";
import type { Directory } from "../../../shared/ports.ts";
import { CHECK_DIRECTORY_LAST_RUN, checkDirectory } from "../../../shared/usecases/check-directory.ts";
import { processCertificateEvent } from "../../../shared/usecases/process-certificate-event.ts";
import type { Minted } from "../../support/pki.ts";
import { type Slapd, startSlapd } from "../../support/slapd.ts";
import { base64, type Harness, harness, messageOf, NOW } from "../usecases/harness.ts";

let slapd: Slapd;
let h: Harness;
let files = 0;

beforeAll(async () => {
  slapd = await startSlapd();
});
afterAll(async () => {
  await slapd?.stop();
});
beforeEach(async () => {
  h = await harness(`ucldap${++files}`);
});
afterEach(() => h.close());

const sha1 = (der: Uint8Array) => createHash("sha1").update(der).digest("hex").toUpperCase();

const directory = (): Directory =>
  createLdapDirectory({ url: slapd.url, baseDn: slapd.baseDn, bind: slapd.reader });

async function addUser(name: string): Promise<UserRecord> {
  const user: UserRecord = {
    userId: `user-${name}`,
    userPrincipalName: `${name}@contoso.com`,
    primarySmtp: `${name}@contoso.com`,
    accountEnabled: true,
    deleted: false,
    reasons: [],
    updatedAt: NOW.toISOString(),
  };
  await h.stores.users.put(user, { ifAbsent: true });
  return user;
}

/** What Intune (or an upload) says, handled by onCertificateEvent. */
async function discover(
  user: UserRecord,
  leaf: Minted,
  more: Partial<EventData<"certificate.discovered">> = {},
): Promise<void> {
  const data: EventData<"certificate.discovered"> = {
    userId: user.userId,
    thumbprint: sha1(leaf.der),
    userPrincipalName: user.userPrincipalName,
    source: "intunePfx",
    purpose: "both",
    ...more,
  };
  const event = createEvent("certificate.discovered", data, { source: "/test", time: h.clock.now() });
  await processCertificateEvent(h.deps, messageOf(event));
}

/** Runs checkDirectory, then lets onCertificateEvent handle the discoveries it published. */
async function runCheck() {
  h.bus.clear();
  const result = await checkDirectory(h.deps, directory(), { now: h.clock.now() });
  for (const event of h.bus.ofType("certificate.discovered"))
    await processCertificateEvent(h.deps, messageOf(event));
  return result;
}

const userOf = async (user: UserRecord) => (await h.stores.users.get(user.userId))?.value;

describe("checkDirectory", () => {
  it("supplies the bytes Intune lacks, and flags an unpublished renewal until it is published", async () => {
    const alice = await addUser("alice");
    const first = await h.pki.leaf({ email: "alice@contoso.com", subject: "CN=alice 2026" });
    const dn = await slapd.addPerson({
      uid: "alice",
      mail: "alice@contoso.com",
      userCertificate: [first.der],
    });
    await discover(alice, first);
    const before = await h.stores.certificates.get(alice.userId, sha1(first.der));
    expect({ certificate: before?.value.certificate, state: before?.value.state }).toEqual({
      certificate: undefined,
      state: "discovered",
    });

    const supplied = await runCheck();
    const record = (await h.stores.certificates.get(alice.userId, sha1(first.der)))?.value;
    expect({
      result: supplied,
      certificate: record?.certificate,
      sources: record?.sources,
      purpose: record?.purpose,
      state: record?.state,
      directory: (await userOf(alice))?.directory,
      encryptionReady: (await userOf(alice))?.encryptionReady,
    }).toEqual({
      result: {
        checked: 1,
        found: 1,
        notFound: 0,
        several: 0,
        supplied: 1,
        changed: 1,
        untracked: 0,
        failed: 0,
      },
      certificate: base64(first.der),
      sources: ["intunePfx", "directory"],
      purpose: "both",
      state: "valid",
      directory: { since: NOW.toISOString(), entry: dn, published: [sha1(first.der)] },
      encryptionReady: true,
    });

    // Renewed through Intune (with its bytes, as an upload would): the directory still publishes the first.
    const renewed = await h.pki.leaf({
      email: "alice@contoso.com",
      subject: "CN=alice 2027",
      notBefore: new Date("2026-05-01T00:00:00Z"),
      notAfter: new Date("2027-05-01T00:00:00Z"),
    });
    await discover(alice, renewed, { certificate: base64(renewed.der) });
    const stale = await userOf(alice);
    expect({ ready: stale?.encryptionReady, reasons: stale?.reasons }).toEqual({
      ready: false,
      reasons: ["NOT_PUBLISHED_FOR_RECIPIENTS"],
    });
    const unchanged = await runCheck();
    expect({ supplied: unchanged.supplied, changed: unchanged.changed }).toEqual({ supplied: 0, changed: 0 });
    expect((await userOf(alice))?.reasons).toEqual(["NOT_PUBLISHED_FOR_RECIPIENTS"]);

    await slapd.setCertificates(dn, "userCertificate;binary", [first.der, renewed.der]);
    h.clock.set("2026-06-02T00:00:00Z");
    const published = await runCheck();
    const after = await userOf(alice);
    expect({
      supplied: published.supplied,
      changed: published.changed,
      ready: after?.encryptionReady,
      reasons: after?.reasons,
      published: after?.directory?.published,
      since: after?.directory?.since,
      renewedSources: (await h.stores.certificates.get(alice.userId, sha1(renewed.der)))?.value.sources,
    }).toEqual({
      supplied: 1,
      changed: 1,
      ready: true,
      reasons: [],
      published: [sha1(first.der), sha1(renewed.der)].sort(),
      since: "2026-06-02T00:00:00.000Z",
      renewedSources: ["intunePfx", "directory"],
    });

    const again = await runCheck();
    expect({ supplied: again.supplied, changed: again.changed }).toEqual({ supplied: 0, changed: 0 });
    expect(await h.stores.cursors.get(CHECK_DIRECTORY_LAST_RUN)).toMatchObject({
      value: "2026-06-02T00:00:00.000Z",
    });
  });

  it("judges a user with no entry, skips an ambiguous one and a user without certificates", async () => {
    const bob = await addUser("bob");
    const dave = await addUser("dave");
    await addUser("nocerts");
    const bobLeaf = await h.pki.leaf({ email: "bob@contoso.com", subject: "CN=bob" });
    const daveLeaf = await h.pki.leaf({ email: "dave@contoso.com", subject: "CN=dave" });
    await discover(bob, bobLeaf, { certificate: base64(bobLeaf.der) });
    await discover(dave, daveLeaf, { certificate: base64(daveLeaf.der) });
    await slapd.addPerson({ uid: "dave1", mail: "dave@contoso.com", userCertificate: [daveLeaf.der] });
    await slapd.addPerson({
      uid: "dave2",
      mail: "dave.shared@contoso.com",
      proxyAddresses: ["smtp:dave@contoso.com"],
    });
    await slapd.addPerson({ uid: "nocerts", mail: "nocerts@contoso.com" });

    const result = await runCheck();
    const [b, d] = [await userOf(bob), await userOf(dave)];
    expect({
      result,
      bob: { directory: b?.directory, reasons: b?.reasons },
      dave: { directory: d?.directory, reasons: d?.reasons },
      warned: h.logger.lines.filter((l) => l.level === "warn").map((l) => [l.message, l.fields["userId"]]),
    }).toEqual({
      result: {
        checked: 2,
        found: 0,
        notFound: 1,
        several: 1,
        supplied: 0,
        changed: 1,
        untracked: 0,
        failed: 0,
      },
      bob: {
        directory: { since: NOW.toISOString(), published: [] },
        reasons: ["NOT_PUBLISHED_FOR_RECIPIENTS"],
      },
      dave: { directory: undefined, reasons: [] },
      warned: [["several directory entries answer for the user; publication not judged", dave.userId]],
    });
  });

  it("stops the run on a refused bind, with the clear permanent error", async () => {
    const alice = await addUser("alice");
    const leaf = await h.pki.leaf({ email: "alice@contoso.com" });
    await discover(alice, leaf, { certificate: base64(leaf.der) });
    const wrong = createLdapDirectory({
      url: slapd.url,
      baseDn: slapd.baseDn,
      bind: { dn: slapd.reader.dn, password: "not-the-password" },
    });
    const error = await checkDirectory(h.deps, wrong, { now: NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe(`LDAP bind as ${slapd.reader.dn} failed: invalid credentials`);
    expect((await userOf(alice))?.directory).toBeUndefined();
  });
});
