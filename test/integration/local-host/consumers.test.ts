/**
 * Queue functions in the local host on the real in-process bus (in memory, short back-off): what a handler
 * is given, how injected faults become redeliveries, and that stop waits for work in flight.
 */
import type { InvocationContext } from "@azure/functions";
import { afterEach, describe, expect, it } from "vitest";
import { createInProcessBus, type InProcessBus } from "../../../shared/adapters/in-process-bus/bus.ts";
import { createJsonLogger } from "../../../shared/adapters/logger.ts";
import { startConsumers } from "../../../shared/local/consumers.ts";
import { certificateEvent } from "../../support/bus-events.ts";

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

let bus: InProcessBus | undefined;
afterEach(async () => {
  await bus?.close();
  bus = undefined;
});

function openBus(): InProcessBus {
  bus = createInProcessBus({ file: ":memory:", backoff: { baseMs: 1, maxMs: 5 }, pollIntervalMs: 5 });
  return bus;
}

function logLines() {
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLogger({ level: "debug", write: (line) => void lines.push(JSON.parse(line)) });
  return { lines, logger };
}

/** Resolves once `predicate` holds, checking after each handler call. */
function until(predicate: () => boolean): { check: () => void; done: Promise<void> } {
  let resolve: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolve = r));
  return { check: () => predicate() && resolve(), done };
}

describe("startConsumers", () => {
  it("calls the handler with the body and a Functions context carrying the Service Bus metadata", async () => {
    const b = openBus();
    const { lines, logger } = logLines();
    const seen: { body: unknown; context: InvocationContext }[] = [];
    const wait = until(() => seen.length === 1);
    const consumers = startConsumers(
      [
        {
          name: "onCertificateEvent",
          queue: "certificateEvents",
          concurrency: 2,
          handler: async (body, context) => {
            context.log("handled", "one");
            seen.push({ body, context });
            wait.check();
          },
        },
      ],
      { bus: b, logger, faultRate: 0 },
    );
    const event = certificateEvent("consumers", "alice", 1, TRACEPARENT);
    await b.publish("certificateEvents", event);
    await wait.done;
    await consumers.stop();
    const [call] = seen;
    expect(call?.body).toEqual(event);
    expect(call?.context.functionName).toBe("onCertificateEvent");
    expect(call?.context.invocationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(call?.context.traceContext?.traceParent).toBe(TRACEPARENT);
    expect(call?.context.triggerMetadata).toMatchObject({
      messageId: event.id,
      deliveryCount: 1,
      sessionId: event.userid,
    });
    expect(lines).toContainEqual(
      expect.objectContaining({
        message: "handled one",
        functionName: "onCertificateEvent",
        invocationId: call?.context.invocationId,
        correlationId: event.id,
      }),
    );
  });

  const faultCases: ReadonlyArray<{
    name: string;
    draws: number[];
    handlerRuns: number;
    deliveries: number[];
  }> = [
    // Each invocation draws once (fault or not) and, when faulting, once more (before or after).
    { name: "no fault: one delivery", draws: [0.9], handlerRuns: 1, deliveries: [1] },
    {
      name: "fault before: the handler runs on the second delivery only",
      draws: [0.0, 0.1, 0.9],
      handlerRuns: 1,
      deliveries: [2],
    },
    {
      name: "fault after: the handler ran twice, the message was delivered twice",
      draws: [0.0, 0.9, 0.9],
      handlerRuns: 2,
      deliveries: [1, 2],
    },
  ];
  it.each(faultCases)("injected faults: $name", async ({ draws, handlerRuns, deliveries }) => {
    const b = openBus();
    const { lines, logger } = logLines();
    const runs: number[] = [];
    const random = () => draws.shift() ?? 0.9;
    const consumers = startConsumers(
      [
        {
          name: "onCertificateEvent",
          queue: "certificateEvents",
          concurrency: 1,
          handler: async (_body, context) => {
            runs.push(Number(context.triggerMetadata?.deliveryCount));
          },
        },
      ],
      { bus: b, logger, faultRate: 0.5, random },
    );
    await b.publish("certificateEvents", certificateEvent("faults", "bob", 1));
    // Completed once the queue is empty and nothing is in flight.
    for (;;) {
      const depth = await b.depth("certificateEvents");
      if (depth.active === 0 && depth.scheduled === 0 && runs.length >= handlerRuns) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await consumers.stop();
    expect(runs).toEqual(deliveries);
    expect(lines.filter((l) => l.message === "injected fault").length).toBe(deliveries.at(-1)! - 1);
    expect((await b.depth("certificateEvents")).deadLetter).toBe(0);
  });

  it("stop waits for the invocation in flight and takes nothing more", async () => {
    const b = openBus();
    const { logger } = logLines();
    let release: () => void = () => undefined;
    let started = 0;
    let finished = 0;
    const first = until(() => started === 1);
    const consumers = startConsumers(
      [
        {
          name: "onCertificateEvent",
          queue: "certificateEvents",
          concurrency: 1,
          handler: async () => {
            started++;
            first.check();
            await new Promise<void>((r) => (release = r));
            finished++;
          },
        },
      ],
      { bus: b, logger, faultRate: 0 },
    );
    await b.publish("certificateEvents", certificateEvent("stop", "carol", 1));
    await first.done;
    const stopping = consumers.stop();
    await b.publish("certificateEvents", certificateEvent("stop", "dave", 2));
    release();
    await stopping;
    expect({ started, finished }).toEqual({ started: 1, finished: 1 });
    expect((await b.depth("certificateEvents")).active).toBe(1);
  });
});
