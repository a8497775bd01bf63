/**
 * In Azure, APPLICATIONINSIGHTS_CONNECTION_STRING sends traces and metrics to Application Insights through
 * the Azure Monitor distro. Its ingestion endpoint here is a loopback HTTPS server (the exporter speaks
 * only HTTPS) that keeps what it is sent: the pipeline's spans and metrics arrive there, under their own names, with the trace context the
 * pipeline propagates.
 */
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { SpanKind } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSettings } from "../../../shared/config.ts";
import { MetricNames, recordNotification } from "../../../shared/telemetry/metrics.ts";
import { inSpan } from "../../../shared/telemetry/spans.ts";
import { startTelemetry, type Telemetry } from "../../../shared/telemetry/start.ts";
import { traceparentOf } from "../../../shared/telemetry/trace-context.ts";
import { mintTlsIdentity, trustByDefault } from "../../support/tls-identity.ts";

const INSTRUMENTATION_KEY = "11111111-2222-3333-4444-555555555555";

/** The part of an Application Insights envelope the test reads. */
interface AppInsightsItem {
  readonly iKey: string;
  readonly tags: Record<string, string>;
  readonly data: {
    readonly baseType: string;
    readonly baseData: { readonly metrics?: { readonly name: string; readonly value: number }[] };
  };
}

let server: Server;
const received: string[] = [];
let telemetry: Telemetry;

beforeAll(async () => {
  const identity = await mintTlsIdentity();
  trustByDefault(identity);
  server = createServer(identity, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      received.push((req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8"));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const settings = parseSettings({
    APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${INSTRUMENTATION_KEY};IngestionEndpoint=${endpoint}`,
  });
  telemetry = await startTelemetry(settings.telemetry);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("telemetry in Azure", () => {
  it("exports the pipeline's spans and metrics to Application Insights' ingestion endpoint", async () => {
    expect(telemetry.destination).toBe("applicationInsights");
    let active: string | undefined;
    await inSpan({ name: "process notifications", kind: SpanKind.CONSUMER }, async () => {
      active = traceparentOf();
      recordNotification("email", { status: "sent" });
    });
    // The distro's propagation and context manager carry the span to what runs inside it.
    expect(active).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const traceId = active?.split("-")[1];
    await telemetry.shutdown();

    const items = received.flatMap((body) => JSON.parse(body) as AppInsightsItem[]);
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(item.iKey).toBe(INSTRUMENTATION_KEY);
    // The consumer span is a request in Application Insights, in the operation of its trace.
    const requests = items.filter((i) => i.data.baseType === "RequestData");
    expect(requests.map((r) => r.tags["ai.operation.id"])).toContain(traceId);
    const metrics = items.flatMap((i) => i.data.baseData.metrics ?? [{ name: "", value: 0 }]);
    expect(metrics).toContainEqual(
      expect.objectContaining({ name: MetricNames.notificationsSent, value: 1 }),
    );
  });
});
