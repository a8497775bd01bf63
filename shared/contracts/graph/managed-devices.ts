/** Graph contracts: Managed devices (v1.0) and the actions on them. */
import { z } from "zod";
import { GraphDateTime, opt } from "./common.ts";

export const MANAGED_DEVICE_SELECT = [
  "id",
  "deviceName",
  "operatingSystem",
  "osVersion",
  "userId",
  "userPrincipalName",
  "lastSyncDateTime",
] as const;

export const ManagedDevice = z.object({
  id: z.string().min(1),
  deviceName: opt(z.string()),
  /** Free text: "iOS", "Android", "Windows"… */
  operatingSystem: opt(z.string()),
  osVersion: opt(z.string()),
  userId: opt(z.string()),
  userPrincipalName: opt(z.string()),
  lastSyncDateTime: opt(GraphDateTime),
});
export type ManagedDevice = z.infer<typeof ManagedDevice>;

/** `POST deviceManagement/managedDevices/{id}/sendCustomNotificationToCompanyPortal` (beta only). */
export const CompanyPortalNotice = z.object({
  notificationTitle: z.string().min(1).max(250),
  notificationBody: z.string().min(1).max(500),
});
export type CompanyPortalNotice = z.infer<typeof CompanyPortalNotice>;
