import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import { createEvent, type EventData } from "../../../shared/contracts/events.ts";
import type { CertificateRecord, UserRecord } from "../../../shared/contracts/rows.ts";
import { PermanentError, PoisonMessageError } from "../../../shared/errors.ts";
import type { CertificateStore, WriteCondition } from "../../../shared/ports.ts";
import { processCertificateEvent } from "../../../shared/usecases/process-certificate-event.ts";
import { refreshReadiness } from "../../../shared/usecases/refresh-readiness.ts";
import type { Minted } from "../../support/pki.ts";
import { base64, type Harness, harness, messageOf, NOW } from "./harness.ts";

let h: Harness;
const OPTIONS = { source: "/smime-lifecycle/test", time: NOW };

beforeAll(async () => {
  h = await harness("ucprocess");
});
afterAll(() => h.close());

let users = 0;
/** A fresh user per test: the tests share tables. */
function newUser(label: string) {
  users++;
  return { userId: `user-${label}-${users}`, upn: `${label}${users}@contoso.com` };
}

function discovered(
  user: { userId: string; upn: string },
  leaf: Minted | undefined,
  overrides: Partial<EventData<"certificate.discovered">> = {},
) {
  return createEvent(
    "certificate.discovered",
    {
      userId: user.userId,
      thumbprint: leaf ? thumbprintOf(leaf) : "A".repeat(40),
      userPrincipalName: user.upn,
      source: "manual",
      purpose: "both",
      ...(leaf && { certificate: base64(leaf.der) }),
      ...overrides,
    },
    OPTIONS,
  );
}

const sha1 = (der: Uint8Array): string => createHash("sha1").update(der).digest("hex").toUpperCase();
const thumbprintOf = (m: Minted) => sha1(m.der);

async function handle(event: CloudEventEnvelope, deliveryCount = 1) {
  return processCertificateEvent(h.deps, messageOf(event, deliveryCount));
}

async function record(userId: string, thumbprint: string) {
  return (await h.stores.certificates.get(userId, thumbprint))?.value;
}

describe("processCertificateEvent", () => {
  it("validates a discovered certificate, stores it valid with its chain's CRL URLs, and says so", async () => {
    const user = newUser("valid");
    const leaf = await h.pki.leaf({ email: user.upn });
    const before = h.appended.length;
    const outcome = await handle(discovered(user, leaf, { smtp: user.upn }));
    expect(outcome).toMatchObject({ result: "changed", state: "valid" });
    const stored = await record(user.userId, sha1(leaf.der));
    expect(stored).toMatchObject({
      state: "valid",
      revision: 0,
      sources: ["manual"],
      signing: { ready: true },
      encryption: { ready: true },
      emailAddresses: [user.upn],
    });
    expect(stored?.crlUrls.sort()).toEqual([h.pki.caCrlUrl, h.pki.rootCrlUrl].sort());
    expect(h.appended.slice(before).map((e) => [e.type, e.data])).toMatchObject([
      ["certificate.validated", { userId: user.userId, state: "valid", revision: 0 }],
    ]);
    expect((await h.stores.users.get(user.userId))?.value).toMatchObject({
      signingReady: true,
      encryptionReady: true,
    });
  });

  describe("a discovery's verdict", () => {
    interface Case {
      readonly name: string;
      readonly leaf: (upn: string) => Promise<Minted | undefined>;
      readonly smtp?: (upn: string) => string;
      readonly revokedOnCrl?: boolean;
      readonly state: CertificateRecord["state"];
      /** Types published, in order. */
      readonly published: readonly string[];
      readonly notice?: string;
    }
    const cases: Case[] = [
      {
        name: "a certificate for another address than the user's primary SMTP is invalid, and the user is told",
        leaf: (upn) => h.pki.leaf({ email: upn }),
        smtp: () => "someone.else@contoso.com",
        state: "invalid",
        published: ["certificate.validationFailed", "notification.requested"],
        notice: "validationFailed",
      },
      {
        name: "Intune metadata without the certificate stays discovered, with nothing to announce",
        leaf: async () => undefined,
        state: "discovered",
        published: [],
      },
      {
        name: "a certificate its CA's CRL lists is revoked, and the user is told",
        leaf: (upn) => h.pki.leaf({ email: upn }),
        revokedOnCrl: true,
        state: "revoked",
        published: ["certificate.validationFailed", "notification.requested"],
        notice: "revoked",
      },
      {
        name: "a certificate within the largest threshold is expiring (the threshold is announced by scanExpiry)",
        leaf: (upn) => h.pki.leaf({ email: upn, notAfter: new Date("2026-06-10T00:00:00Z") }),
        state: "expiring",
        published: ["certificate.validated"],
      },
    ];
    it.each(cases)("$name", async (c) => {
      const user = newUser("verdict");
      const leaf = await c.leaf(user.upn);
      if (c.revokedOnCrl && leaf) {
        await h.pki.publishCaCrl([leaf.serial]);
        h.resetNetworkCaches();
      }
      try {
        const before = h.appended.length;
        const smtp = c.smtp?.(user.upn) ?? user.upn;
        const outcome = await handle(discovered(user, leaf, { smtp }));
        expect(outcome.state).toBe(c.state);
        const published = h.appended.slice(before);
        expect(published.map((e) => e.type)).toEqual(c.published);
        const notice = published.find((e) => e.type === "notification.requested");
        expect((notice?.data as { reason?: string } | undefined)?.reason).toBe(c.notice);
      } finally {
        if (c.revokedOnCrl) {
          await h.pki.publishCaCrl();
          h.resetNetworkCaches();
        }
      }
    });
  });

  it("handles the same event twice as once: the second delivery writes and publishes nothing", async () => {
    const user = newUser("twice");
    const leaf = await h.pki.leaf({ email: user.upn });
    const event = discovered(user, leaf, { smtp: user.upn });
    await handle(event);
    const first = await h.stores.certificates.get(user.userId, sha1(leaf.der));
    const before = h.appended.length;
    const again = await handle(event, 2);
    expect(again.result).toBe("unchanged");
    expect(await h.stores.certificates.get(user.userId, sha1(leaf.der))).toEqual(first);
    expect(h.appended.slice(before)).toEqual([]);
  });

  it("after a crash between publishing and writing, the redelivery publishes the same ids and writes once", async () => {
    const user = newUser("crash");
    const leaf = await h.pki.leaf({ email: "not-the-user@contoso.com" });
    const event = discovered(user, leaf, { smtp: user.upn });
    const crashing = {
      ...h.deps,
      certificates: failingFirstPut(h.stores.certificates, new Error("process killed")),
    };
    const before = h.appended.length;
    await expect(processCertificateEvent(crashing, messageOf(event))).rejects.toThrow("process killed");
    const firstIds = h.appended.slice(before).map((e) => e.id);
    expect(firstIds).toHaveLength(2);
    expect(await record(user.userId, sha1(leaf.der))).toBeUndefined();
    const middle = h.appended.length;
    await handle(event, 2);
    expect(h.appended.slice(middle).map((e) => e.id)).toEqual(firstIds);
    expect(await record(user.userId, sha1(leaf.der))).toMatchObject({ state: "invalid", revision: 0 });
  });

  it("redoes a write that lost an ETag race from a fresh read", async () => {
    const user = newUser("race");
    const leaf = await h.pki.leaf({ email: user.upn });
    await handle(discovered(user, leaf, { smtp: user.upn }));
    const thumbprint = sha1(leaf.der);
    // Between this handler's read and write, another writer adds a source to the record.
    const racing = {
      ...h.deps,
      certificates: beforeFirstPut(h.stores.certificates, async () => {
        const current = (await h.stores.certificates.get(user.userId, thumbprint))!;
        const sources: CertificateRecord["sources"] = [...current.value.sources, "intunePfx"];
        await h.stores.certificates.put({ ...current.value, sources }, { ifMatch: current.etag });
      }),
    };
    const removed = createEvent(
      "certificate.removed",
      { userId: user.userId, thumbprint, reason: "left the company" },
      OPTIONS,
    );
    const outcome = await processCertificateEvent(racing, messageOf(removed));
    expect(outcome).toMatchObject({ result: "changed", state: "removed" });
    expect(await record(user.userId, thumbprint)).toMatchObject({
      state: "removed",
      sources: ["manual", "intunePfx"],
      revision: 1,
    });
  });

  it("writes the readiness summary a fresh refresh computes, from what it read itself", async () => {
    const user = newUser("summary");
    const leaves = [
      await h.pki.leaf({ email: "someone-else@contoso.com" }),
      await h.pki.leaf({ email: "another-one@contoso.com" }),
      await h.pki.leaf({ email: "a-third@contoso.com" }),
    ];
    for (const leaf of leaves) await handle(discovered(user, leaf, { smtp: user.upn }));
    const written = await h.stores.users.get(user.userId);
    expect(written?.value.reasons.length).toBeGreaterThan(0);
    const fresh = await refreshReadiness(h.deps, { userId: user.userId, userPrincipalName: user.upn }, NOW);
    expect(fresh).toEqual(written?.value);
    expect(await h.stores.users.get(user.userId)).toEqual(written); // nothing left to rewrite
  });

  it("redoes the readiness summary from a fresh read when the user changed since the event's read", async () => {
    const user = newUser("userrace");
    const bad = await h.pki.leaf({ email: "someone-else@contoso.com" });
    await handle(discovered(user, bad, { smtp: user.upn }));
    let raced = false;
    const racing = {
      ...h.deps,
      users: {
        ...h.stores.users,
        put: async (next: UserRecord, condition: WriteCondition) => {
          if (!raced) {
            raced = true;
            const current = (await h.stores.users.get(user.userId))!;
            const renamed = { ...current.value, displayName: "Renamed meanwhile" };
            await h.stores.users.put(renamed, { ifMatch: current.etag });
          }
          return h.stores.users.put(next, condition);
        },
      },
    };
    const good = await h.pki.leaf({ email: user.upn });
    await processCertificateEvent(racing, messageOf(discovered(user, good, { smtp: user.upn })));
    expect(raced).toBe(true);
    expect((await h.stores.users.get(user.userId))?.value).toMatchObject({
      displayName: "Renamed meanwhile",
      signingReady: true,
      reasons: [],
    });
  });

  it("records an announced threshold with the larger ones, enters expiring, and asks for one notice", async () => {
    const user = newUser("expiring");
    const leaf = await h.pki.leaf({ email: user.upn, notAfter: new Date("2026-06-10T00:00:00Z") });
    await handle(discovered(user, leaf, { smtp: user.upn }));
    const thumbprint = sha1(leaf.der);
    const expiring = createEvent(
      "certificate.expiring",
      {
        userId: user.userId,
        thumbprint,
        notAfter: "2026-06-10T00:00:00.000Z",
        thresholdDays: 14,
        daysLeft: 9,
      },
      OPTIONS,
    );
    const before = h.appended.length;
    await handle(expiring);
    expect(await record(user.userId, thumbprint)).toMatchObject({
      state: "expiring",
      thresholdsAnnounced: [30, 14],
    });
    expect(h.appended.slice(before).map((e) => [e.type, e.data])).toMatchObject([
      ["notification.requested", { reason: "expiring", thresholdDays: 14, thumbprint }],
    ]);
    expect(h.bus.ofType("notification.requested").map((e) => e.id)).toContain(h.appended.at(-1)?.id);
  });

  it("marks a certificate expired once its notAfter has passed, and tells the user", async () => {
    const user = newUser("expired");
    const leaf = await h.pki.leaf({ email: user.upn, notAfter: new Date("2026-06-10T00:00:00Z") });
    await handle(discovered(user, leaf, { smtp: user.upn }));
    const thumbprint = sha1(leaf.der);
    h.clock.set("2026-06-10T00:00:01Z");
    try {
      const before = h.appended.length;
      await handle(
        createEvent(
          "certificate.expired",
          { userId: user.userId, thumbprint, notAfter: "2026-06-10T00:00:00.000Z" },
          OPTIONS,
        ),
      );
      expect(await record(user.userId, thumbprint)).toMatchObject({ state: "expired", revision: 1 });
      expect(h.appended.slice(before).map((e) => [e.type, (e.data as { reason?: string }).reason])).toEqual([
        ["certificate.validationFailed", undefined],
        ["notification.requested", "expired"],
      ]);
    } finally {
      h.clock.set(NOW);
    }
  });

  it("ignores an event about a certificate the inventory does not hold", async () => {
    const user = newUser("unknown");
    const outcome = await handle(
      createEvent(
        "certificate.revalidationRequested",
        { userId: user.userId, thumbprint: "B".repeat(40), reason: "test", requestedAt: NOW.toISOString() },
        OPTIONS,
      ),
    );
    expect(outcome.result).toBe("ignored");
    expect(await record(user.userId, "B".repeat(40))).toBeUndefined();
  });

  it("follows a new primary SMTP address: the user record changes and every certificate is re-validated", async () => {
    const user = newUser("smtp");
    const leaf = await h.pki.leaf({ email: user.upn });
    await handle(discovered(user, leaf, { smtp: user.upn }));
    const changed = createEvent(
      "user.changed",
      {
        userId: user.userId,
        userPrincipalName: user.upn,
        change: "primarySmtpChanged",
        primarySmtp: "renamed@contoso.com",
        observedAt: NOW.toISOString(),
      },
      OPTIONS,
    );
    const outcome = await handle(changed);
    expect(outcome).toMatchObject({ result: "changed", published: 1 });
    expect((await h.stores.users.get(user.userId))?.value.primarySmtp).toBe("renamed@contoso.com");
    const request = h.bus.ofType("certificate.revalidationRequested").at(-1)!;
    expect(request.data).toMatchObject({
      thumbprint: sha1(leaf.der),
      reason: "user.changed primarySmtpChanged",
    });
    expect((await handle(request)).state).toBe("invalid");
    expect((await h.stores.users.get(user.userId))?.value).toMatchObject({
      signingReady: false,
      reasons: expect.arrayContaining(["SMTP_MISMATCH"]),
    });
  });

  describe("poison messages", () => {
    const cases = [
      { name: "a body that is not JSON", body: "{not json", reason: "UnparseableEvent" },
      { name: "JSON that is no CloudEvent", body: { hello: "world" }, reason: "UnparseableEvent" },
      {
        name: "an event whose data breaks its schema",
        body: { ...discovered(newUser("poison"), undefined), data: { userId: "" } },
        reason: "UnparseableEvent",
      },
      {
        name: "an event that belongs on another queue",
        body: createEvent("notification.requested", { userId: "u", reason: "expired" }, OPTIONS),
        reason: "UnexpectedEventType",
      },
    ];
    it.each(cases)("$name is refused as poison ($reason)", async ({ body, reason }) => {
      const error = await processCertificateEvent(h.deps, { ...messageOf(null), body }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PoisonMessageError);
      expect((error as PoisonMessageError).reason).toBe(reason);
    });

    it("lands in the dead-letter queue at once, with its own reason", async () => {
      const poison = { ...discovered(newUser("dlq"), undefined), data: { userId: 42 } } as CloudEventEnvelope;
      const subscription = h.inProcessBus.subscribe("certificateEvents", async (m) => {
        await processCertificateEvent(h.deps, m);
      });
      try {
        await h.inProcessBus.publish("certificateEvents", poison);
        const letters = await until(async () => {
          const found = await h.inProcessBus.peekDeadLetters("certificateEvents", 10);
          return found.find((l) => l.messageId === poison.id);
        });
        expect(letters.reason).toBe("UnparseableEvent");
        expect(letters.description).toMatch(/certificate\.discovered data/);
      } finally {
        await subscription.close();
      }
    });
  });
});

/** A store whose first put fails with `error` before writing (a process killed at that point). */
function failingFirstPut(store: CertificateStore, error: Error): CertificateStore {
  let failed = false;
  return {
    ...store,
    get: (u, t) => store.get(u, t),
    listByUser: (u) => store.listByUser(u),
    scan: () => store.scan(),
    put: async (record, condition) => {
      if (!failed) {
        failed = true;
        throw error;
      }
      return store.put(record, condition);
    },
  };
}

/** A store that runs `race` just before its first put (another writer getting in between read and write). */
function beforeFirstPut(store: CertificateStore, race: () => Promise<void>): CertificateStore {
  let raced = false;
  return {
    get: (u, t) => store.get(u, t),
    listByUser: (u) => store.listByUser(u),
    scan: () => store.scan(),
    put: async (record, condition) => {
      if (!raced) {
        raced = true;
        await race();
      }
      return store.put(record, condition);
    },
  };
}

/** Polls `probe` until it answers something (the bus settles on its own schedule). */
async function until<T>(probe: () => Promise<T | undefined>, attempts = 400): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("condition not reached");
}

describe("processCertificateEvent on user.refreshRequested (a Graph change notification)", () => {
  const refresh = (userId: string) =>
    createEvent(
      "user.refreshRequested",
      {
        userId,
        changeType: "updated",
        subscriptionId: "sub-1",
        resource: `Users/${userId}`,
        notificationKey: "n-1",
        receivedAt: NOW.toISOString(),
      },
      OPTIONS,
    );

  it("reads the user from Graph", async () => {
    const user = newUser("refresh");
    const asked: string[] = [];
    const graph = {
      getUser: async (id: string) => {
        asked.push(id);
        return undefined;
      },
    };
    await processCertificateEvent({ ...h.deps, graph }, messageOf(refresh(user.userId), 1)).catch(() => {});
    expect(asked).toEqual([user.userId]);
  });

  it("fails for good, naming what is missing, in a process without a Graph gateway", async () => {
    const user = newUser("nograph");
    await expect(handle(refresh(user.userId))).rejects.toBeInstanceOf(PermanentError);
  });
});
