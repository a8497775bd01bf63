/**
 * One trace across HTTP → queue → processor, over the local host's parts: node:http on loopback in front of
 * the router, the demo issuer's tokens, the local runtime on Azurite and the durable in-process bus, and the
 * registry's queue functions run by the local host's consumers. A `POST /api/certificates` answers 202; the
 * event it publishes is handled by onCertificateEvent; the server, producer and consumer spans share one
 * trace id, each the parent of the next.
 */
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SpanKind } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createInProcessBus, type InProcessBus } from "../../../shared/adapters/in-process-bus/bus.ts";
import { silentLogger } from "../../../shared/adapters/logger.ts";
import { parseSettings } from "../../../shared/config.ts";
import { loadDemoIssuer } from "../../../shared/http/demo-issuer.ts";
import { createApiServer } from "../../../shared/http/node-adapter.ts";
import { createRouter } from "../../../shared/http/router.ts";
import { type RunningConsumers, startConsumers } from "../../../shared/local/consumers.ts";
import { type DemoCa, openDemoCa } from "../../../shared/local/demo-ca.ts";
import { localFunctions } from "../../../shared/local/local-functions.ts";
import { createLocalRuntime, installRuntime, uninstallRuntime } from "../../../shared/runtime.ts";
import type { Telemetry } from "../../../shared/telemetry/start.ts";
import { memoryTelemetry, spansOf, theSpan } from "../../support/telemetry.ts";

const DAY = 86_400_000;
const CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

let dir: string;
let ca: DemoCa;
let bus: InProcessBus;
let consumers: RunningConsumers;
let server: Server;
let base: string;
let adminToken: string;
let telemetry: Telemetry;

beforeAll(async () => {
  telemetry = await memoryTelemetry();
  dir = await mkdtemp(join(tmpdir(), "pipeline-trace-"));
  const now = new Date();
  ca = await openDemoCa({ dir: join(dir, "demo-ca"), baseUrl: "http://127.0.0.1:7071", now });
  bus = createInProcessBus({ file: ":memory:", pollIntervalMs: 10 });
  const runtime = createLocalRuntime({
    tablesConnectionString: inject("tablesConnectionString"),
    bus,
    trustStorePath: ca.trustStorePath,
    localCrl: ca.crl,
    settings: parseSettings({ TABLE_PREFIX: "pipelinetrace" }, dir),
    logger: silentLogger,
  });
  // The queue functions read the process's runtime, as under the Functions host.
  installRuntime(runtime);
  const issuer = await loadDemoIssuer(dir);
  adminToken = await issuer.mint({ role: "admin", userPrincipalName: "admin@contoso.com", now });
  const functions = localFunctions(runtime.deps, silentLogger);
  const router = createRouter(functions.routes, {
    verifier: issuer.verifier({ now: () => new Date() }),
    logger: silentLogger,
  });
  consumers = startConsumers(
    functions.queues.filter((q) => q.queue === "certificateEvents"),
    { bus, logger: silentLogger, faultRate: 0 },
  );
  server = createApiServer(router);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await consumers.stop();
  uninstallRuntime();
  await bus.close();
  await rm(dir, { recursive: true, force: true });
});

/** Registers a new demo certificate for `user`; answers the request's server span. */
async function register(user: string, headers: Record<string, string> = {}): Promise<ReadableSpan> {
  const now = Date.now();
  const leaf = await ca.issue({
    email: `${user}@contoso.com`,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 90 * DAY),
  });
  const response = await fetch(`${base}/api/certificates`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({
      userPrincipalName: `${user}@contoso.com`,
      certificate: leaf.pem,
      purpose: "signing",
    }),
  });
  expect(response.status).toBe(202);
  // The router ends the span before the response is written, so it is among the finished ones: the latest.
  const servers = telemetry.spans().filter((s) => s.kind === SpanKind.SERVER);
  return servers.at(-1) as ReadableSpan;
}

/** The spans of `traceId` once its consumer span has ended (the processor ran), within 15 s. */
async function processed(traceId: string): Promise<ReadableSpan[]> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const spans = spansOf(telemetry, traceId);
    if (spans.some((s) => s.kind === SpanKind.CONSUMER)) return spans;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no consumer span in trace ${traceId}: ${spansOf(telemetry, traceId).map((s) => s.name)}`);
}

function expectOneChain(spans: readonly ReadableSpan[], request: ReadableSpan): void {
  const producer = theSpan(spans, SpanKind.PRODUCER, "send certificate-events");
  const consumer = theSpan(spans, SpanKind.CONSUMER, "process certificate-events");
  expect(producer.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
  expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
  expect(consumer.attributes).toMatchObject({
    "faas.name": "onCertificateEvent",
    "messaging.message.id": producer.attributes["messaging.message.id"],
    "messaging.servicebus.message.delivery_count": 1,
  });
  for (const s of [producer, consumer]) expect(s.spanContext().traceId).toBe(request.spanContext().traceId);
}

describe("one trace across HTTP → queue → processor", () => {
  it("a request without trace context starts the trace its event and processing continue", async () => {
    const request = await register("trace-alice");
    expect(request.parentSpanContext).toBeUndefined();
    expect(request.attributes).toMatchObject({
      "http.route": "/api/certificates",
      "faas.name": "postCertificates",
      "http.response.status_code": 202,
    });
    expectOneChain(await processed(request.spanContext().traceId), request);
  });

  it("a caller's traceparent is continued: the server span is its child, in its trace", async () => {
    const request = await register("trace-bob", { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` });
    expect(request.spanContext().traceId).toBe(CALLER_TRACE);
    expect(request.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expectOneChain(await processed(CALLER_TRACE), request);
  });

  it("a forged traceparent does not stop the request: a new trace starts, and the chain holds", async () => {
    const request = await register("trace-carol", { traceparent: `00-${"0".repeat(32)}-${CALLER_SPAN}-01` });
    expect(request.parentSpanContext).toBeUndefined();
    expect(request.spanContext().traceId).not.toBe("0".repeat(32));
    expectOneChain(await processed(request.spanContext().traceId), request);
  });
});
