/**
 * The telemetry settings: where traces and metrics go, read with the other settings by `smimectl serve` and
 * alone by the Azure entry point, where an unrelated bad setting must not switch telemetry off.
 */
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  parseSettings,
  type TelemetrySettings,
  telemetrySettings,
} from "../../../shared/config.ts";

const CONNECTION =
  "InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint=https://x.test/";

describe("telemetry settings", () => {
  const cases: { name: string; env: Record<string, string>; expected: TelemetrySettings }[] = [
    { name: "nothing set: in memory", env: {}, expected: { exporter: "memory" } },
    {
      name: "left blank, as the Functions tooling writes it",
      env: { TELEMETRY_EXPORTER: "", APPLICATIONINSIGHTS_CONNECTION_STRING: " " },
      expected: { exporter: "memory" },
    },
    { name: "console", env: { TELEMETRY_EXPORTER: "console" }, expected: { exporter: "console" } },
    {
      name: "Application Insights",
      env: { APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION },
      expected: { exporter: "memory", appInsightsConnectionString: CONNECTION },
    },
  ];
  it.each(cases)("$name", ({ env, expected }) => {
    expect(parseSettings(env).telemetry).toEqual(expected);
    expect(telemetrySettings(env)).toEqual(expected);
  });

  const bad: { name: string; env: Record<string, string>; setting: string }[] = [
    { name: "an unknown exporter", env: { TELEMETRY_EXPORTER: "zipkin" }, setting: "TELEMETRY_EXPORTER" },
    {
      name: "a connection string that is none",
      env: { APPLICATIONINSIGHTS_CONNECTION_STRING: "11111111-2222" },
      setting: "APPLICATIONINSIGHTS_CONNECTION_STRING",
    },
  ];
  it.each(bad)("names $name", ({ env, setting }) => {
    for (const read of [() => parseSettings(env), () => telemetrySettings(env)]) {
      let error: unknown;
      try {
        read();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((i) => i.setting)).toEqual([setting]);
    }
  });

  it("are read alone despite another bad setting, which the full settings still refuse", () => {
    const env = { APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION, NOTIFY_CHANNEL: "pigeon" };
    expect(telemetrySettings(env).appInsightsConnectionString).toBe(CONNECTION);
    expect(() => parseSettings(env)).toThrow(ConfigError);
  });
});
