/**
 * The Azure Functions entry point (package.json `main`: dist/functions/index.js): registers every
 * function of functions/registry.ts with the Functions host. Nothing connects anywhere here; each
 * function's deps come from the runtime, built on its first invocation, with Service Bus as its bus.
 * Telemetry starts here, before the first invocation (shared/telemetry/start.ts).
 */
import { app } from "@azure/functions";
import { createServiceBusBusForSettings } from "../shared/adapters/service-bus-factory.ts";
import { telemetrySettings } from "../shared/config.ts";
import { runtime, useAzureBus } from "../shared/runtime.ts";
import { startTelemetry } from "../shared/telemetry/start.ts";
import { registerFunctions } from "./registry.ts";

useAzureBus(createServiceBusBusForSettings);
registerFunctions(app);
// Application Insights when the platform sets its connection string. A bad telemetry setting is said here
// and leaves the functions running untraced: telemetry must never be the reason nothing runs.
try {
  await startTelemetry(telemetrySettings(), () => runtime().deps.queueStats);
} catch (error) {
  console.error("telemetry not started:", error instanceof Error ? error.message : error);
}
