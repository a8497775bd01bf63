/**
 * Everything the demo tenant serves parses with the pipeline's Graph contracts (shared/contracts/graph.ts),
 * asked for with the contracts' own `$select` lists: the gateway sees from the demo what it sees from Graph.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  AndroidManagedStoreAppConfiguration,
  CertificateProfile,
  DeviceManagementExportJob,
  GraphErrorBody,
  GraphUser,
  GraphUserDelta,
  IosMobileAppConfiguration,
  isSmimeCertificateProfileType,
  MANAGED_ALL_DEVICE_CERTIFICATE_STATE_SELECT,
  MANAGED_DEVICE_CERTIFICATE_STATE_SELECT,
  MANAGED_DEVICE_SELECT,
  ManagedAllDeviceCertificateState,
  ManagedDevice,
  ManagedDeviceCertificateState,
  USER_PFX_CERTIFICATE_SELECT,
  USER_SELECT,
  UserPfxCertificate,
} from "../../../shared/contracts/graph.ts";
import { all, graph, type Started, startTestTenant } from "./support.ts";

let s: Started;
beforeAll(async () => {
  s = await startTestTenant();
});
afterAll(() => s.stop());

const sel = (fields: readonly string[]) => `$select=${fields.join(",")}`;

describe("collections parse with the contract schemas", () => {
  it.each<{ name: string; path: string; schema: z.ZodType; min: number }>([
    { name: "users", path: `/v1.0/users?${sel(USER_SELECT)}`, schema: GraphUser, min: 50 },
    { name: "users delta", path: `/v1.0/users/delta?${sel(USER_SELECT)}`, schema: GraphUserDelta, min: 50 },
    {
      name: "userPfxCertificates",
      path: `/beta/deviceManagement/userPfxCertificates?${sel(USER_PFX_CERTIFICATE_SELECT)}`,
      schema: UserPfxCertificate,
      min: 40,
    },
    {
      name: "all managed device certificate states",
      path: `/beta/deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates?${sel(MANAGED_ALL_DEVICE_CERTIFICATE_STATE_SELECT)}`,
      schema: ManagedAllDeviceCertificateState,
      min: 100,
    },
    {
      name: "managed devices",
      path: `/v1.0/deviceManagement/managedDevices?${sel(MANAGED_DEVICE_SELECT)}`,
      schema: ManagedDevice,
      min: 50,
    },
  ])("$name", async ({ path, schema, min }) => {
    const { items } = await all(s.tenant, path);
    expect(items.length).toBeGreaterThanOrEqual(min);
    for (const item of items) expect(schema.safeParse(item).error).toBeUndefined();
  });

  it("certificate profiles and each one's device states", async () => {
    const { items } = await all(s.tenant, "/beta/deviceManagement/deviceConfigurations");
    const profiles = items.filter((p) => isSmimeCertificateProfileType(p["@odata.type"]));
    expect(profiles.length).toBe(12);
    let states = 0;
    for (const raw of profiles) {
      const profile = CertificateProfile.parse(raw);
      const { items: page } = await all(
        s.tenant,
        `/beta/deviceManagement/deviceConfigurations/${profile.id}/${profile.odataType.slice(1)}/managedDeviceCertificateStates?${sel(MANAGED_DEVICE_CERTIFICATE_STATE_SELECT)}`,
      );
      for (const item of page) expect(ManagedDeviceCertificateState.safeParse(item).error).toBeUndefined();
      states += page.length;
    }
    expect(states).toBeGreaterThan(100);
  });

  it("Outlook app configurations, each by the schema its @odata.type names", async () => {
    const { items } = await all(s.tenant, "/beta/deviceAppManagement/mobileAppConfigurations");
    const parsed = items.map((i) =>
      i["@odata.type"] === "#microsoft.graph.androidManagedStoreAppConfiguration"
        ? AndroidManagedStoreAppConfiguration.safeParse(i)
        : IosMobileAppConfiguration.safeParse(i),
    );
    expect(parsed.map((p) => p.success)).toEqual([true, true, true]);
  });

  it("an export job and an error body", async () => {
    const job = await graph(s.tenant, "/beta/deviceManagement/reports/exportJobs", {
      method: "POST",
      body: { reportName: "AllDeviceCertificates", format: "csv" },
    });
    expect(DeviceManagementExportJob.safeParse(job.json).error).toBeUndefined();
    const error = await graph(s.tenant, "/v1.0/users", { token: null });
    expect(GraphErrorBody.safeParse(error.json).error).toBeUndefined();
  });
});
