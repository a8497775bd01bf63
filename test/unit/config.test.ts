import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings } from "../../shared/config.ts";

const CWD = "/srv/app";

function issuesOf(env: Record<string, string>): { setting: string; message: string }[] {
  try {
    parseSettings(env, CWD);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("parseSettings defaults", () => {
  const s = parseSettings({}, CWD);

  const cases: ReadonlyArray<{ name: string; actual: unknown; expected: unknown }> = [
    {
      name: "no trust store path (local mode uses the demo CA)",
      actual: s.trustStorePath,
      expected: undefined,
    },
    { name: "private network refused", actual: s.fetchAllowPrivateNetwork, expected: false },
    { name: "thresholds 30,14,7,1", actual: s.expiryThresholdsDays, expected: [30, 14, 7, 1] },
    { name: "Company Portal notices", actual: s.notifyChannel, expected: "companyPortal" },
    { name: "not a dry run", actual: s.dryRun, expected: false },
    { name: "public Graph", actual: s.graph.baseUrl, expected: "https://graph.microsoft.com" },
    {
      name: "no Service Bus (local mode uses the in-process bus)",
      actual: s.serviceBus,
      expected: undefined,
    },
    { name: "no Tables (local mode starts Azurite)", actual: s.tables, expected: undefined },
    { name: "table prefix", actual: s.tablePrefix, expected: "smime" },
    { name: "data dir under the working directory", actual: s.localDataDir, expected: "/srv/app/.data" },
    { name: "info logs", actual: s.logLevel, expected: "info" },
    { name: "no injected faults", actual: s.faultRate, expected: 0 },
  ];
  it.each(cases)("$name", ({ actual, expected }) => expect(actual).toEqual(expected));

  it("treats blank strings (as local.settings.json writes them) as unset", () => {
    const blank = parseSettings({ TRUST_STORE_PATH: "", MAIL_SENDER: " ", DRY_RUN: "", LDAP_URL: "" }, CWD);
    expect(blank.trustStorePath).toBeUndefined();
    expect(blank.mailSender).toBeUndefined();
    expect(blank.dryRun).toBe(false);
    expect(blank.ldapUrl).toBeUndefined();
  });
});

describe("parseSettings values", () => {
  const cases: ReadonlyArray<{
    name: string;
    env: Record<string, string>;
    pick: (s: ReturnType<typeof parseSettings>) => unknown;
    expected: unknown;
  }> = [
    {
      name: "thresholds sorted largest first, repeats dropped",
      env: { EXPIRY_THRESHOLDS_DAYS: "7, 30,7,1" },
      pick: (s) => s.expiryThresholdsDays,
      expected: [30, 7, 1],
    },
    { name: "flag TRUE", env: { DRY_RUN: "TRUE" }, pick: (s) => s.dryRun, expected: true },
    {
      name: "flag 1",
      env: { FETCH_ALLOW_PRIVATE_NETWORK: "1" },
      pick: (s) => s.fetchAllowPrivateNetwork,
      expected: true,
    },
    {
      name: "absolute data dir kept",
      env: { LOCAL_DATA_DIR: "/var/smime" },
      pick: (s) => s.localDataDir,
      expected: "/var/smime",
    },
    {
      name: "relative data dir resolved",
      env: { LOCAL_DATA_DIR: "tmp/d" },
      pick: (s) => s.localDataDir,
      expected: "/srv/app/tmp/d",
    },
    { name: "fault rate", env: { SMIME_FAULT_RATE: "0.1" }, pick: (s) => s.faultRate, expected: 0.1 },
    {
      name: "Service Bus by connection string",
      env: {
        ServiceBusConnection:
          "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=x",
      },
      pick: (s) => s.serviceBus?.kind,
      expected: "connectionString",
    },
    {
      name: "Service Bus by managed identity",
      env: {
        ServiceBusConnection__fullyQualifiedNamespace: "ns.servicebus.windows.net",
        ServiceBusConnection__clientId: "cid",
      },
      pick: (s) => s.serviceBus,
      expected: { kind: "identity", fullyQualifiedNamespace: "ns.servicebus.windows.net", clientId: "cid" },
    },
    {
      name: "Tables by connection string",
      env: { AzureWebJobsStorage: "UseDevelopmentStorage=true" },
      pick: (s) => s.tables,
      expected: { kind: "connectionString", connectionString: "UseDevelopmentStorage=true" },
    },
    {
      name: "Tables by account name and managed identity",
      env: { AzureWebJobsStorage__accountName: "smimest01" },
      pick: (s) => s.tables,
      expected: { kind: "identity", endpoint: "https://smimest01.table.core.windows.net" },
    },
    {
      name: "Tables endpoint wins over the connection string",
      env: {
        AzureWebJobsStorage: "UseDevelopmentStorage=true",
        AzureWebJobsStorage__tableServiceUri: "https://x.table.core.windows.net",
      },
      pick: (s) => s.tables?.kind,
      expected: "identity",
    },
    {
      name: "email channel with a sender",
      env: { NOTIFY_CHANNEL: "both", MAIL_SENDER: "it@contoso.com" },
      pick: (s) => s.mailSender,
      expected: "it@contoso.com",
    },
  ];
  it.each(cases)("$name", ({ env, pick, expected }) =>
    expect(pick(parseSettings(env, CWD))).toEqual(expected),
  );
});

describe("parseSettings refuses bad settings, naming each", () => {
  const cases: ReadonlyArray<{ name: string; env: Record<string, string>; settings: string[] }> = [
    { name: "flag not a boolean", env: { DRY_RUN: "maybe" }, settings: ["DRY_RUN"] },
    {
      name: "thresholds not numbers",
      env: { EXPIRY_THRESHOLDS_DAYS: "30,two" },
      settings: ["EXPIRY_THRESHOLDS_DAYS"],
    },
    { name: "threshold zero", env: { EXPIRY_THRESHOLDS_DAYS: "30,0" }, settings: ["EXPIRY_THRESHOLDS_DAYS"] },
    { name: "unknown channel", env: { NOTIFY_CHANNEL: "sms" }, settings: ["NOTIFY_CHANNEL"] },
    { name: "sender not an address", env: { MAIL_SENDER: "it-at-contoso" }, settings: ["MAIL_SENDER"] },
    { name: "email channel without a sender", env: { NOTIFY_CHANNEL: "email" }, settings: ["MAIL_SENDER"] },
    { name: "Graph URL not http(s)", env: { GRAPH_BASE_URL: "ftp://graph" }, settings: ["GRAPH_BASE_URL"] },
    { name: "LDAP URL not ldap", env: { LDAP_URL: "http://dc1" }, settings: ["LDAP_URL"] },
    { name: "short client state", env: { GRAPH_CLIENT_STATE: "abc" }, settings: ["GRAPH_CLIENT_STATE"] },
    {
      name: "Service Bus string not a connection string",
      env: { ServiceBusConnection: "hello" },
      settings: ["ServiceBusConnection"],
    },
    {
      name: "namespace not a host",
      env: { ServiceBusConnection__fullyQualifiedNamespace: "not a host" },
      settings: ["ServiceBusConnection__fullyQualifiedNamespace"],
    },
    {
      name: "both Service Bus connections",
      env: {
        ServiceBusConnection: "Endpoint=sb://a/",
        ServiceBusConnection__fullyQualifiedNamespace: "a.servicebus.windows.net",
      },
      settings: ["ServiceBusConnection"],
    },
    {
      name: "account name with upper case",
      env: { AzureWebJobsStorage__accountName: "SmimeSt" },
      settings: ["AzureWebJobsStorage__accountName"],
    },
    { name: "log level", env: { LOG_LEVEL: "chatty" }, settings: ["LOG_LEVEL"] },
    { name: "fault rate above 1", env: { SMIME_FAULT_RATE: "1.5" }, settings: ["SMIME_FAULT_RATE"] },
    { name: "fault rate not a number", env: { SMIME_FAULT_RATE: "lots" }, settings: ["SMIME_FAULT_RATE"] },
    {
      name: "several at once, each named",
      env: { DRY_RUN: "perhaps", NOTIFY_CHANNEL: "pigeon", EXPIRY_THRESHOLDS_DAYS: "-1" },
      settings: ["DRY_RUN", "EXPIRY_THRESHOLDS_DAYS", "NOTIFY_CHANNEL"],
    },
  ];
  it.each(cases)("$name", ({ env, settings }) => {
    const issues = issuesOf(env);
    expect(issues.map((i) => i.setting).sort()).toEqual(settings);
    for (const i of issues) expect(i.message.length).toBeGreaterThan(0);
  });

  it("puts every bad setting's name in the error message", () => {
    expect(() => parseSettings({ DRY_RUN: "x", LOG_LEVEL: "y" }, CWD)).toThrow(/DRY_RUN: .*\n.*LOG_LEVEL: /s);
  });
});

describe("parsed settings are frozen", () => {
  const s = parseSettings({ EXPIRY_THRESHOLDS_DAYS: "14,7" }, CWD);
  const cases: ReadonlyArray<{ name: string; mutate: () => void }> = [
    { name: "top level", mutate: () => Object.assign(s, { dryRun: true }) },
    { name: "nested object", mutate: () => Object.assign(s.graph, { baseUrl: "http://evil" }) },
    { name: "array", mutate: () => (s.expiryThresholdsDays as number[]).push(1) },
  ];
  it.each(cases)("$name", ({ mutate }) => {
    expect(mutate).toThrow(TypeError);
    expect(s.dryRun).toBe(false);
    expect(s.expiryThresholdsDays).toEqual([14, 7]);
  });
});

describe("local.settings.example.json", () => {
  const example = JSON.parse(
    readFileSync(new URL("../../local.settings.example.json", import.meta.url), "utf8"),
  ) as { Values: Record<string, string> };

  it("parses as it is", () => {
    expect(() => parseSettings(example.Values, CWD)).not.toThrow();
  });

  const designNames = [
    "TRUST_STORE_PATH",
    "FETCH_ALLOW_PRIVATE_NETWORK",
    "EXPIRY_THRESHOLDS_DAYS",
    "NOTIFY_CHANNEL",
    "MAIL_SENDER",
    "DRY_RUN",
    "GRAPH_TENANT_ID",
    "GRAPH_CLIENT_ID",
    "GRAPH_BASE_URL",
    "GRAPH_CLIENT_STATE",
    "LDAP_URL",
    "AUTH_TENANT_ID",
    "AUTH_AUDIENCE",
  ];
  it.each(designNames)("lists %s", (name) => expect(Object.keys(example.Values)).toContain(name));
});
