/**
 * Managed devices and the actions on them. `users/{id}/managedDevices` and `syncDevice` are v1.0 (generally
 * available); `sendCustomNotificationToCompanyPortal` exists only in beta.
 */
import { CompanyPortalNotice, MANAGED_DEVICE_SELECT, ManagedDevice } from "../../contracts/graph.ts";
import { parseBody } from "./parse.ts";
import type { GraphTransport } from "./transport.ts";

/** A user has a handful of devices: collected whole. Items that break the schema are skipped. */
export async function userDevices(transport: GraphTransport, userId: string): Promise<ManagedDevice[]> {
  const call = {
    method: "GET",
    version: "v1.0",
    path: `users/${encodeURIComponent(userId)}/managedDevices`,
    select: MANAGED_DEVICE_SELECT,
    resource: "managedDevices",
  } as const;
  const devices: ManagedDevice[] = [];
  for await (const page of transport.pages(call, ManagedDevice)) devices.push(...page.items);
  return devices;
}

export async function syncDevice(transport: GraphTransport, deviceId: string): Promise<void> {
  await transport.send({
    method: "POST",
    version: "v1.0",
    path: `deviceManagement/managedDevices/${encodeURIComponent(deviceId)}/syncDevice`,
    resource: "syncDevice",
    // Asking a device to check in twice is the same as once.
    idempotent: true,
  });
}

export async function notifyCompanyPortal(
  transport: GraphTransport,
  deviceId: string,
  notice: CompanyPortalNotice,
): Promise<void> {
  const body = parseBody(CompanyPortalNotice, "Company Portal notice", notice);
  await transport.send({
    method: "POST",
    version: "beta",
    path: `deviceManagement/managedDevices/${encodeURIComponent(deviceId)}/sendCustomNotificationToCompanyPortal`,
    body,
    resource: "sendCustomNotificationToCompanyPortal",
  });
}
