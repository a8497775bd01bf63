/**
 * syncUsers on real Table stores (Azurite) and the in-process bus, against a fake of Graph's users delta
 * that keeps its semantics (users-fixtures.ts). The certificate processor runs for real where a test
 * follows a change through to the user's certificates.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import { CursorNames } from "../../../shared/usecases/deps.ts";
import { processUserRefreshRequested } from "../../../shared/usecases/graph-refresh-user.ts";
import { processCertificateEvent } from "../../../shared/usecases/process-certificate-event.ts";
import { registerCertificate, userIdForUpn } from "../../../shared/usecases/register-certificate.ts";
import { type SyncUsersDeps, syncUsers, USERS_DELTA_CURSOR } from "../../../shared/usecases/sync-users.ts";
import { type Harness, harness, messageOf } from "../../integration/usecases/harness.ts";
import { FakeDirectory, type FakeUser } from "./users-fixtures.ts";

let h: Harness;
let directory: FakeDirectory;
let deps: SyncUsersDeps;
let files = 0;

const ids: Record<string, string> = {};
/** A directory user `name`@contoso.com, object id "entra-`name`". */
const named = (name: string, over: Partial<FakeUser> = {}): FakeUser => {
  ids[name] = `entra-${name}`;
  return {
    id: ids[name],
    userPrincipalName: `${name}@contoso.com`,
    mail: `${name}@contoso.com`,
    proxyAddresses: [`SMTP:${name}@contoso.com`, `smtp:${name}@contoso.onmicrosoft.com`],
    accountEnabled: true,
    displayName: name,
    ...over,
  };
};

beforeEach(async () => {
  h = await harness(`usersync${++files}`);
  directory = new FakeDirectory(["adele", "bruno", "chen", "dana", "erin"].map((n) => named(n)));
  deps = { ...h.deps, graph: directory };
});
afterEach(() => h.close());

const changed = () =>
  h.events("user.changed").map((e) => {
    const d = e.data as { userId: string; change: string };
    return `${d.userId} ${d.change}`;
  });

describe("syncUsers", () => {
  it("first run: enumerates every user page by page, stores them, announces nothing, keeps the deltaLink", async () => {
    const result = await syncUsers(deps);
    expect(result).toMatchObject({ mode: "full", restarted: false, pages: 3, seen: 5, written: 5, swept: 0 });
    expect(directory.rounds).toEqual([undefined]);
    expect(h.events("user.changed")).toEqual([]);
    expect((await h.stores.users.get("entra-chen"))?.value).toMatchObject({
      userPrincipalName: "chen@contoso.com",
      primarySmtp: "chen@contoso.com",
      accountEnabled: true,
      deleted: false,
    });
    expect((await h.stores.cursors.get(USERS_DELTA_CURSOR))?.value).toMatch(/deltatoken=5$/);
    expect((await h.stores.cursors.get(CursorNames.syncUsersLastRun))?.value).toBe(
      h.clock.now().toISOString(),
    );
  });

  it("incremental: a changed primary SMTP, a disabled and a deleted user each make one user.changed; the rest nothing", async () => {
    await syncUsers(deps);
    directory.update(ids["adele"]!, {
      proxyAddresses: ["SMTP:adele.vance@contoso.com", "smtp:adele@contoso.com"],
    });
    directory.update(ids["bruno"]!, { accountEnabled: false });
    directory.remove(ids["chen"]!);
    directory.update(ids["dana"]!, { displayName: "Dana L." }); // no verdict depends on it
    directory.put(named("fiona"));
    const result = await syncUsers(deps);
    expect(result).toMatchObject({
      mode: "incremental",
      seen: 5,
      changes: { primarySmtpChanged: 1, disabled: 1, deleted: 1 },
    });
    expect(directory.rounds[1]).toMatch(/deltatoken=5$/);
    expect(changed().sort()).toEqual([
      "entra-adele primarySmtpChanged",
      "entra-bruno disabled",
      "entra-chen deleted",
    ]);
    const adele = h.events("user.changed").find((e) => e.userid === "entra-adele");
    expect(adele?.data).toMatchObject({
      primarySmtp: "adele.vance@contoso.com",
      previousPrimarySmtp: "adele@contoso.com",
    });
    expect(h.bus.published.filter((p) => p.event.type === "user.changed").map((p) => p.queue)).toEqual([
      "certificateEvents",
      "certificateEvents",
      "certificateEvents",
    ]);
    expect((await h.stores.users.get("entra-dana"))?.value.displayName).toBe("Dana L.");
    expect((await h.stores.users.get("entra-chen"))?.value.deleted).toBe(true);
    expect((await h.stores.users.get("entra-fiona"))?.value.primarySmtp).toBe("fiona@contoso.com");
  });

  it("a round with no changes announces nothing and writes nothing", async () => {
    await syncUsers(deps);
    const result = await syncUsers(deps);
    expect(result).toMatchObject({ mode: "incremental", seen: 0, written: 0, changes: {} });
    expect(h.events("user.changed")).toEqual([]);
  });

  it("a user named twice in a round is applied in its last state", async () => {
    await syncUsers(deps);
    directory.pageSize = 10;
    const delta = directory.usersDelta.bind(directory);
    directory.usersDelta = async function* (link?: string) {
      for await (const page of delta(link))
        yield { ...page, items: [{ ...page.items[0]!, accountEnabled: false }, ...page.items] };
    };
    directory.update(ids["erin"]!, { accountEnabled: true, displayName: "Erin" });
    await syncUsers(deps);
    expect((await h.stores.users.get("entra-erin"))?.value.accountEnabled).toBe(true);
    expect(changed()).toEqual([]);
  });

  it("an expired deltaLink starts over with a full round, and users gone meanwhile are announced as deleted", async () => {
    await syncUsers(deps);
    const manual = await registerManual("gina");
    directory.remove(ids["dana"]!, "deleted");
    directory.update(ids["erin"]!, { accountEnabled: false });
    directory.expireLinks();
    const result = await syncUsers(deps);
    expect(result).toMatchObject({ mode: "full", restarted: true, swept: 1 });
    expect(directory.rounds).toHaveLength(3);
    expect(directory.rounds[2]).toBeUndefined();
    expect(changed().sort()).toEqual(["entra-dana deleted", "entra-erin disabled"]);
    // A hand-registered user the directory never had is not swept.
    expect((await h.stores.users.get(manual))?.value.deleted).toBe(false);
    expect((await h.stores.cursors.get(USERS_DELTA_CURSOR))?.value).toMatch(/deltatoken=7$/);
  });

  it("a failure mid-round keeps the old deltaLink, and the rerun announces what the failed run did not", async () => {
    await syncUsers(deps);
    const link = (await h.stores.cursors.get(USERS_DELTA_CURSOR))?.value;
    directory.update(ids["adele"]!, { accountEnabled: false });
    const publishMany = h.bus.publishMany.bind(h.bus);
    h.bus.publishMany = async () => {
      throw new Error("bus down");
    };
    await expect(syncUsers(deps)).rejects.toThrow("bus down");
    expect((await h.stores.cursors.get(USERS_DELTA_CURSOR))?.value).toBe(link);
    h.bus.publishMany = publishMany;
    await syncUsers(deps);
    expect(h.bus.ofType("user.changed").map((e) => (e.data as { change: string }).change)).toEqual([
      "disabled",
    ]);
    expect((await h.stores.users.get("entra-adele"))?.value.accountEnabled).toBe(false);
  });

  it("a hand-registered user is re-keyed into the directory user with that UPN: certificates follow, one user remains", async () => {
    const derived = await registerManual("hank");
    await drain();
    expect(await h.stores.certificates.listByUser(derived)).toHaveLength(1);
    directory.put(named("hank"));
    const result = await syncUsers(deps);
    expect(result.merged).toBe(1);
    expect(h.events("certificate.discovered").at(-1)?.data).toMatchObject({
      userId: "entra-hank",
      source: "manual",
    });
    expect(h.events("certificate.removed").map((e) => e.data)).toMatchObject([{ userId: derived }]);
    expect((await h.stores.users.get(derived))?.value.deleted).toBe(true);
    expect((await h.stores.users.findByUpn("hank@contoso.com"))?.userId).toBe("entra-hank");
    await drain();
    const [moved] = await h.stores.certificates.listByUser("entra-hank");
    expect(moved).toMatchObject({ state: "valid", sources: ["manual"] });
    expect((await h.stores.certificates.listByUser(derived)).map((c) => c.state)).toEqual(["removed"]);
    expect((await h.stores.users.findByUpn("hank@contoso.com"))?.userId).toBe("entra-hank");
    // Running again merges nothing more.
    expect((await syncUsers(deps)).merged).toBe(0);
  });

  it("a derived user created just after the directory user (a racing certificate sync) is merged when the directory next shows it", async () => {
    await syncUsers(deps);
    const derived = userIdForUpn("erin@contoso.com");
    const leaf = await h.pki.leaf({ email: "erin@contoso.com" });
    await publish(discovered(derived, "erin@contoso.com", leaf.pem));
    await drain(); // the processor creates the derived user's record, which takes the UPN
    expect((await h.stores.users.findByUpn("erin@contoso.com"))?.userId).toBe(derived);
    directory.update(ids["erin"]!, { displayName: "Erin K." });
    expect((await syncUsers(deps)).merged).toBe(1);
    await drain();
    expect((await h.stores.users.findByUpn("erin@contoso.com"))?.userId).toBe("entra-erin");
    expect((await h.stores.certificates.listByUser("entra-erin")).map((c) => c.state)).toEqual(["valid"]);
  });

  describe("the user's certificates follow the directory", () => {
    it("a new primary SMTP address re-validates the certificate: SMTP_MISMATCH appears, and clears when the address returns", async () => {
      await syncUsers(deps);
      const leaf = await h.pki.leaf({ email: "adele@contoso.com" });
      await publish(discovered("entra-adele", "adele@contoso.com", leaf.pem));
      await drain();
      expect((await h.stores.certificates.listByUser("entra-adele"))[0]).toMatchObject({ state: "valid" });

      directory.update(ids["adele"]!, { proxyAddresses: ["SMTP:adele.vance@contoso.com"] });
      await syncUsers(deps);
      await drain();
      const [mismatch] = await h.stores.certificates.listByUser("entra-adele");
      expect(mismatch?.state).toBe("invalid");
      expect(mismatch?.signing?.problems.map((p) => p.code)).toContain("SMTP_MISMATCH");

      // Later (the re-validation request's id carries the time of the change).
      h.clock.set(new Date(h.clock.now().getTime() + 60_000));
      directory.update(ids["adele"]!, { proxyAddresses: ["SMTP:adele@contoso.com"] });
      await syncUsers(deps);
      await drain();
      const [back] = await h.stores.certificates.listByUser("entra-adele");
      expect(back?.state).toBe("valid");
      expect(back?.signing?.problems.map((p) => p.code)).not.toContain("SMTP_MISMATCH");
    });

    it.each([
      {
        name: "disabled",
        act: (id: string) => directory.update(id, { accountEnabled: false }),
        reason: "USER_DISABLED",
      },
      { name: "deleted", act: (id: string) => directory.remove(id), reason: "USER_DELETED" },
    ])("a $name user is no longer ready ($reason)", async ({ act, reason }) => {
      await syncUsers(deps);
      const leaf = await h.pki.leaf({ email: "bruno@contoso.com" });
      await publish(discovered("entra-bruno", "bruno@contoso.com", leaf.pem));
      await drain();
      expect((await h.stores.users.get("entra-bruno"))?.value.signingReady).toBe(true);
      act(ids["bruno"]!);
      await syncUsers(deps);
      await drain();
      const record = (await h.stores.users.get("entra-bruno"))?.value;
      expect(record).toMatchObject({ signingReady: false });
      expect(record?.reasons).toContain(reason);
    });
  });

  /** Registers a certificate by hand for `name`@contoso.com; returns the derived user id. */
  async function registerManual(name: string): Promise<string> {
    const leaf = await h.pki.leaf({ email: `${name}@contoso.com` });
    const result = await registerCertificate(h.deps, {
      userPrincipalName: `${name}@contoso.com`,
      certificate: leaf.pem,
      purpose: "signing",
      requestedBy: "admin",
    });
    expect(result.userId).toBe(userIdForUpn(`${name}@contoso.com`));
    return result.userId;
  }
});

function discovered(userId: string, upn: string, pem: string): CloudEventEnvelope {
  const der = pem.replace(/-----[^-]+-----|\s/g, "");
  return {
    specversion: "1.0",
    id: `test-${userId}-${der.length}`,
    source: "/smime-lifecycle/test",
    type: "certificate.discovered",
    time: h.clock.now().toISOString(),
    datacontenttype: "application/json",
    userid: userId,
    data: {
      userId,
      thumbprint: "0".repeat(40),
      userPrincipalName: upn,
      source: "manual",
      purpose: "signing",
      certificate: der,
    },
  };
}

async function publish(event: CloudEventEnvelope) {
  // The thumbprint is the certificate's own: registered through the processor's parser.
  const { readCertificate } = await import("../../../shared/usecases/register-certificate.ts");
  const data = event.data as { certificate: string };
  const thumbprint = readCertificate(data.certificate).thumbprint;
  await h.bus.publish("certificateEvents", { ...event, data: { ...data, thumbprint } });
}

/** Processes every certificate-events message published so far, and what that publishes, until none is left. */
async function drain(): Promise<void> {
  const done = new Set<string>();
  for (;;) {
    const pending = h.bus.published.filter((p) => p.queue === "certificateEvents" && !done.has(p.event.id));
    if (pending.length === 0) return;
    for (const { event } of pending) {
      done.add(event.id);
      if (event.type === "user.refreshRequested")
        await processUserRefreshRequested(
          { ...h.deps, graph: directory },
          JSON.parse(JSON.stringify(event)) as Parameters<typeof processUserRefreshRequested>[1],
        );
      else await processCertificateEvent(h.deps, messageOf(event));
    }
  }
}
