import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CertificateRecord } from "../../../shared/contracts/rows.ts";
import { checkCrls } from "../../../shared/usecases/check-crls.ts";
import { CursorNames } from "../../../shared/usecases/deps.ts";
import { revalidateOnTrustChange } from "../../../shared/usecases/revalidate-all.ts";
import { scanExpiry } from "../../../shared/usecases/scan-expiry.ts";
import type { Minted } from "../../support/pki.ts";
import { base64, type Harness, harness, NOW, storedRecord } from "./harness.ts";

let h: Harness;
let files = 0;

beforeEach(async () => {
  h = await harness(`ucsweeps${++files}`);
});
afterEach(() => h.close());

const sha1 = (der: Uint8Array) => createHash("sha1").update(der).digest("hex").toUpperCase();

async function put(...records: CertificateRecord[]) {
  for (const r of records) await h.stores.certificates.put(r, { force: true });
}

/** A record of a minted leaf, as onCertificateEvent would have stored it. */
function leafRecord(label: string, leaf: Minted): CertificateRecord {
  return storedRecord(label, {
    thumbprint: sha1(leaf.der),
    certificate: base64(leaf.der),
    crlUrls: [h.pki.caCrlUrl, h.pki.rootCrlUrl],
  });
}

const typesOf = (events: readonly { type: string }[]) => events.map((e) => e.type);

describe("scanExpiry", () => {
  it("announces each newly crossed threshold and each expiry, and a second scan publishes nothing new", async () => {
    await put(
      storedRecord("soon", { notAfter: "2026-06-10T00:00:00.000Z" }),
      storedRecord("announced", { notAfter: "2026-06-10T00:00:00.000Z", thresholdsAnnounced: [30, 14] }),
      storedRecord("gone", { notAfter: "2026-05-31T00:00:00.000Z" }),
      storedRecord("later"),
      storedRecord("revoked", { state: "revoked", notAfter: "2026-06-02T00:00:00.000Z" }),
    );
    const result = await scanExpiry(h.deps, { now: NOW });
    expect(result).toEqual({ scanned: 5, published: 2, failed: 0 });
    const byType = [...h.appended].sort((a, b) => a.type.localeCompare(b.type));
    expect(byType.map((e) => [e.type, e.data])).toMatchObject([
      ["certificate.expired", { userId: "user-gone" }],
      ["certificate.expiring", { userId: "user-soon", thresholdDays: 14, daysLeft: 9 }],
    ]);
    const depth = await h.inProcessBus.depth("certificateEvents");
    await scanExpiry(h.deps, { now: NOW });
    // The same ids again: the queue's duplicate detection keeps one message each.
    expect(await h.inProcessBus.depth("certificateEvents")).toEqual(depth);
    expect(depth.active).toBe(2);
    expect((await h.stores.cursors.get(CursorNames.scanExpiryLastRun))?.value).toBe(NOW.toISOString());
  });
});

describe("scanExpiry's continuity log lines", () => {
  const working = { ready: true, problems: [] };
  const endsIn = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString();
  const atRisk = () => h.logger.lines.filter((l) => l.message === "smime.continuityAtRisk");

  it.each([
    {
      name: "ending in 5 days with no successor → one line per purpose",
      records: () => [storedRecord("alone", { notAfter: endsIn(5), signing: working, encryption: working })],
      expected: [
        { userId: "user-alone", upn: "alone@contoso.com", purpose: "encryption", daysLeft: 5 },
        { userId: "user-alone", upn: "alone@contoso.com", purpose: "signing", daysLeft: 5 },
      ],
    },
    {
      name: "a successor delivered → no line",
      records: () => [
        storedRecord("covered", { notAfter: endsIn(5), signing: working, encryption: working }),
        storedRecord("covered", {
          thumbprint: sha1(Buffer.from("covered-next")),
          notAfter: endsIn(365),
          signing: working,
          encryption: working,
        }),
      ],
      expected: [],
    },
    {
      name: "8 days left → no line",
      records: () => [storedRecord("later", { notAfter: endsIn(8), signing: working, encryption: working })],
      expected: [],
    },
    {
      name: "a disabled user → no line (their certificates are up for revocation, not renewal)",
      records: () => [storedRecord("gone", { notAfter: endsIn(3), signing: working, encryption: working })],
      disabled: "user-gone",
      expected: [],
    },
    {
      name: "not working (no verdict yet) → no line",
      records: () => [storedRecord("undecided", { notAfter: endsIn(2) })],
      expected: [],
    },
  ])("$name", async ({ records, expected, ...rest }) => {
    await put(...records());
    const disabled = "disabled" in rest ? rest.disabled : undefined;
    if (disabled)
      await h.stores.users.put(
        {
          userId: disabled,
          userPrincipalName: `${disabled}@contoso.com`,
          accountEnabled: false,
          deleted: false,
          reasons: [],
          updatedAt: NOW.toISOString(),
        },
        { force: true },
      );
    await scanExpiry(h.deps, { now: NOW });
    expect(atRisk().map((l) => l.fields)).toMatchObject(expected);
    for (const line of atRisk())
      expect(Object.keys(line.fields).sort()).toEqual(
        ["daysLeft", "notAfter", "purpose", "thumbprint", "upn", "userId"].sort(),
      );
  });
});

describe("checkCrls", () => {
  it("records healthy endpoints, finds a listed certificate, and announces an outage and its end once each", async () => {
    const listed = await h.pki.leaf({ email: "listed@contoso.com" });
    const fine = await h.pki.leaf({ email: "fine@contoso.com" });
    await put(leafRecord("listed", listed), leafRecord("fine", fine));

    expect(await checkCrls(h.deps, { now: NOW })).toEqual({
      checked: 2,
      unreachable: 0,
      revoked: 0,
      failed: 0,
    });
    expect(h.appended).toEqual([]);
    expect((await h.stores.crlHealth.list()).map((c) => [c.url, c.status]).sort()).toEqual(
      [
        [h.pki.caCrlUrl, "healthy"],
        [h.pki.rootCrlUrl, "healthy"],
      ].sort(),
    );

    // A CRL issued at a thisUpdate already seen healthy is not read again (a CA's next CRL has a later one);
    // the next CRL issued is.
    await h.pki.publishCaCrl([listed.serial]);
    h.resetNetworkCaches();
    expect((await checkCrls(h.deps, { now: NOW })).revoked).toBe(0);
    await h.pki.publishCaCrl([listed.serial], new Date("2026-05-31T00:00:00Z"));
    h.resetNetworkCaches();
    expect((await checkCrls(h.deps, { now: NOW })).revoked).toBe(1);
    expect(h.appended.map((e) => [e.type, e.data])).toMatchObject([
      ["certificate.revoked", { userId: "user-listed", thumbprint: sha1(listed.der), detectedBy: "crl" }],
    ]);

    h.appended.splice(0);
    h.pki.server.route("/ca.crl", { status: 503 });
    h.resetNetworkCaches();
    const down = "2026-06-01T01:00:00.000Z";
    h.clock.set(down);
    expect((await checkCrls(h.deps, { now: h.clock.now() })).unreachable).toBe(1);
    expect(typesOf(h.appended)).toEqual([
      "crl.unreachable",
      "certificate.revalidationRequested",
      "certificate.revalidationRequested",
    ]);
    expect(h.appended[0]?.data).toMatchObject({ url: h.pki.caCrlUrl, since: down });
    expect((await h.stores.crlHealth.get(h.pki.caCrlUrl))?.value).toMatchObject({
      status: "unreachable",
      downSince: down,
      lastSuccessAt: NOW.toISOString(),
    });

    h.appended.splice(0);
    h.clock.set("2026-06-01T02:00:00.000Z");
    h.resetNetworkCaches();
    await checkCrls(h.deps, { now: h.clock.now() });
    expect(h.appended).toEqual([]);

    await h.pki.publishCaCrl();
    h.resetNetworkCaches();
    h.clock.set("2026-06-01T03:00:00.000Z");
    await checkCrls(h.deps, { now: h.clock.now() });
    expect(h.appended.map((e) => [e.type, e.data])).toMatchObject([
      ["crl.recovered", { url: h.pki.caCrlUrl, downSince: down, recoveredAt: "2026-06-01T03:00:00.000Z" }],
      ["certificate.revalidationRequested", { reason: `crl.recovered ${h.pki.caCrlUrl}` }],
      ["certificate.revalidationRequested", { reason: `crl.recovered ${h.pki.caCrlUrl}` }],
    ]);
    expect((await h.stores.crlHealth.get(h.pki.caCrlUrl))?.value.status).toBe("healthy");
  });
});

describe("checkCrls' log line for an endpoint still down", () => {
  const downLines = () => h.logger.lines.filter((l) => l.message === "crl.unreachable");

  it("is written on every run while the endpoint is down, with the outage's start, and not once it recovers", async () => {
    const leaf = await h.pki.leaf({ email: "fine@contoso.com" });
    await put(leafRecord("fine", leaf));
    h.pki.server.route("/ca.crl", { status: 503 });
    const down = "2026-06-01T01:00:00.000Z";
    for (const at of [down, "2026-06-01T02:00:00.000Z"]) {
      h.clock.set(at);
      h.resetNetworkCaches();
      await checkCrls(h.deps, { now: h.clock.now() });
    }
    expect(downLines().map((l) => l.fields)).toEqual([
      { url: h.pki.caCrlUrl, since: down, reason: expect.stringMatching(/503/) },
      { url: h.pki.caCrlUrl, since: down, reason: expect.stringMatching(/503/) },
    ]);

    h.logger.lines.splice(0);
    await h.pki.publishCaCrl();
    h.clock.set("2026-06-01T03:00:00.000Z");
    h.resetNetworkCaches();
    await checkCrls(h.deps, { now: h.clock.now() });
    expect(downLines()).toEqual([]);
  });
});

describe("revalidateOnTrustChange", () => {
  it("re-validates every live certificate on the first run and on each new trust store, never twice for one", async () => {
    await put(storedRecord("a"), storedRecord("b"), storedRecord("removed", { state: "removed" }));
    const first = await revalidateOnTrustChange(h.deps, { now: NOW });
    expect(first).toMatchObject({ changed: true, published: 2 });
    const byUser = (a: { userid?: string }, b: { userid?: string }) =>
      (a.userid ?? "").localeCompare(b.userid ?? "");
    expect([...h.appended].sort(byUser).map((e) => e.data)).toMatchObject([
      { userId: "user-a", requestedAt: NOW.toISOString() },
      { userId: "user-b", requestedAt: NOW.toISOString() },
    ]);
    expect(await revalidateOnTrustChange(h.deps, { now: NOW })).toEqual({
      changed: false,
      fingerprint: "fingerprint-1",
    });
    h.fingerprint = "fingerprint-2";
    h.appended.splice(0);
    expect(await revalidateOnTrustChange(h.deps, { now: new Date("2026-06-02T00:00:00Z") })).toMatchObject({
      changed: true,
      published: 2,
    });
    expect(h.appended[0]?.data).toMatchObject({ reason: "trust store changed (fingerprint-2)" });
  });

  it("finishes a re-validation a crash interrupted with the time it began, so its events keep their ids", async () => {
    await put(storedRecord("a"));
    const began = "2026-05-31T00:00:00.000Z";
    await h.stores.cursors.set(CursorNames.trustStorePending, `fingerprint-1 ${began}`, new Date(began));
    await revalidateOnTrustChange(h.deps, { now: NOW });
    expect(h.appended.map((e) => e.data)).toMatchObject([{ userId: "user-a", requestedAt: began }]);
  });
});
