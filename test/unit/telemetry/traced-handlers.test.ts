/**
 * The spans the registry wraps queue and timer functions in, and the Azure HTTP door's: which trace each
 * continues, given what the message or the Functions host says. A missing, forged or garbled trace context
 * never fails the invocation; it starts a new trace.
 */
import type { HttpRequest, InvocationContext } from "@azure/functions";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { beforeAll, describe, expect, it } from "vitest";
import { tracedQueueHandler, tracedTimerHandler } from "../../../functions/traced.ts";
import { silentLogger } from "../../../shared/adapters/logger.ts";
import { azureHttpHandler } from "../../../shared/http/azure-adapter.ts";
import { createRouter } from "../../../shared/http/router.ts";
import { createInvocationContext } from "../../../shared/local/invocation.ts";
import type { Telemetry } from "../../../shared/telemetry/start.ts";
import { traceparentOf } from "../../../shared/telemetry/trace-context.ts";
import { memoryTelemetry } from "../../support/telemetry.ts";

const MESSAGE_TRACE = "0af7651916cd43dd8448eb211c80319c";
const MESSAGE_SPAN = "b7ad6b7169203331";
const MESSAGE = `00-${MESSAGE_TRACE}-${MESSAGE_SPAN}-01`;
const HOST_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const HOST_SPAN = "00f067aa0ba902b7";
const HOST = `00-${HOST_TRACE}-${HOST_SPAN}-01`;

let telemetry: Telemetry;
beforeAll(async () => {
  telemetry = await memoryTelemetry();
});

/** The one span that ended while `run` ran. */
async function spanOf(run: () => Promise<unknown>): Promise<ReadableSpan> {
  const before = telemetry.spans().length;
  await run();
  const ended = telemetry.spans().slice(before);
  expect(ended).toHaveLength(1);
  return ended[0] as ReadableSpan;
}

function queueContext(properties: Record<string, unknown> | undefined, host?: string): InvocationContext {
  const context = createInvocationContext({
    functionName: "onNotification",
    logger: silentLogger,
    triggerMetadata: {
      messageId: "m-1",
      deliveryCount: 3,
      ...(properties && { applicationProperties: properties }),
    },
    ...(host && { traceParent: host }),
  });
  if (!host) delete (context.traceContext as { traceParent?: string }).traceParent;
  return context;
}

describe("a queue function's span", () => {
  const cases: {
    name: string;
    properties?: Record<string, unknown>;
    host?: string;
    parent: { trace: string; span: string } | "new trace";
  }[] = [
    {
      name: "continues the message's traceparent",
      properties: { traceparent: MESSAGE },
      host: HOST,
      parent: { trace: MESSAGE_TRACE, span: MESSAGE_SPAN },
    },
    {
      name: "continues a Diagnostic-Id (what other Azure SDK senders write)",
      properties: { "Diagnostic-Id": MESSAGE },
      parent: { trace: MESSAGE_TRACE, span: MESSAGE_SPAN },
    },
    {
      name: "continues the invocation's trace when the message carries none",
      properties: { other: "x" },
      host: HOST,
      parent: { trace: HOST_TRACE, span: HOST_SPAN },
    },
    {
      name: "starts a new trace on a forged traceparent",
      properties: { traceparent: `00-${"0".repeat(32)}-${MESSAGE_SPAN}-01` },
      host: HOST,
      parent: "new trace",
    },
    {
      name: "starts a new trace on a garbled one",
      properties: { traceparent: "not-a-trace" },
      parent: "new trace",
    },
    { name: "starts a new trace on a number", properties: { traceparent: 42 }, parent: "new trace" },
    { name: "starts a new trace when nothing says one", parent: "new trace" },
  ];

  it.each(cases)("$name", async ({ properties, host, parent }) => {
    let active: string | undefined;
    const handler = tracedQueueHandler("onNotification", "notifications", async () => {
      active = traceparentOf();
      return "done";
    });
    let result: unknown;
    const span = await spanOf(async () => {
      result = await handler({ body: true }, queueContext(properties, host));
    });
    expect(result).toBe("done");
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.name).toBe("process notifications");
    expect(span.attributes).toMatchObject({
      "faas.name": "onNotification",
      "messaging.message.id": "m-1",
      "messaging.servicebus.message.delivery_count": 3,
    });
    if (parent === "new trace") {
      expect(span.parentSpanContext).toBeUndefined();
      expect([MESSAGE_TRACE, HOST_TRACE]).not.toContain(span.spanContext().traceId);
    } else {
      expect(span.spanContext().traceId).toBe(parent.trace);
      expect(span.parentSpanContext?.spanId).toBe(parent.span);
    }
    // What the handler publishes continues the consumer span.
    expect(active).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
  });

  it("is marked failed by the handler's error, which still reaches the host (to retry or dead-letter)", async () => {
    const handler = tracedQueueHandler("onNotification", "notifications", async () => {
      throw new Error("Graph is down");
    });
    let caught: unknown;
    const span = await spanOf(async () => {
      try {
        await handler({}, queueContext({ traceparent: MESSAGE }));
      } catch (e) {
        caught = e;
      }
    });
    expect((caught as Error).message).toBe("Graph is down");
    expect(span.status).toMatchObject({ code: SpanStatusCode.ERROR, message: "Graph is down" });
    expect(span.events.map((e) => e.name)).toContain("exception");
  });
});

describe("a timer function's span", () => {
  it("continues the invocation's trace, one per run", async () => {
    const handler = tracedTimerHandler("scanExpiry", async () => undefined);
    const timer = {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: "", next: "", lastUpdated: "" },
    };
    const context = createInvocationContext({
      functionName: "scanExpiry",
      logger: silentLogger,
      traceParent: HOST,
    });
    const span = await spanOf(async () => handler(timer, context));
    expect(span.name).toBe("timer scanExpiry");
    expect(span.spanContext().traceId).toBe(HOST_TRACE);
    expect(span.parentSpanContext?.spanId).toBe(HOST_SPAN);
  });
});

describe("the Azure HTTP door", () => {
  it("makes the router's server span a child of the Functions invocation", async () => {
    const router = createRouter([], {
      verifier: { verify: async () => Promise.reject(new Error("unused")) },
      logger: silentLogger,
    });
    const handler = azureHttpHandler(() => router);
    const request = {
      method: "GET",
      url: "https://smime.example.test/api/nowhere",
      headers: new Headers({ traceparent: MESSAGE }),
      body: null,
    } as unknown as HttpRequest;
    const context = createInvocationContext({
      functionName: "getStatus",
      logger: silentLogger,
      traceParent: HOST,
    });
    let status: number | undefined;
    const span = await spanOf(async () => {
      status = (await handler(request, context)).status;
    });
    expect(status).toBe(404);
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.attributes["http.response.status_code"]).toBe(404);
    expect(span.spanContext().traceId).toBe(HOST_TRACE);
    expect(span.parentSpanContext?.spanId).toBe(HOST_SPAN);
  });
});
