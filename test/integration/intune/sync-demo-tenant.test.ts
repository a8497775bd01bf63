/**
 * syncIntune end to end over HTTP: the demo tenant on loopback (one request in five answered 429), the real
 * Graph gateway, Azurite stores, the in-process bus, and the real certificate processor on what the sync
 * publishes. The first sync announces each demo certificate as the dataset intends; the second announces
 * nothing; the export path agrees with the Graph listing, id for id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGraphGateway, staticToken } from "../../../shared/adapters/graph/index.ts";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import type { EventData } from "../../../shared/contracts/events.ts";
import type { DemoDataset } from "../../../shared/local/demo-tenant/index.ts";
import { CursorNames } from "../../../shared/usecases/deps.ts";
import { processCertificateEvent } from "../../../shared/usecases/process-certificate-event.ts";
import { type SyncIntuneDeps, syncIntune } from "../../../shared/usecases/sync-intune.ts";
import { NOW, type Started, startTestTenant } from "../demo-tenant/support.ts";
import { type Harness, harness, messageOf } from "../usecases/harness.ts";

let h: Harness;
let started: Started;
let deps: SyncIntuneDeps;
let dataset: DemoDataset;

const SOURCE = { pfx: "intunePfx", scep: "intuneScep", pkcs: "intunePkcs" } as const;

beforeAll(async () => {
  h = await harness("intunedemo");
  h.clock.set(NOW);
  started = await startTestTenant({ throttleRate: 0.2, retryAfterSeconds: 0 });
  dataset = started.tenant.dataset!;
  const graph = createGraphGateway({
    baseUrl: started.tenant.baseUrl,
    credential: staticToken("demo"),
    sleep: async () => undefined,
    random: () => 0.5,
  });
  deps = { ...h.deps, graph };
  // The directory sync has run: the users are known by their object ids.
  for (const u of dataset.users)
    await h.stores.users.put(
      {
        userId: u.id,
        userPrincipalName: u.userPrincipalName,
        primarySmtp: u.primarySmtp,
        accountEnabled: true,
        deleted: false,
        reasons: [],
        updatedAt: NOW.toISOString(),
      },
      { ifAbsent: true },
    );
}, 60_000);
afterAll(async () => {
  await started?.stop();
  await h?.close();
});

const taken = (): CloudEventEnvelope[] => {
  const events = h.bus.published.map((p) => p.event);
  h.bus.clear();
  return events;
};

let first: CloudEventEnvelope[] = [];

describe("syncIntune against the demo tenant", () => {
  it("first sync (Graph listing): every demo certificate as the dataset intends it", async () => {
    const result = await syncIntune(deps, { mode: "graph" });
    // martin's iPhone: his SCEP signing certificate is pending at the CA, not issued yet (no thumbprint).
    expect(result).toMatchObject({
      path: "graph",
      complete: true,
      removed: 0,
      rejected: 0,
      unissued: 1,
      failures: [],
    });
    first = taken();
    const discovered = first
      .filter((e) => e.type === "certificate.discovered")
      .map((e) => e.data as EventData<"certificate.discovered">);
    expect(new Set(discovered.map((d) => d.thumbprint))).toEqual(
      new Set(dataset.certificates.map((c) => c.thumbprint)),
    );
    for (const c of dataset.certificates) {
      const mine = discovered.filter((d) => d.thumbprint === c.thumbprint);
      expect(
        mine.map((d) => d.source),
        c.userPrincipalName,
      ).toContain(SOURCE[c.delivery]);
      for (const d of mine) {
        expect(d.userId).toBe(c.userId);
        expect([c.purpose, "both"]).toContain(d.purpose);
        if (c.delivery !== "pfx") expect(d.platform).toBe(c.platforms[0]);
        // Intune's PFX listing has no serial number; a device state has it (a PFX on no device has none).
        if (c.platforms.length > 0) expect(d.serialNumber).toBe(c.serialNumber);
        expect(d.notAfter).toBe(c.notAfter.toISOString());
      }
    }
    // What Intune's own report says, row by row: revoked ones, and the devices it failed or is pending on.
    const rows = [...dataset.data.exportRows()];
    const revokedByIntune = rows.filter((r) => r.CertificateStatus === "revoked").map((r) => r.Thumbprint);
    expect(revokedByIntune.length).toBeGreaterThan(0);
    expect(
      first
        .filter((e) => e.type === "certificate.revoked")
        .map((e) => (e.data as { thumbprint: string }).thumbprint)
        .sort(),
    ).toEqual([...new Set(revokedByIntune)].sort());
    // (A state with nothing issued yet has no thumbprint: there is no certificate to attach it to.)
    const undelivered = rows.filter(
      (r) =>
        r.Thumbprint !== "" &&
        (r.CertificateStatus === "installFailed" || r.CertificateStatus === "issuePending"),
    );
    expect(undelivered.length).toBeGreaterThan(0);
    for (const row of undelivered) {
      const d = discovered.find((x) => x.thumbprint === row.Thumbprint);
      const device = dataset.users.flatMap((u) => u.devices).find((x) => x.id === row.DeviceId);
      expect(d?.undeliveredOn, row.Thumbprint).toContain(device?.platform);
    }
    expect((await h.stores.cursors.get(CursorNames.syncIntuneLastRun))?.value).toBe(NOW.toISOString());
  });

  it("the AllDeviceCertificates export announces the same events, id for id, but where the certificate's own key usage is not what its profile deploys it for", async () => {
    const result = await syncIntune(deps, { mode: "export", sleep: async () => undefined });
    expect(result).toMatchObject({ path: "export", complete: true, unissued: 1, failures: [] });
    const got = taken();
    expect(got.map((e) => `${e.type} ${(e.data as { thumbprint: string }).thumbprint}`).sort()).toEqual(
      first.map((e) => `${e.type} ${(e.data as { thumbprint: string }).thumbprint}`).sort(),
    );
    // The export's KeyUsage column is the certificate's own; Graph's per-profile state gives the profile's.
    mismatched = got
      .filter((e) => !first.some((f) => f.id === e.id))
      .map((e) => (e.data as { thumbprint: string }).thumbprint);
    expect(mismatched.length).toBeGreaterThan(0);
    expect(mismatched).toEqual(keyUsageMismatches());
  });

  it("after the pipeline processed them, a second sync announces nothing (the export: only the key-usage mismatches)", async () => {
    for (const event of first) await processCertificateEvent(h.deps, messageOf(event));
    h.bus.clear();
    const graphResult = await syncIntune(deps, { mode: "graph" });
    expect(graphResult.complete).toBe(true);
    expect(taken().map((e) => e.type)).toEqual([]);
    const exportResult = await syncIntune(deps, { mode: "export", sleep: async () => undefined });
    expect(exportResult.complete).toBe(true);
    expect(taken().map((e) => (e.data as { thumbprint: string }).thumbprint)).toEqual(mismatched);
  });
});

let mismatched: string[] = [];

/** The demo certificates whose key usage differs from the purpose their profile deploys them for. */
function keyUsageMismatches(): string[] {
  const graphPurpose = new Map(
    first
      .filter((e) => e.type === "certificate.discovered")
      .map((e) => [(e.data as { thumbprint: string }).thumbprint, (e.data as { purpose: string }).purpose]),
  );
  return dataset.data.exportRows
    ? [...dataset.data.exportRows()]
        .filter((row) => {
          const words = row.KeyUsage.toLowerCase();
          const own = words.includes("signature")
            ? words.includes("encipherment")
              ? "both"
              : "signing"
            : "encryption";
          const deployed = graphPurpose.get(row.Thumbprint.toUpperCase());
          return deployed !== undefined && deployed !== "both" && own !== deployed && row.Thumbprint !== "";
        })
        .map((row) => row.Thumbprint.toUpperCase())
    : [];
}
