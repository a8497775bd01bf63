/**
 * Intune report exports: v1.0 (`deviceManagement/reports/exportJobs` is generally available). The finished
 * report is a ZIP at a temporary storage URL; it is fetched without the Graph token (the URL is its own
 * credential, and the token must not travel to another host).
 */
import { DeviceManagementExportJob, EXPORT_JOB_SELECT, ExportJobCreate } from "../../contracts/graph.ts";
import { PermanentError, RetryableError } from "../../errors.ts";
import { parseBody } from "./parse.ts";
import { isRetryableStatus } from "./retry-policy.ts";
import type { GraphTransport } from "./transport.ts";

const VERSION = "v1.0";

export async function startExport(transport: GraphTransport, request: ExportJobCreate) {
  const body = parseBody(ExportJobCreate, "exportJob request", request);
  const res = await transport.send({
    method: "POST",
    version: VERSION,
    path: "deviceManagement/reports/exportJobs",
    body,
    resource: "exportJob",
  });
  return parseBody(DeviceManagementExportJob, "exportJob", res.body);
}

export async function getExport(transport: GraphTransport, jobId: string) {
  const res = await transport.send({
    method: "GET",
    version: VERSION,
    path: `deviceManagement/reports/exportJobs/${encodeURIComponent(jobId)}`,
    select: EXPORT_JOB_SELECT,
    resource: "exportJob",
  });
  return parseBody(DeviceManagementExportJob, "exportJob", res.body);
}

/** Streams the ZIP: the caller reads it chunk by chunk (a 100,000-row report never sits whole in memory). */
export async function* downloadExport(url: string, timeoutMs: number): AsyncGenerator<Uint8Array> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new PermanentError("Graph export download: the job's url is not a URL");
  }
  if (target.protocol !== "https:" && target.protocol !== "http:") {
    throw new PermanentError(`Graph export download: ${target.protocol} URLs are not fetched`);
  }
  const where = `${target.origin}${target.pathname}`;
  const headers = new AbortController();
  const timer = setTimeout(() => headers.abort(), timeoutMs);
  let response: Response;
  try {
    response = await fetch(target, { signal: headers.signal, redirect: "follow" });
  } catch (error) {
    throw new RetryableError(
      `Graph export download from ${where}: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    const message = `Graph export download from ${where}: HTTP ${response.status}`;
    // The storage URL expires (403 after its SAS lifetime): a new export job is the only cure.
    if (isRetryableStatus(response.status)) throw new RetryableError(message);
    throw new PermanentError(message);
  }
  for await (const chunk of response.body) yield chunk;
}
