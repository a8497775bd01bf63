/**
 * The Azure Functions entry point (package.json `main`: dist/functions/index.js): registers every
 * function of functions/registry.ts with the Functions host. Nothing connects anywhere here; each
 * function's deps come from the runtime, built on its first invocation, with Service Bus as its bus.
 */
import { app } from "@azure/functions";
import { createServiceBusBusForSettings } from "../shared/adapters/service-bus-factory.ts";
import { useAzureBus } from "../shared/runtime.ts";
import { registerFunctions } from "./registry.ts";

useAzureBus(createServiceBusBusForSettings);
registerFunctions(app);
