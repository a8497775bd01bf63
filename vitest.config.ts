import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Starts one Azurite Table service for the run (integration tests of the stores use it).
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    // The JSON summary lets CI print a plain "N passed, N failed" line.
    reporters: ["default", "json"],
    outputFile: { json: "reports/vitest.json" },
    hookTimeout: 60_000,
  },
});
