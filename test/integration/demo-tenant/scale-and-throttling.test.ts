/**
 * The benchmark's tenant: 100,000 certificate states generated page by page, the same on every run, read
 * completely through 100 pages while 5% of requests are answered 429 with Retry-After; throttling that
 * repeats exactly for a seed.
 */
import { inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoTenant } from "../../../shared/local/demo-tenant/index.ts";
import { graph, type Started, startTestTenant } from "./support.ts";

/** Follows nextLink, retrying a 429 after its Retry-After (as the gateway does); counts the 429s. */
async function readAll(tenant: DemoTenant, path: string) {
  const items: Record<string, unknown>[] = [];
  let next: string | undefined = path;
  let pages = 0;
  let throttled = 0;
  while (next) {
    const res = await graph(tenant, next);
    if (res.status === 429) {
      throttled += 1;
      expect(res.headers.get("retry-after")).toBe("0");
      expect((res.json.error as { code: string }).code).toBe("TooManyRequests");
      continue;
    }
    expect(res.status).toBe(200);
    pages += 1;
    items.push(...(res.json.value as Record<string, unknown>[]));
    next = res.json["@odata.nextLink"] as string | undefined;
  }
  return { items, pages, throttled };
}

const SCALE = { users: 50_000, certificates: 100_000 };
let big: Started;
beforeAll(async () => {
  big = await startTestTenant({ scale: SCALE, throttleRate: 0.05, retryAfterSeconds: 0, seed: "bench" });
});
afterAll(() => big.stop());

describe("the generated 100,000-certificate tenant", () => {
  it("serves every state once through 100 pages of 1,000 while 5% of requests are throttled", async () => {
    const profiles = await readAll(big.tenant, "/beta/deviceManagement/deviceConfigurations");
    const scep = profiles.items.filter(
      (p) =>
        String(p["@odata.type"]).endsWith("ScepCertificateProfile") &&
        String(p.displayName).includes("signing"),
    );
    let pages = 0;
    let throttled = 0;
    const thumbprints = new Set<string>();
    for (const p of scep) {
      const read = await readAll(
        big.tenant,
        `/beta/deviceManagement/deviceConfigurations/${p.id}/${String(p["@odata.type"]).slice(1)}/managedDeviceCertificateStates?$top=1000&$select=certificateThumbprint,certificateExpirationDateTime`,
      );
      pages += read.pages;
      throttled += read.throttled;
      for (const item of read.items) thumbprints.add(String(item.certificateThumbprint));
    }
    expect(thumbprints.size).toBe(SCALE.certificates);
    expect(pages).toBe(100);
    // Deterministic for the seed; about 5% of ~100 requests.
    expect(throttled).toBeGreaterThan(0);
    expect(throttled).toBeLessThan(15);
  });

  it("is the same on another start with the same seed", async () => {
    const again = await startTestTenant({ scale: SCALE, seed: "bench" });
    try {
      const path =
        "/beta/deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates?$top=50&$skiptoken=eyJvIjo5OTk1MH0";
      const [a, b] = [await readAll(again.tenant, path), await readAll(big.tenant, path)];
      expect(a.items.length).toBe(50);
      expect(a.items).toEqual(b.items);
    } finally {
      await again.stop();
    }
  });

  it("exports the AllDeviceCertificates report with a row per certificate", async () => {
    const small = await startTestTenant({ scale: { users: 1_000, certificates: 20_000 }, seed: "bench" });
    try {
      const created = await graph(small.tenant, "/v1.0/deviceManagement/reports/exportJobs", {
        method: "POST",
        body: { reportName: "AllDeviceCertificates", select: ["Thumbprint"] },
      });
      let job = created.json;
      while (job.status !== "completed")
        job = (await graph(small.tenant, `/v1.0/deviceManagement/reports/exportJobs/${created.json.id}`))
          .json;
      const zip = Buffer.from(await (await fetch(String(job.url))).arrayBuffer());
      const start = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
      const csv = inflateRawSync(zip.subarray(start, start + zip.readUInt32LE(18))).toString("utf8");
      const lines = csv.trimEnd().split("\r\n");
      expect(lines[0]).toBe('"Thumbprint"');
      expect(new Set(lines.slice(1)).size).toBe(20_000);
    } finally {
      await small.stop();
    }
  });
});

describe("throttling", () => {
  async function statuses(seed: string): Promise<number[]> {
    const t = await startTestTenant({ scale: { users: 10, certificates: 10 }, throttleRate: 0.05, seed });
    try {
      const out: number[] = [];
      for (let i = 0; i < 200; i += 1) out.push((await graph(t.tenant, "/v1.0/users?$top=1")).status);
      return out;
    } finally {
      await t.stop();
    }
  }

  it("answers about 5% with 429, the same requests for the same seed and others for another", async () => {
    const [a, b, c] = [await statuses("one"), await statuses("one"), await statuses("two")];
    const throttled = a.filter((x) => x === 429).length;
    expect(throttled).toBeGreaterThanOrEqual(3);
    expect(throttled).toBeLessThanOrEqual(20);
    expect(a.every((x) => x === 200 || x === 429)).toBe(true);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("never throttles the /_demo routes", async () => {
    const t = await startTestTenant({ scale: { users: 10, certificates: 10 }, throttleRate: 1 });
    try {
      expect((await graph(t.tenant, "/v1.0/users")).status).toBe(429);
      expect((await fetch(`${t.tenant.baseUrl}/_demo/outbox`)).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});
