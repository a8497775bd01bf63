/**
 * `deviceManagement/reports/exportJobs`, Intune's way to hand large reports out: POST a job
 * (`{ reportName, select?, format }`) → 201 with status `notStarted`; GET it (`exportJobs('{id}')`) until
 * `completed`, then download `url`: a ZIP with one CSV. The demo advances a job one step per GET (notStarted →
 * inProgress → completed), so a client's polling loop runs without the test waiting on a clock, and serves
 * the ZIP itself under `/_demo/exports/` (unauthenticated, as a SAS URL would be).
 *
 * Only `AllDeviceCertificates` (the certificate report, columns as Microsoft lists them) in CSV.
 */
import { z } from "zod";
import type { Clock } from "../../ports.ts";
import { ALL_DEVICE_CERTIFICATES_COLUMNS, type ExportRow, type TenantData } from "./model.ts";
import { graphError, type Reply } from "./odata.ts";
import { guid } from "./seeded.ts";
import { zipOneFile } from "./zip.ts";

const CreateJob = z.object({
  reportName: z.string().min(1),
  filter: z.string().optional(),
  select: z.array(z.string()).optional(),
  format: z.enum(["csv", "json"]).optional(),
  localizationType: z.string().optional(),
  snapshotId: z.string().optional(),
});

type Status = "notStarted" | "inProgress" | "completed" | "failed";
type Column = (typeof ALL_DEVICE_CERTIFICATES_COLUMNS)[number];

interface Job {
  readonly id: string;
  readonly reportName: string;
  readonly select: readonly Column[];
  readonly requestDateTime: string;
  status: Status;
  url: string | null;
  zip?: Buffer;
}

/** A CSV field, always quoted as Intune writes them. */
function field(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

function* csvChunks(columns: readonly Column[], rows: Iterable<ExportRow>): Iterable<string> {
  yield `${columns.map(field).join(",")}\r\n`;
  let batch: string[] = [];
  for (const row of rows) {
    batch.push(columns.map((c) => field(row[c])).join(","));
    if (batch.length === 1000) {
      yield `${batch.join("\r\n")}\r\n`;
      batch = [];
    }
  }
  if (batch.length > 0) yield `${batch.join("\r\n")}\r\n`;
}

interface ExportJobsOptions {
  readonly data: TenantData;
  readonly clock: Clock;
  /** Where the ZIPs are served: `<baseUrl>/_demo/exports/<id>.zip`. */
  readonly baseUrl: () => string;
}

export class ExportJobs {
  private readonly jobs = new Map<string, Job>();

  private readonly options: ExportJobsOptions;

  constructor(options: ExportJobsOptions) {
    this.options = options;
  }

  create(body: unknown): Reply {
    const now = this.options.clock.now();
    const parsed = CreateJob.safeParse(body);
    if (!parsed.success) return graphError(400, "BadRequest", "reportName is required.", now);
    const { reportName, select, format } = parsed.data;
    if (reportName !== "AllDeviceCertificates")
      return graphError(
        400,
        "BadRequest",
        `Report '${reportName}' is not available in the demo tenant.`,
        now,
      );
    if (format === "json")
      return graphError(400, "BadRequest", "The demo tenant exports AllDeviceCertificates as csv only.", now);
    const unknown = (select ?? []).filter(
      (c) => !(ALL_DEVICE_CERTIFICATES_COLUMNS as readonly string[]).includes(c),
    );
    if (unknown.length > 0)
      return graphError(
        400,
        "BadRequest",
        `Unknown column(s) for ${reportName}: ${unknown.join(", ")}.`,
        now,
      );
    const id = `${reportName}_${guid(reportName, now.toISOString(), this.jobs.size)}`;
    const job: Job = {
      id,
      reportName,
      select: select && select.length > 0 ? (select as Column[]) : [...ALL_DEVICE_CERTIFICATES_COLUMNS],
      requestDateTime: now.toISOString(),
      status: "notStarted",
      url: null,
    };
    this.jobs.set(id, job);
    return { status: 201, body: this.view(job) };
  }

  /** Reads a job, moving it one step on; the step to `completed` writes its ZIP. */
  async get(id: string): Promise<Reply> {
    const now = this.options.clock.now();
    const job = this.jobs.get(id);
    if (!job) return graphError(404, "ResourceNotFound", `No export job '${id}'.`, now);
    if (job.status === "notStarted") job.status = "inProgress";
    else if (job.status === "inProgress") {
      job.zip = await zipOneFile(`${job.id}.csv`, csvChunks(job.select, this.options.data.exportRows()), now);
      job.url = `${this.options.baseUrl()}/_demo/exports/${encodeURIComponent(job.id)}.zip`;
      job.status = "completed";
    }
    return { status: 200, body: this.view(job) };
  }

  download(id: string): Buffer | undefined {
    return this.jobs.get(id)?.zip;
  }

  private view(job: Job) {
    return {
      "@odata.type": "#microsoft.graph.deviceManagementExportJob",
      id: job.id,
      reportName: job.reportName,
      filter: null,
      select: job.select,
      format: "csv",
      snapshotId: null,
      localizationType: "localizedValuesAsAdditionalColumn",
      status: job.status,
      url: job.url,
      requestDateTime: job.requestDateTime,
      expirationDateTime: job.url
        ? new Date(new Date(job.requestDateTime).getTime() + 3_600_000).toISOString()
        : "0001-01-01T00:00:00Z",
    };
  }
}
