/**
 * The pipeline's own Graph gateway (shared/adapters/graph, through the ports of shared/ports.ts) against the
 * demo tenant: every port method the pipeline uses works end to end, with nothing rejected by the contracts,
 * and a throttled tenant still yields all data.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createGraphGateway,
  DEMO_TENANT_TOKEN,
  DeltaExpiredError,
  staticToken,
} from "../../../shared/adapters/graph/index.ts";
import type { GraphGateway, GraphPage } from "../../../shared/ports.ts";
import { NOW, type Started, startTestTenant } from "./support.ts";

async function collect<T>(pages: AsyncIterable<GraphPage<T>>): Promise<{ items: T[]; rejected: Error[] }> {
  const items: T[] = [];
  const rejected: Error[] = [];
  for await (const page of pages) {
    items.push(...page.items);
    rejected.push(...page.rejected);
  }
  return { items, rejected };
}

function gatewayFor(s: Started): GraphGateway {
  return createGraphGateway({
    baseUrl: s.tenant.baseUrl,
    credential: staticToken(DEMO_TENANT_TOKEN),
    sleep: async () => undefined,
    retry: { maxAttempts: 8 },
  });
}

let s: Started;
let gateway: GraphGateway;
beforeAll(async () => {
  s = await startTestTenant({ throttleRate: 0.05, retryAfterSeconds: 1, pageSize: 20 });
  gateway = gatewayFor(s);
});
afterAll(() => s.stop());

describe("the Graph gateway against the demo tenant", () => {
  it("reads a whole delta round, and a deltaLink of another run is DeltaExpiredError", async () => {
    let users = 0;
    let deltaLink: string | undefined;
    for await (const page of gateway.usersDelta()) {
      expect(page.rejected).toEqual([]);
      users += page.items.length;
      deltaLink = page.deltaLink ?? deltaLink;
    }
    expect(users).toBe(s.tenant.dataset?.users.length);
    expect(deltaLink).toContain("$deltatoken=");
    const other = await startTestTenant();
    try {
      const foreign = String(deltaLink).replace(s.tenant.baseUrl, other.tenant.baseUrl);
      const read = async () => {
        for await (const _ of gatewayFor(other).usersDelta(foreign)) {
          // drain
        }
      };
      await expect(read()).rejects.toBeInstanceOf(DeltaExpiredError);
    } finally {
      await other.stop();
    }
  });

  it("reads PFX certificates, profiles, per-profile and all device certificate states", async () => {
    const pfx = await collect(gateway.pfxCertificates());
    expect(pfx.rejected).toEqual([]);
    // The delta round above set off the demo's scripted changes: yngve's certificates left Intune.
    const expected = s.tenant.dataset?.certificates.filter(
      (c) => c.delivery === "pfx" && !c.userPrincipalName.startsWith("yngve@"),
    );
    expect(pfx.items.map((p) => p.thumbprint).sort()).toEqual(expected?.map((c) => c.thumbprint).sort());
    const profiles = await gateway.certificateProfiles();
    expect(profiles.length).toBe(12);
    let perProfile = 0;
    for (const profile of profiles) {
      const states = await collect(gateway.certificateStates(profile));
      expect(states.rejected).toEqual([]);
      perProfile += states.items.length;
    }
    const everything = await collect(gateway.allCertificateStates());
    expect(everything.rejected).toEqual([]);
    expect(everything.items.length).toBe(perProfile);
  });

  it("runs an export job to its ZIP", async () => {
    let job = await gateway.startExport({ reportName: "AllDeviceCertificates", format: "csv" });
    while (job.status !== "completed") job = await gateway.getExport(job.id);
    let bytes = 0;
    for await (const chunk of gateway.downloadExport(String(job.url))) bytes += chunk.length;
    expect(bytes).toBeGreaterThan(1000);
  });

  it("reads the Outlook policies and a user's devices, and acts on a device", async () => {
    const policies = await gateway.appConfigurations();
    expect(policies.length).toBeGreaterThanOrEqual(2);
    const carmen = s.tenant.dataset?.users.find((u) => u.spec.name === "carmen");
    const devices = await gateway.userDevices(String(carmen?.id));
    expect(devices.map((d) => d.operatingSystem).sort()).toEqual(["Android", "iOS"]);
    await gateway.syncDevice(devices[0]?.id ?? "");
    await gateway.notifyCompanyPortal(devices[0]?.id ?? "", {
      notificationTitle: "S/MIME",
      notificationBody: "Your certificate was renewed.",
    });
    await gateway.sendMail("aino@demo.smime-lifecycle.local", {
      message: {
        subject: "Certificate expiring",
        body: { contentType: "text", content: "Renew it." },
        toRecipients: [{ emailAddress: { address: "carmen@demo.smime-lifecycle.local" } }],
      },
    });
    expect(s.tenant.outbox().map((e) => e.kind)).toEqual(
      expect.arrayContaining(["syncDevice", "companyPortal", "mail"]),
    );
  });

  it("finds a user by UPN, and none for an unknown one", async () => {
    expect((await gateway.getUser("vera@demo.smime-lifecycle.local"))?.accountEnabled).toBe(false);
    expect(await gateway.getUser("nobody@demo.smime-lifecycle.local")).toBeUndefined();
  });

  it("a subscription whose webhook does not answer is refused", async () => {
    await expect(
      gateway.create({
        changeType: "updated,deleted",
        notificationUrl: `${s.tenant.baseUrl}/_demo/nowhere`,
        resource: "users",
        expirationDateTime: new Date(NOW.getTime() + 86_400_000).toISOString(),
        clientState: "x",
      }),
    ).rejects.toThrow();
  });
});
