/**
 * syncIntune on real Table stores (Azurite) and the in-process bus, against a fake of the Intune port that
 * keeps Graph's semantics (sync-intune-fixtures.ts). The certificate processor runs for real on what a sync
 * publishes, so a second sync diffs against the inventory the pipeline itself wrote.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import type { EventData } from "../../../shared/contracts/events.ts";
import { CursorNames } from "../../../shared/usecases/deps.ts";
import { processCertificateEvent } from "../../../shared/usecases/process-certificate-event.ts";
import { userIdForUpn } from "../../../shared/usecases/register-certificate.ts";
import {
  INTUNE_STATE_COUNT_CURSOR,
  type SyncIntuneDeps,
  type SyncIntuneOptions,
  syncIntune,
} from "../../../shared/usecases/sync-intune.ts";
import { type Harness, harness, messageOf, NOW } from "../../integration/usecases/harness.ts";
import { FakeIntune, type FakePfx, type FakeState } from "./sync-intune-fixtures.ts";

let h: Harness;
let intune: FakeIntune;
let deps: SyncIntuneDeps;
let files = 0;

const thumb = (n: number) => n.toString(16).toUpperCase().padStart(40, "0");
const NOT_AFTER = "2027-06-01T00:00:00.000Z";
const ALICE = "entra-alice";
const BOB = userIdForUpn("bob@contoso.com");
const name = (userId: string) => (userId === ALICE ? "alice" : userId === BOB ? "bob" : userId);

const state = (n: number, over: Partial<FakeState>): FakeState => ({
  upn: "alice@contoso.com",
  thumbprint: thumb(n),
  profile: "iosScep",
  keyUsage: "digitalSignature",
  device: "alice-iphone",
  issuance: "installed",
  revoke: "none",
  notAfter: NOT_AFTER,
  serial: `0${n}`,
  ...over,
});

/**
 * alice (known to the directory): #1 SCEP signing on her iPhone; #2 an imported PFX for encryption, in her
 * PFX list, installed on her iPhone and pending on her Pixel. bob (not synced yet): #3 SCEP encryption on his
 * iPhone, #4 SCEP signing that failed to install on his Pixel, #5 PKCS signing that Intune revoked.
 */
function tenant(): { states: FakeState[]; pfx: FakePfx[] } {
  return {
    pfx: [
      { upn: "alice@contoso.com", thumbprint: thumb(2), intended: "smimeEncryption", notAfter: NOT_AFTER },
    ],
    states: [
      state(1, {}),
      state(2, { profile: "iosPfx", keyUsage: "keyEncipherment" }),
      state(2, {
        profile: "androidPfx",
        keyUsage: "keyEncipherment",
        device: "alice-pixel",
        issuance: "issuePending",
      }),
      state(3, { upn: "bob@contoso.com", keyUsage: "keyEncipherment", device: "bob-iphone" }),
      state(4, {
        upn: "bob@contoso.com",
        profile: "androidScep",
        device: "bob-pixel",
        issuance: "installFailed",
      }),
      state(5, {
        upn: "bob@contoso.com",
        profile: "iosPkcs",
        device: "bob-iphone",
        issuance: "revoked",
        revoke: "revoked",
      }),
    ],
  };
}

beforeEach(async () => {
  h = await harness(`syncintune${++files}`);
  intune = new FakeIntune();
  Object.assign(intune, tenant());
  deps = { ...h.deps, graph: intune };
  await h.stores.users.put(
    {
      userId: ALICE,
      userPrincipalName: "alice@contoso.com",
      accountEnabled: true,
      deleted: false,
      reasons: [],
      updatedAt: NOW.toISOString(),
    },
    { ifAbsent: true },
  );
});
afterEach(() => h.close());

/** Events as lines: "discovered alice #2 intunePfx encryption - undelivered:android", "revoked bob #5 intune". */
function lines(events: readonly CloudEventEnvelope[]): string[] {
  return events.map((e) => {
    const d = e.data as { userId: string; thumbprint: string };
    const who = `${name(d.userId)} #${Number.parseInt(d.thumbprint, 16)}`;
    if (e.type === "certificate.discovered") {
      const x = e.data as EventData<"certificate.discovered">;
      const undelivered = x.undeliveredOn ? ` undelivered:${x.undeliveredOn.join("+")}` : "";
      return `discovered ${who} ${x.source} ${x.purpose} ${x.platform ?? "-"}${undelivered}`;
    }
    if (e.type === "certificate.revoked")
      return `revoked ${who} ${(e.data as { detectedBy: string }).detectedBy}`;
    return `${e.type.replace("certificate.", "")} ${who}`;
  });
}

const published = () => lines(h.bus.published.map((p) => p.event));

/**
 * Runs onCertificateEvent on everything published so far, then keeps on each record what Intune said, as
 * onCertificateEvent is to keep it from the discovery (intuneFingerprint, issuanceState, undeliveredOn).
 */
async function processPublished(): Promise<void> {
  const events = h.bus.published.map((p) => p.event);
  h.bus.clear();
  for (const event of events) await processCertificateEvent(h.deps, messageOf(event));
  h.bus.clear();
  for (const event of events) {
    if (event.type !== "certificate.discovered") continue;
    const d = event.data as EventData<"certificate.discovered">;
    const stored = await h.stores.certificates.get(d.userId, d.thumbprint);
    if (!stored) continue;
    const { undeliveredOn: _u, issuanceState: _i, ...rest } = stored.value;
    await h.stores.certificates.put(
      {
        ...rest,
        ...(d.intuneFingerprint && { intuneFingerprint: d.intuneFingerprint }),
        ...(d.issuanceState && { issuanceState: d.issuanceState }),
        ...(d.undeliveredOn && { undeliveredOn: d.undeliveredOn }),
      },
      { ifMatch: stored.etag },
    );
  }
}

const FIRST_SYNC = [
  "discovered alice #2 intunePfx encryption - undelivered:android",
  "discovered alice #1 intuneScep signing iOS",
  "discovered bob #3 intuneScep encryption iOS",
  "discovered bob #4 intuneScep signing android undelivered:android",
  "discovered bob #5 intunePkcs signing iOS",
  "revoked bob #5 intune",
];

describe("syncIntune: the first sync", () => {
  it("announces every certificate once per source, the revocation after its discovery, and records the sync time", async () => {
    const result = await syncIntune(deps);
    expect(published()).toEqual(FIRST_SYNC);
    expect(result).toMatchObject({
      path: "graph",
      complete: true,
      states: 6,
      pfx: 1,
      certificates: 5,
      discovered: 5,
      revoked: 1,
      removed: 0,
      failures: [],
    });
    expect((await h.stores.cursors.get(CursorNames.syncIntuneLastRun))?.value).toBe(NOW.toISOString());
    expect((await h.stores.cursors.get(INTUNE_STATE_COUNT_CURSOR))?.value).toBe("6");
    expect(h.bus.published.every((p) => p.queue === "certificateEvents")).toBe(true);
    expect(h.events("certificate.discovered")).toHaveLength(5); // in the audit ledger too
  });

  it("the export path announces the same events, with the same ids", async () => {
    await syncIntune(deps, { mode: "graph" });
    const byGraph = h.bus.published.map((p) => p.event.id);
    h.bus.clear();
    const result = await syncIntune(deps, { mode: "export", sleep: async () => {} });
    expect(result.path).toBe("export");
    expect(intune.calls).toContain("export start AllDeviceCertificates");
    expect(h.bus.published.map((p) => p.event.id)).toEqual(byGraph);
  });

  it("a retried sync repeats the same event ids (the queue and the ledger drop them)", async () => {
    await syncIntune(deps);
    const first = h.bus.published.map((p) => p.event.id);
    h.bus.clear();
    await syncIntune(deps);
    expect(h.bus.published.map((p) => p.event.id)).toEqual(first);
    expect(await h.inProcessBus.depth("certificateEvents")).toMatchObject({ active: first.length });
  });
});

describe("syncIntune: later syncs publish only what changed", () => {
  const cases: {
    name: string;
    change: (t: FakeIntune) => void;
    options?: SyncIntuneOptions;
    expected: string[];
    complete?: boolean;
  }[] = [
    { name: "nothing changed: nothing", change: () => {}, expected: [] },
    {
      name: "the PFX got installed on the Pixel: its discovery again, delivered everywhere",
      change: (t) => {
        t.states[2]!.issuance = "installed";
      },
      expected: ["discovered alice #2 intunePfx encryption -"],
    },
    {
      name: "Intune revoked a certificate: the change, then the revocation",
      change: (t) => {
        t.states[0]!.revoke = "revoked";
      },
      expected: ["discovered alice #1 intuneScep signing iOS", "revoked alice #1 intune"],
    },
    {
      name: "renewed in place (a new expiry)",
      change: (t) => {
        t.states[3]!.notAfter = "2028-06-01T00:00:00.000Z";
      },
      expected: ["discovered bob #3 intuneScep encryption iOS"],
    },
    {
      name: "a certificate no longer listed, after a complete listing: removed",
      change: (t) => {
        t.states.splice(0, 1);
      },
      expected: ["removed alice #1"],
    },
    {
      name: "a device deleted its certificate: removed",
      change: (t) => {
        t.states[0]!.issuance = "deleted";
      },
      expected: ["removed alice #1"],
    },
    {
      name: "no longer listed, but a profile's listing failed: nothing removed, no false change (the PFX seen on one platform), no sync time",
      change: (t) => {
        t.states.splice(0, 1);
        t.faults = { failStatesOf: new Set(["p-android-pfx"]) };
      },
      expected: [],
      complete: false,
    },
    {
      name: "no longer listed, but Graph sent an item that broke its schema: nothing removed",
      change: (t) => {
        t.states.splice(0, 1);
        t.faults = { rejectOneOfAll: true };
      },
      expected: [],
      complete: false,
    },
    {
      name: "a new certificate while a listing failed: still announced",
      change: (t) => {
        t.states.push(state(6, { upn: "bob@contoso.com", device: "bob-iphone" }));
        t.faults = { failStatesOf: new Set(["p-android-pfx"]) };
      },
      expected: ["discovered bob #6 intuneScep signing iOS"],
      complete: false,
    },
    {
      name: "the export's download breaks after some rows: a partial sync",
      change: (t) => {
        t.states.splice(0, 1);
        t.faults = { truncateZipAt: 0.6 };
      },
      options: { mode: "export", sleep: async () => {} },
      expected: [],
      complete: false,
    },
    {
      name: "the export job fails: Graph lists the states instead, and the removal stands",
      change: (t) => {
        t.states.splice(0, 1);
        t.faults = { exportFails: true };
      },
      options: { mode: "export", sleep: async () => {} },
      expected: ["removed alice #1"],
    },
  ];

  it.each(cases)("$name", async ({ change, options, expected, complete = true }) => {
    await syncIntune(deps);
    await processPublished();
    h.clock.set("2026-11-29T12:00:00.000Z");
    change(intune);
    const result = await syncIntune(deps, options);
    expect(published()).toEqual(expected);
    expect(result.complete).toBe(complete);
    expect((await h.stores.cursors.get(CursorNames.syncIntuneLastRun))?.value).toBe(
      complete ? "2026-11-29T12:00:00.000Z" : NOW.toISOString(),
    );
  });

  it("an inventory written before records kept Intune's fingerprint: an unchanged tenant still publishes nothing", async () => {
    await syncIntune(deps);
    const events = h.bus.published.map((p) => p.event);
    h.bus.clear();
    for (const event of events) await processCertificateEvent(h.deps, messageOf(event));
    h.bus.clear();
    await syncIntune(deps);
    expect(published()).toEqual([]);
  });
});

describe("syncIntune: choosing the path", () => {
  const cases: { name: string; lastCount?: string; threshold: number; expected: string; calls: string[] }[] =
    [
      {
        name: "first sync: Graph (the size is not known yet)",
        threshold: 1,
        expected: "graph",
        calls: ["allStates"],
      },
      {
        name: "a small tenant: Graph",
        lastCount: "6",
        threshold: 7,
        expected: "graph",
        calls: ["allStates"],
      },
      {
        name: "a large tenant: the export",
        lastCount: "6",
        threshold: 6,
        expected: "export",
        calls: ["export start AllDeviceCertificates", "export poll", "export poll"],
      },
    ];
  it.each(cases)("$name", async ({ lastCount, threshold, expected, calls }) => {
    if (lastCount) await h.stores.cursors.set(INTUNE_STATE_COUNT_CURSOR, lastCount, NOW);
    const waits: number[] = [];
    const result = await syncIntune(deps, {
      exportThreshold: threshold,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(result.path).toBe(expected);
    for (const call of calls) expect(intune.calls).toContain(call);
    if (expected === "export") expect(waits).toEqual([2_000, 4_000]);
    expect(published()).toEqual(FIRST_SYNC);
  });

  it("publishes in batches of the size asked for, in order", async () => {
    const sizes: number[] = [];
    const counting = {
      ...deps,
      bus: {
        ...deps.bus,
        publishMany: async (q: never, e: readonly CloudEventEnvelope[]) => {
          sizes.push(e.length);
          await deps.bus.publishMany(q, e);
        },
      },
    };
    await syncIntune(counting, { batchSize: 2 });
    expect(sizes).toEqual([2, 2, 2]);
    expect(published()).toEqual(FIRST_SYNC);
  });
});
