/**
 * One Azurite Table service for the whole test run. Tests read its connection string with
 * `inject("tablesConnectionString")` (or, in processes they spawn, AZURE_TABLES_TEST_CONNECTION_STRING)
 * and give each file its own `tablePrefix`, so files running in parallel never see each other's rows.
 */
import type { TestProject } from "vitest/node";
import { startAzurite } from "./support/azurite.ts";

declare module "vitest" {
  export interface ProvidedContext {
    tablesConnectionString: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite({ inMemory: true });
  project.provide("tablesConnectionString", azurite.connectionString);
  process.env["AZURE_TABLES_TEST_CONNECTION_STRING"] = azurite.connectionString;
  return () => azurite.stop();
}
