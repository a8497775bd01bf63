import { InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { receivedMessage } from "../../../functions/invocation.ts";
import { type FunctionApp, functionRegistry, registerFunctions } from "../../../functions/registry.ts";
import { Queues } from "../../../shared/contracts/queues.ts";
import type { ApiDeps } from "../../../shared/http/routes/index.ts";
import { apiRoutes } from "../../../shared/http/routes/index.ts";
import { parseSchedule } from "../../../shared/local/ncrontab.ts";

describe("the function registry", () => {
  it("names each function once", () => {
    const names = functionRegistry.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(["onCertificateEvent", "scanExpiry", "checkCrls", "revalidateOnTrustChange"]),
    );
  });

  it("consumes each queue through the ServiceBusConnection setting, certificate-events with sessions", () => {
    const queues = functionRegistry.filter((f) => f.trigger === "queue");
    expect(queues.map((q) => [q.name, q.queue, q.options])).toEqual([
      [
        "onCertificateEvent",
        "certificateEvents",
        {
          connection: "ServiceBusConnection",
          queueName: Queues.certificateEvents.name,
          isSessionsEnabled: true,
        },
      ],
      ["onNotification", "notifications", expect.objectContaining({ queueName: Queues.notifications.name })],
      ["onReprovision", "reprovision", expect.objectContaining({ queueName: Queues.reprovision.name })],
    ]);
    for (const q of queues.slice(1)) expect(q.options).toMatchObject({ connection: "ServiceBusConnection" });
  });

  it.each(functionRegistry.filter((f) => f.trigger === "timer"))(
    "$name has a valid six-field schedule",
    (f) => {
      expect(f.options.schedule.split(" ")).toHaveLength(6);
      expect(() => parseSchedule(f.options.schedule)).not.toThrow();
    },
  );

  it("registers one anonymous HTTP function per API route path, all methods (the router answers 405)", () => {
    const http = functionRegistry.filter((f) => f.trigger === "http");
    // Every use case present, as the hosts give them: all routes are served.
    const present = new Proxy({}, { get: () => () => undefined }) as ApiDeps;
    const paths = apiRoutes(present).map((r) => r.path);
    expect(http.map((f) => f.options.route).sort()).toEqual([...new Set(paths)].sort());
    for (const f of http)
      expect(f.options).toMatchObject({
        authLevel: "anonymous",
        methods: expect.arrayContaining(["GET", "POST"]),
      });
  });

  it("hands every entry to the Functions app with its handler", () => {
    const calls: [string, string, unknown][] = [];
    const app: FunctionApp = {
      http: (name, o) => void calls.push(["http", name, o.handler]),
      timer: (name, o) => void calls.push(["timer", name, o.handler]),
      serviceBusQueue: (name, o) => void calls.push(["queue", name, o.handler]),
    };
    registerFunctions(app);
    expect(calls).toEqual(functionRegistry.map((f) => [f.trigger, f.name, f.handler]));
  });
});

describe("receivedMessage", () => {
  it("rebuilds the message from the Service Bus trigger metadata", () => {
    const context = new InvocationContext({
      triggerMetadata: {
        messageId: "m-1",
        sessionId: "user-1",
        deliveryCount: 3,
        enqueuedTimeUtc: "2026-06-01T00:00:00.000Z",
        applicationProperties: { traceparent: "00-abc-def-01", nested: { no: true } },
      },
    });
    expect(receivedMessage({ hello: 1 }, context)).toEqual({
      messageId: "m-1",
      sessionId: "user-1",
      deliveryCount: 3,
      enqueuedAt: new Date("2026-06-01T00:00:00.000Z"),
      body: { hello: 1 },
      applicationProperties: { traceparent: "00-abc-def-01" },
    });
  });

  it("counts a message without metadata as a first delivery", () => {
    expect(receivedMessage("x", new InvocationContext({}))).toMatchObject({
      messageId: "",
      deliveryCount: 1,
    });
  });
});
