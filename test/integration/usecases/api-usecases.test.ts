import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEvent } from "../../../shared/contracts/events.ts";
import type { CertificateRecord, UserRecord } from "../../../shared/contracts/rows.ts";
import { CursorNames } from "../../../shared/usecases/deps.ts";
import { InputError } from "../../../shared/usecases/input-error.ts";
import { publishEvents } from "../../../shared/usecases/publish-events.ts";
import { queryEvents } from "../../../shared/usecases/query-events.ts";
import { queryStatus } from "../../../shared/usecases/query-status.ts";
import { queryUsers } from "../../../shared/usecases/query-users.ts";
import { registerCertificate, userIdForUpn } from "../../../shared/usecases/register-certificate.ts";
import { base64, type Harness, harness, NOW, storedRecord } from "./harness.ts";

let h: Harness;
let files = 0;

beforeEach(async () => {
  h = await harness(`ucapi${++files}`);
});
afterEach(() => h.close());

const OPTIONS = { source: "/smime-lifecycle/test", time: NOW };

describe("registerCertificate", () => {
  it("publishes certificate.discovered (source manual) for a PEM, creating the user under an id derived from the UPN", async () => {
    const leaf = await h.pki.leaf({ email: "carol@contoso.com" });
    const result = await registerCertificate(h.deps, {
      userPrincipalName: "Carol@Contoso.com",
      certificate: leaf.pem,
      purpose: "signing",
      smtp: "carol@contoso.com",
      requestedBy: "admin@contoso.com",
    });
    expect(result.userId).toBe(userIdForUpn("carol@contoso.com"));
    expect(result.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(h.bus.published.map((p) => [p.queue, p.event.type, p.event.data])).toMatchObject([
      [
        "certificateEvents",
        "certificate.discovered",
        { source: "manual", purpose: "signing", certificate: base64(leaf.der), userId: result.userId },
      ],
    ]);
    expect(await h.stores.users.findByUpn("Carol@Contoso.com")).toMatchObject({
      userId: result.userId,
      primarySmtp: "carol@contoso.com",
    });
  });

  it("collapses duplicate registrations (PEM, then base64 DER) into one event", async () => {
    const leaf = await h.pki.leaf({ email: "dave@contoso.com" });
    const body = { userPrincipalName: "dave@contoso.com", purpose: "both" as const, requestedBy: "admin" };
    const results = await Promise.all([
      registerCertificate(h.deps, { ...body, certificate: leaf.pem }),
      registerCertificate(h.deps, { ...body, certificate: base64(leaf.der) }),
      registerCertificate(h.deps, { ...body, certificate: base64(leaf.der) }),
    ]);
    expect(new Set(results.map((r) => r.eventId)).size).toBe(1);
    expect(await h.inProcessBus.depth("certificateEvents")).toMatchObject({ active: 1 });
    expect(await h.stores.audit.list({ type: "certificate.discovered", limit: 10 })).toHaveLength(1);
  });

  it("uses the id of a user the directory sync already knows", async () => {
    await h.stores.users.put(user("erin@contoso.com", { userId: "entra-object-id-erin" }), {
      ifAbsent: true,
    });
    const leaf = await h.pki.leaf({ email: "erin@contoso.com" });
    const result = await registerCertificate(h.deps, {
      userPrincipalName: "erin@contoso.com",
      certificate: leaf.pem,
      purpose: "encryption",
      requestedBy: "admin",
    });
    expect(result.userId).toBe("entra-object-id-erin");
  });

  describe("bad input names the field and stores nothing", () => {
    const cases = [
      {
        name: "text that is no certificate",
        field: "certificate",
        certificate: "hello",
        upn: "x@contoso.com",
      },
      {
        name: "base64 of something else",
        field: "certificate",
        certificate: "aGVsbG8gd29ybGQh",
        upn: "x@contoso.com",
      },
      { name: "a PEM with two certificates", field: "certificate", certificate: "two", upn: "x@contoso.com" },
      { name: "a UPN without a domain", field: "userPrincipalName", certificate: "leaf", upn: "frank" },
      {
        name: "an unknown purpose",
        field: "purpose",
        certificate: "leaf",
        upn: "x@contoso.com",
        purpose: "sign",
      },
    ];
    it.each(cases)("$name → $field", async (c) => {
      const leaf = await h.pki.leaf();
      const certificate =
        c.certificate === "leaf"
          ? leaf.pem
          : c.certificate === "two"
            ? `${leaf.pem}\n${h.pki.ca.pem}`
            : c.certificate;
      const error = await registerCertificate(h.deps, {
        userPrincipalName: c.upn,
        certificate,
        purpose: (c.purpose ?? "signing") as "signing",
        requestedBy: "admin",
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).field).toBe(c.field);
      expect(await h.stores.users.findByUpn(c.upn)).toBeUndefined();
      expect(h.appended).toEqual([]);
    });
  });
});

describe("publishEvents", () => {
  it("records every event in the ledger and sends only the routed ones, each id once", async () => {
    const removed = createEvent(
      "certificate.removed",
      { userId: "u1", thumbprint: "C".repeat(40), reason: "gone" },
      OPTIONS,
    );
    const down = createEvent(
      "crl.unreachable",
      { url: "http://crl.example/a.crl", reason: "timeout", since: NOW.toISOString() },
      OPTIONS,
    );
    await publishEvents(h.deps, [removed, down, removed]);
    expect(h.bus.published.map((p) => [p.queue, p.event.id])).toEqual([["certificateEvents", removed.id]]);
    const ledger = await h.stores.audit.list({ limit: 10 });
    expect(ledger.map((l) => l.event.id).sort()).toEqual([removed.id, down.id].sort());
  });
});

describe("queries", () => {
  it("queryStatus counts certificates by state and expiry, CRL health, queue depth and last runs", async () => {
    const records: CertificateRecord[] = [
      storedRecord("a", { state: "valid" }),
      storedRecord("b", { state: "expiring", notAfter: "2026-06-05T00:00:00.000Z" }),
      storedRecord("c", { state: "invalid" }),
      storedRecord("d", { state: "revoked" }),
    ];
    for (const r of records) await h.stores.certificates.put(r, { force: true });
    await h.stores.crlHealth.put(
      {
        url: "http://crl.example/a.crl",
        status: "unreachable",
        lastCheckedAt: NOW.toISOString(),
        downSince: NOW.toISOString(),
      },
      { force: true },
    );
    await h.stores.cursors.set(CursorNames.checkCrlsLastRun, NOW.toISOString(), NOW);
    const status = await queryStatus(h.deps);
    expect(status.certificates).toEqual({
      total: 4,
      byState: { discovered: 0, valid: 1, invalid: 1, expiring: 1, expired: 0, revoked: 1, removed: 0 },
    });
    expect(status.expiring).toMatchObject({ within7Days: 1, later: 2 });
    expect(status.crls.byStatus).toEqual({ healthy: 0, unreachable: 1, stale: 0, invalid: 0 });
    expect(status.queues["certificate-events"]).toEqual({ active: 0, scheduled: 0, deadLetter: 0 });
    expect(Object.keys(status.queues).sort()).toEqual(["certificate-events", "notifications", "reprovision"]);
    expect(status.lastRuns).toMatchObject({ checkCrls: NOW.toISOString(), scanExpiry: null });
  });

  it("queryUsers filters by readiness and orders by UPN; queryEvents finds a user's events by UPN", async () => {
    await h.stores.users.put(user("zed@contoso.com", { signingReady: true, encryptionReady: true }), {
      force: true,
    });
    await h.stores.users.put(
      user("amy@contoso.com", { signingReady: true, encryptionReady: false, reasons: ["NO_CERTIFICATE"] }),
      { force: true },
    );
    await h.stores.users.put(user("bob@contoso.com"), { force: true });
    expect((await queryUsers(h.deps, {})).users.map((u) => [u.userPrincipalName, u.state])).toEqual([
      ["amy@contoso.com", "notReady"],
      ["bob@contoso.com", "unknown"],
      ["zed@contoso.com", "ready"],
    ]);
    expect((await queryUsers(h.deps, { state: "ready" })).users.map((u) => u.userPrincipalName)).toEqual([
      "zed@contoso.com",
    ]);
    await expect(queryUsers(h.deps, { limit: "0" })).rejects.toMatchObject({ field: "limit" });

    const amy = userIdForUpn("amy@contoso.com");
    const event = createEvent(
      "certificate.removed",
      { userId: amy, thumbprint: "D".repeat(40), reason: "x" },
      OPTIONS,
    );
    await publishEvents(h.deps, [event]);
    expect((await queryEvents(h.deps, { user: "amy@contoso.com" })).events.map((e) => e.event.id)).toEqual([
      event.id,
    ]);
    expect((await queryEvents(h.deps, { user: "nobody@contoso.com" })).events).toEqual([]);
    await expect(queryEvents(h.deps, { type: "certificate.exploded" })).rejects.toMatchObject({
      field: "type",
    });
  });
});

function user(upn: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    userId: userIdForUpn(upn),
    userPrincipalName: upn,
    accountEnabled: true,
    deleted: false,
    reasons: [],
    updatedAt: NOW.toISOString(),
    ...overrides,
  };
}
