/** Graph contracts: Intune report export (v1.0: deviceManagement/reports/exportJobs). */
import { z } from "zod";
import { evolvable, GraphDateTime, opt } from "./common.ts";

/** `POST deviceManagement/reports/exportJobs`. */
export const ExportJobCreate = z.object({
  reportName: z.string().min(1).max(2000),
  format: z.enum(["csv", "json"]).default("csv"),
  select: z.array(z.string().min(1)).max(256).optional(),
  filter: z.string().max(2000).optional(),
  localizationType: z.enum(["localizedValuesAsAdditionalColumn", "replaceLocalizableValues"]).optional(),
});
export type ExportJobCreate = z.input<typeof ExportJobCreate>;

export const EXPORT_JOB_SELECT = [
  "id",
  "reportName",
  "format",
  "status",
  "url",
  "requestDateTime",
  "expirationDateTime",
] as const;

export const DeviceManagementExportJob = z.object({
  id: z.string().min(1),
  reportName: z.string().min(1),
  format: opt(evolvable(["csv", "pdf", "json"])),
  /** deviceManagementReportStatus. */
  status: evolvable(["unknown", "notStarted", "inProgress", "completed", "failed"]),
  /** The ZIP's temporary (SAS) URL, once completed: fetched without the Graph token. */
  url: opt(z.string()),
  requestDateTime: opt(GraphDateTime),
  expirationDateTime: opt(GraphDateTime),
});
export type DeviceManagementExportJob = z.infer<typeof DeviceManagementExportJob>;
