/**
 * A device sync (`POST managedDevices/{id}/syncDevice`) on the demo tenant installs what the device's user
 * lacks: a new signing certificate per device when none is in force, one imported encryption PFX when no
 * imported one is, from the demo CA, in the Intune listings the pipeline polls (and an encryption certificate
 * in the directory). A user with nothing missing gets nothing. The install waits `installDelayMs` when set.
 */
import "reflect-metadata";
import { join } from "node:path";
import { X509Certificate } from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDemoCa } from "../../../shared/local/demo-ca.ts";
import {
  type DemoUserRecord,
  type InstalledCertificate,
  startDemoTenant,
  type UserChange,
} from "../../../shared/local/demo-tenant/index.ts";
import { profileId } from "../../../shared/local/demo-tenant/profiles.ts";
import { all, graph, NOW, type Started, startTestTenant } from "./support.ts";

const SEED = "smime-lifecycle-demo";

let started: Started;
const user = (name: string): DemoUserRecord => {
  const found = started.tenant.dataset?.users.find((u) => u.spec.name === name);
  if (!found) throw new Error(`no demo user ${name}`);
  return found;
};
const sync = (deviceId: string) =>
  graph(started.tenant, `/v1.0/deviceManagement/managedDevices/${deviceId}/syncDevice`, { method: "POST" });
const installedFor = (u: DemoUserRecord) => started.tenant.installed().filter((c) => c.userId === u.id);
const shape = (c: InstalledCertificate) => ({
  purpose: c.purpose,
  delivery: c.delivery,
  platforms: [...c.platforms],
});

beforeAll(async () => {
  started = await startTestTenant();
}, 60_000);
afterAll(async () => {
  await started?.stop();
});

describe("a device sync installs what the user has nothing in force for", () => {
  const cases: {
    name: string;
    user: string;
    change?: UserChange;
    expected: ReturnType<typeof shape>[];
  }[] = [
    { name: "ready user: nothing", user: "aino", expected: [] },
    {
      name: "expired signing certificate (SCEP): a new one on the iPhone",
      user: "eskil",
      expected: [{ purpose: "signing", delivery: "scep", platforms: ["iOS"] }],
    },
    {
      name: "revoked signing certificate: a new one",
      user: "hedda",
      expected: [{ purpose: "signing", delivery: "scep", platforms: ["iOS"] }],
    },
    {
      name: "expired imported encryption PFX: a new PFX",
      user: "gabriel",
      expected: [{ purpose: "encryption", delivery: "pfx", platforms: ["iOS"] }],
    },
    {
      name: "encryption certificate revoked at the CA: a new PFX",
      user: "gosta",
      expected: [{ purpose: "encryption", delivery: "pfx", platforms: ["iOS"] }],
    },
    {
      name: "no certificate at all: both",
      user: "zara",
      expected: [
        { purpose: "signing", delivery: "scep", platforms: ["iOS"] },
        { purpose: "encryption", delivery: "pfx", platforms: ["iOS"] },
      ],
    },
    {
      name: "signing by PKCS, certificates removed by Intune: PKCS signing and a PFX again",
      user: "hampus",
      change: { removeCertificates: true },
      expected: [
        { purpose: "signing", delivery: "pkcs", platforms: ["iOS"] },
        { purpose: "encryption", delivery: "pfx", platforms: ["iOS", "android"] },
        { purpose: "signing", delivery: "pkcs", platforms: ["android"] },
      ],
    },
  ];

  it.each(cases)("$name", async ({ user: name, change, expected }) => {
    const u = user(name);
    if (change) await started.tenant.changeUser(u.userPrincipalName, change);
    for (const device of u.devices) expect((await sync(device.id)).status).toBe(204);
    expect(installedFor(u).map(shape)).toEqual(expected);
    // A second round finds everything in force: nothing more.
    for (const device of u.devices) await sync(device.id);
    expect(installedFor(u)).toHaveLength(expected.length);
    for (const c of installedFor(u)) {
      expect(new X509Certificate(c.der).subject).toContain(`E=${u.primarySmtp}`);
      expect(c.notAfter.getTime()).toBeGreaterThan(NOW.getTime());
    }
  });
});

describe("what the installs look like to the pipeline", () => {
  it("a new encryption PFX is in the PFX list, on each device's state and in the directory", async () => {
    const gabriel = user("gabriel");
    const [pfx] = installedFor(gabriel).filter((c) => c.purpose === "encryption");
    expect(pfx).toBeDefined();
    const listed = (await all(started.tenant, "/beta/deviceManagement/userPfxCertificates")).items;
    expect(listed).toContainEqual(
      expect.objectContaining({
        thumbprint: pfx?.thumbprint,
        userPrincipalName: gabriel.userPrincipalName,
        intendedPurpose: "smimeEncryption",
        expirationDateTime: pfx?.notAfter.toISOString(),
      }),
    );
    const directory = started.tenant.directoryOf(gabriel.userPrincipalName) ?? [];
    expect(directory.map((d) => Buffer.from(d).toString("base64"))).toContain(
      Buffer.from(pfx?.der ?? []).toString("base64"),
    );
  });

  it("a new SCEP signing certificate is a device state of the SCEP profile and in the all-profiles listing", async () => {
    const eskil = user("eskil");
    const [signing] = installedFor(eskil);
    const profile = profileId(SEED, { delivery: "scep", platform: "iOS", purpose: "signing" });
    const states = (
      await all(
        started.tenant,
        `/beta/deviceManagement/deviceConfigurations/${profile}/microsoft.graph.iosScepCertificateProfile/managedDeviceCertificateStates`,
      )
    ).items;
    expect(states).toContainEqual(
      expect.objectContaining({
        certificateThumbprint: signing?.thumbprint,
        certificateIssuanceState: "installed",
        deviceDisplayName: eskil.devices[0]?.name,
      }),
    );
    const everyProfile = (
      await all(
        started.tenant,
        "/beta/deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates",
      )
    ).items;
    expect(everyProfile).toContainEqual(
      expect.objectContaining({
        certificateThumbprint: signing?.thumbprint,
        userPrincipalName: eskil.userPrincipalName,
      }),
    );
  });

  it("a sync of a device nobody has is 404 and installs nothing", async () => {
    const before = started.tenant.installed().length;
    expect((await sync("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect(started.tenant.installed()).toHaveLength(before);
  });
});

describe("with an install delay", () => {
  let delayed: Started;
  beforeAll(async () => {
    delayed = await startTestTenant({ installDelayMs: 150 });
  }, 60_000);
  afterAll(async () => {
    await delayed?.stop();
  });

  it("answers the sync at once and installs later; two devices syncing together get one PFX", async () => {
    const karl = delayed.tenant.dataset?.users.find((u) => u.spec.name === "karl");
    if (!karl) throw new Error("no karl");
    await delayed.tenant.changeUser(karl.userPrincipalName, { removeCertificates: true });
    const answers = await Promise.all(
      karl.devices.map((d) =>
        graph(delayed.tenant, `/v1.0/deviceManagement/managedDevices/${d.id}/syncDevice`, { method: "POST" }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([204, 204]);
    expect(delayed.tenant.installed()).toEqual([]);
    for (let i = 0; i < 100 && delayed.tenant.installed().length < 3; i++)
      await new Promise((r) => setTimeout(r, 20));
    const kinds = delayed.tenant.installed().map((c) => `${c.purpose}/${c.delivery}`);
    expect(kinds.sort()).toEqual(["encryption/pfx", "signing/scep", "signing/scep"]);
  });

  it("keeps its installs in the data directory: a restarted tenant still lists them", async () => {
    const before = delayed.tenant.installed();
    expect(before.length).toBeGreaterThan(0);
    const ca = await openDemoCa({
      dir: join(delayed.dir, "demo-ca"),
      baseUrl: "http://127.0.0.1:7071",
      now: NOW,
    });
    const again = await startDemoTenant({ dataDir: delayed.dir, ca, now: NOW, clock: { now: () => NOW } });
    try {
      expect(again.installed().map((c) => [c.thumbprint, c.purpose, c.deviceId])).toEqual(
        before.map((c) => [c.thumbprint, c.purpose, c.deviceId]),
      );
      const pfx = before.find((c) => c.delivery === "pfx");
      const listed = (await all(again, "/beta/deviceManagement/userPfxCertificates")).items;
      expect(listed).toContainEqual(
        expect.objectContaining({ id: pfx?.items.pfx?.id, thumbprint: pfx?.thumbprint }),
      );
    } finally {
      await again.close();
    }
  });
});
