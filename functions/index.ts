/**
 * The Azure Functions entry point (package.json `main`: dist/functions/index.js): registers every
 * function of functions/registry.ts with the Functions host. Nothing connects anywhere here; each
 * function's deps come from the runtime, built on its first invocation.
 */
import { app } from "@azure/functions";
import { registerFunctions } from "./registry.ts";

registerFunctions(app);
