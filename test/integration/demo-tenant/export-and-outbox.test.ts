/**
 * The export job round trip (create → poll → download the ZIP from the tenant → one CSV of
 * AllDeviceCertificates, unzipped here with node:zlib), and the outbox of mail, Company Portal notices and
 * device syncs.
 */
import { inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_DEVICE_CERTIFICATES_COLUMNS } from "../../../shared/local/demo-tenant/model.ts";
import { all, graph, type Started, startTestTenant } from "./support.ts";

/** The single entry of a ZIP: name and bytes (checks the signatures and sizes on the way). */
function unzipOne(zip: Buffer): { name: string; data: Buffer } {
  expect(zip.readUInt32LE(0)).toBe(0x04034b50);
  const method = zip.readUInt16LE(8);
  const compressedSize = zip.readUInt32LE(18);
  const size = zip.readUInt32LE(22);
  const nameLength = zip.readUInt16LE(26);
  const extraLength = zip.readUInt16LE(28);
  const name = zip.subarray(30, 30 + nameLength).toString("utf8");
  const start = 30 + nameLength + extraLength;
  const raw = zip.subarray(start, start + compressedSize);
  const data = method === 8 ? inflateRawSync(raw) : raw;
  expect(data.length).toBe(size);
  expect(zip.readUInt32LE(zip.length - 22)).toBe(0x06054b50);
  return { name, data };
}

/** RFC 4180 enough for Intune's always-quoted fields. */
function parseCsv(text: string): string[][] {
  return text
    .trimEnd()
    .split("\r\n")
    .map((line) => [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => (m[1] ?? "").replaceAll('""', '"')));
}

async function runExport(started: Started, body: Record<string, unknown>) {
  const created = await graph(started.tenant, "/beta/deviceManagement/reports/exportJobs", {
    method: "POST",
    body,
  });
  expect(created.status).toBe(201);
  expect(created.json.status).toBe("notStarted");
  const statuses: string[] = [];
  let job = created.json;
  while (job.status !== "completed") {
    const polled = await graph(
      started.tenant,
      `/beta/deviceManagement/reports/exportJobs('${created.json.id}')`,
    );
    job = polled.json;
    statuses.push(String(job.status));
  }
  // The ZIP's URL is a SAS-like link: fetched without the Graph token.
  const zip = Buffer.from(await (await fetch(String(job.url))).arrayBuffer());
  return { statuses, job, ...unzipOne(zip) };
}

let s: Started;
beforeAll(async () => {
  s = await startTestTenant();
});
afterAll(() => s.stop());

describe("report export", () => {
  it("AllDeviceCertificates: polled to completed, the ZIP holds one CSV with a row per device certificate state", async () => {
    const { statuses, name, data } = await runExport(s, {
      reportName: "AllDeviceCertificates",
      format: "csv",
    });
    expect(statuses).toEqual(["inProgress", "completed"]);
    expect(name).toMatch(/^AllDeviceCertificates_.*\.csv$/);
    const [header, ...rows] = parseCsv(data.toString("utf8"));
    expect(header).toEqual([...ALL_DEVICE_CERTIFICATES_COLUMNS]);
    const { items: states } = await all(
      s.tenant,
      "/beta/deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates",
    );
    expect(rows.length).toBe(states.length);
    const thumbprints = new Set(rows.map((r) => r[header?.indexOf("Thumbprint") ?? -1]).filter(Boolean));
    // Every certificate on a device (a PFX imported for a user with no phone has no device state to report).
    for (const c of s.tenant.dataset?.certificates ?? [])
      if (c.platforms.length > 0) expect(thumbprints).toContain(c.thumbprint);
  });

  it("honours select: only the chosen columns, in that order", async () => {
    const { data } = await runExport(s, {
      reportName: "AllDeviceCertificates",
      select: ["UPN", "Thumbprint", "ValidTo"],
    });
    const [header, first] = parseCsv(data.toString("utf8"));
    expect(header).toEqual(["UPN", "Thumbprint", "ValidTo"]);
    expect(first?.[0]).toMatch(/@demo\.smime-lifecycle\.local$/);
  });

  it.each([
    { name: "another report", body: { reportName: "Devices" } },
    { name: "an unknown column", body: { reportName: "AllDeviceCertificates", select: ["Shoe"] } },
    { name: "no report name", body: {} },
  ])("refuses $name with 400", async ({ body }) => {
    const res = await graph(s.tenant, "/beta/deviceManagement/reports/exportJobs", { method: "POST", body });
    expect(res.status).toBe(400);
  });
});

describe("outbox", () => {
  const devices = () => s.tenant.dataset?.users.find((u) => u.spec.name === "carmen")?.devices ?? [];

  it.each([
    {
      name: "sendMail from a sender the tenant does not know",
      path: () => "/v1.0/users/nobody@demo.smime-lifecycle.local/sendMail",
      body: {
        message: {
          subject: "Your S/MIME certificate expires in 14 days",
          body: { contentType: "text", content: "Renew it in Company Portal." },
          toRecipients: [{ emailAddress: { address: "carmen@demo.smime-lifecycle.local" } }],
        },
        saveToSentItems: false,
      },
      status: 404,
    },
    {
      name: "sendMail from a user of the tenant",
      path: () => "/v1.0/users/aino@demo.smime-lifecycle.local/sendMail",
      body: {
        message: {
          subject: "Your S/MIME certificate expires in 14 days",
          body: { contentType: "text", content: "Renew it in Company Portal." },
          toRecipients: [{ emailAddress: { address: "carmen@demo.smime-lifecycle.local" } }],
        },
        saveToSentItems: false,
      },
      status: 202,
      entry: {
        kind: "mail",
        to: ["carmen@demo.smime-lifecycle.local"],
        subject: "Your S/MIME certificate expires in 14 days",
      },
    },
    {
      name: "sendMail from the tenant's notices mailbox (no user, but a mailbox)",
      path: () => "/v1.0/users/smime-notices@demo.smime-lifecycle.local/sendMail",
      body: {
        message: {
          subject: "Ditt S/MIME-certifikat har spärrats",
          body: { contentType: "text", content: "Öppna Företagsportalen." },
          toRecipients: [{ emailAddress: { address: "carmen@demo.smime-lifecycle.local" } }],
        },
      },
      status: 202,
      entry: {
        kind: "mail",
        from: "smime-notices@demo.smime-lifecycle.local",
        subject: "Ditt S/MIME-certifikat har spärrats",
      },
    },
    {
      name: "sendCustomNotificationToCompanyPortal (beta)",
      path: () =>
        `/beta/deviceManagement/managedDevices/${devices()[0]?.id}/sendCustomNotificationToCompanyPortal`,
      body: { notificationTitle: "S/MIME", notificationBody: "Your signing certificate was renewed." },
      status: 204,
      entry: {
        kind: "companyPortal",
        userPrincipalName: "carmen@demo.smime-lifecycle.local",
        notificationTitle: "S/MIME",
      },
    },
    {
      name: "syncDevice",
      path: () => `/v1.0/deviceManagement/managedDevices/${devices()[1]?.id}/syncDevice`,
      body: undefined,
      status: 204,
      entry: { kind: "syncDevice" },
    },
    {
      name: "a Company Portal notice without a body",
      path: () =>
        `/beta/deviceManagement/managedDevices/${devices()[0]?.id}/sendCustomNotificationToCompanyPortal`,
      body: { notificationTitle: "S/MIME" },
      status: 400,
    },
    {
      name: "Company Portal on v1.0 (beta only)",
      path: () =>
        `/v1.0/deviceManagement/managedDevices/${devices()[0]?.id}/sendCustomNotificationToCompanyPortal`,
      body: { notificationTitle: "S/MIME", notificationBody: "x" },
      status: 400,
    },
  ])("$name → $status", async ({ path, body, status, entry }) => {
    const before = s.tenant.outbox().length;
    const res = await graph(s.tenant, path(), { method: "POST", ...(body ? { body } : {}) });
    expect(res.status).toBe(status);
    const added = s.tenant.outbox().slice(before);
    if (entry) expect(added).toEqual([expect.objectContaining(entry)]);
    else expect(added).toEqual([]);
  });

  it("the outbox is readable over HTTP too (for the local host)", async () => {
    const res = await fetch(`${s.tenant.baseUrl}/_demo/outbox`);
    const body = (await res.json()) as { value: unknown[] };
    expect(body.value.length).toBe(s.tenant.outbox().length);
  });
});
