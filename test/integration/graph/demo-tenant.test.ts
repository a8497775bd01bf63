/**
 * The gateway against the demo tenant (shared/local/demo-tenant), as local mode uses it: a generated tenant
 * whose every tenth request is answered 429 with Retry-After. Every item arrives exactly once, nothing breaks
 * its schema, and the throttling is waited out (through the injected clock, never in wall time).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGraphGateway, graphCredential } from "../../../shared/adapters/graph/index.ts";
import { type DemoTenant, startDemoTenant } from "../../../shared/local/demo-tenant/index.ts";
import type { GraphGateway, GraphPage } from "../../../shared/ports.ts";
import { fakeTime } from "./graph-server.ts";

const SCALE = { users: 120, certificates: 1500 };

let tenant: DemoTenant;
let dataDir: string;
let gateway: GraphGateway;
let time: ReturnType<typeof fakeTime>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "graph-demo-"));
  tenant = await startDemoTenant({
    dataDir,
    scale: SCALE,
    throttleRate: 0.1,
    retryAfterSeconds: 2,
    seed: "gateway-test",
  });
  time = fakeTime();
  gateway = createGraphGateway({
    baseUrl: tenant.baseUrl,
    // Local mode's credential: the loopback base URL gets the demo tenant's fixed token.
    credential: graphCredential({ baseUrl: tenant.baseUrl }),
    sleep: time.sleep,
    now: time.now,
    random: () => 0.5,
    retry: { maxAttempts: 8 },
  });
});

afterAll(async () => {
  await tenant?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function drain<T extends { id: string }>(pages: AsyncIterable<GraphPage<T>>) {
  const ids: string[] = [];
  const rejected: Error[] = [];
  let count = 0;
  for await (const page of pages) {
    count++;
    ids.push(...page.items.map((i) => i.id));
    rejected.push(...page.rejected);
  }
  return { ids, rejected, pages: count };
}

describe("the gateway on the demo tenant", () => {
  it("reads every imported PFX certificate once", async () => {
    const { ids, rejected, pages } = await drain(gateway.pfxCertificates());
    expect(rejected).toEqual([]);
    expect(ids).toHaveLength(SCALE.users);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBeGreaterThan(1);
  });

  it("finds the S/MIME profiles and reads every certificate state once, across pages and 429s", async () => {
    const sleepsBefore = time.sleeps.length;
    const profiles = await gateway.certificateProfiles();
    expect(profiles.length).toBeGreaterThan(0);
    const all: string[] = [];
    for (const profile of profiles) {
      const { ids, rejected } = await drain(gateway.certificateStates(profile));
      expect(rejected).toEqual([]);
      all.push(...ids);
    }
    expect(all).toHaveLength(SCALE.certificates);
    expect(new Set(all).size).toBe(all.length);
    // Throttled on the way, and each wait was the tenant's Retry-After.
    const waits = time.sleeps.slice(sleepsBefore);
    expect(waits.length).toBeGreaterThan(0);
    expect(new Set(waits)).toEqual(new Set([2000]));
  });

  it("reads every profile's states at once, with their UPNs, from the all-devices collection", async () => {
    const upns: string[] = [];
    const ids: string[] = [];
    for await (const page of gateway.allCertificateStates()) {
      expect(page.rejected).toEqual([]);
      ids.push(...page.items.map((s) => s.id));
      upns.push(...page.items.map((s) => s.userPrincipalName ?? ""));
    }
    expect(new Set(ids).size).toBe(SCALE.certificates);
    expect(upns.every((u) => u.includes("@"))).toBe(true);
  });

  it("runs a users delta round to its deltaLink, and the next round from it finds nothing new", async () => {
    const first: string[] = [];
    let deltaLink: string | undefined;
    for await (const page of gateway.usersDelta()) {
      first.push(...page.items.map((u) => u.id));
      deltaLink = page.deltaLink ?? deltaLink;
    }
    expect(new Set(first).size).toBe(SCALE.users);
    expect(deltaLink).toMatch(/deltatoken/i);
    const second: string[] = [];
    for await (const page of gateway.usersDelta(deltaLink)) second.push(...page.items.map((u) => u.id));
    expect(second).toEqual([]);
  });
});
