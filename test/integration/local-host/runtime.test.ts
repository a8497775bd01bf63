import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { functionRegistry } from "../../../functions/registry.ts";
import { createInProcessBus, type InProcessBus } from "../../../shared/adapters/in-process-bus/bus.ts";
import { silentLogger } from "../../../shared/adapters/logger.ts";
import { ConfigError, parseSettings } from "../../../shared/config.ts";
import { type DemoCa, openDemoCa } from "../../../shared/local/demo-ca.ts";
import { localFunctions } from "../../../shared/local/local-functions.ts";
import { parseSchedule } from "../../../shared/local/ncrontab.ts";
import { parseCertificate } from "../../../shared/pki/certificate.ts";
import {
  createAzureRuntime,
  createLocalRuntime,
  installRuntime,
  type Runtime,
  runtime,
  uninstallRuntime,
} from "../../../shared/runtime.ts";

const NOW = new Date("2026-06-01T00:00:00Z");
const DAY = 86_400_000;
const clock = { now: () => NOW };

let dir: string;
let ca: DemoCa;
let bus: InProcessBus;
let local: Runtime;
let trustPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "runtime-"));
  ca = await openDemoCa({ dir: join(dir, "demo-ca"), baseUrl: "http://127.0.0.1:7071", now: NOW });
  // A copy, so the test can change the trust store without touching the CA's own file.
  trustPath = join(dir, "trust.pem");
  await writeFile(trustPath, await readFile(ca.trustStorePath));
  bus = createInProcessBus({ file: ":memory:" });
  local = createLocalRuntime({
    tablesConnectionString: inject("tablesConnectionString"),
    bus,
    trustStorePath: trustPath,
    localCrl: ca.crl,
    settings: parseSettings({ TABLE_PREFIX: "runtime" }, dir),
    logger: silentLogger,
    clock,
  });
});

afterAll(async () => {
  uninstallRuntime();
  await bus.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the local runtime", () => {
  it("validates a demo certificate with the demo CA's CRL answered in process", async () => {
    const leaf = await ca.issue({
      email: "alice@contoso.com",
      notBefore: NOW,
      notAfter: new Date(NOW.getTime() + 90 * DAY),
    });
    const engine = await local.deps.pki.engine();
    const result = await engine.validate(parseCertificate(leaf.der));
    expect(result.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(result.chain?.length).toBe(2);
  });

  const fetchCases: ReadonlyArray<{ name: string; url: () => string; ok: boolean; reason?: RegExp }> = [
    { name: "the demo CA's issuing CRL, in process", url: () => ca.crlUrls.issuing, ok: true },
    { name: "the demo CA's root CRL, in process", url: () => ca.crlUrls.root, ok: true },
    {
      name: "another loopback URL goes to the guarded fetcher, which refuses it",
      url: () => "http://127.0.0.1:9/x.crl",
      ok: false,
      reason: /127\.0\.0\.1/,
    },
  ];
  it.each(fetchCases)("fetchCrl: $name", async ({ url, ok, reason }) => {
    const r = await local.deps.pki.fetchCrl(url());
    expect(r.ok).toBe(ok);
    if (!r.ok && reason) expect(r.reason).toMatch(reason);
  });

  it("changes the trust store fingerprint exactly when the trust file changes", async () => {
    const first = await local.deps.pki.trustStoreFingerprint();
    expect(await local.deps.pki.trustStoreFingerprint()).toBe(first);
    await writeFile(trustPath, ca.rootPem);
    const second = await local.deps.pki.trustStoreFingerprint();
    expect(second).not.toBe(first);
    expect(second).toMatch(/^[0-9a-f]{64}$/);
  });

  it("stores and reads through the Table stores on Azurite", async () => {
    await local.deps.cursors.set("runtime-test", "v1", NOW);
    expect(await local.deps.cursors.get("runtime-test")).toMatchObject({ value: "v1" });
  });

  it("is what runtime() answers once installed", () => {
    installRuntime(local);
    expect(runtime()).toBe(local);
  });
});

describe("the Azure runtime", () => {
  const unusedBus = () => {
    throw new Error("the bus must not be built when settings are missing");
  };

  it("names every setting Azure cannot run without", () => {
    let error: unknown;
    try {
      createAzureRuntime(parseSettings({}, dir), unusedBus);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.setting)).toEqual([
      "ServiceBusConnection",
      "AzureWebJobsStorage",
      "TRUST_STORE_PATH",
    ]);
  });

  it("builds from settings without connecting anywhere, handing the bus its connection", () => {
    const seen: string[] = [];
    const azure = createAzureRuntime(
      parseSettings(
        {
          ServiceBusConnection__fullyQualifiedNamespace: "ns.servicebus.windows.net",
          AzureWebJobsStorage__accountName: "smimest01",
          TRUST_STORE_PATH: trustPath,
        },
        dir,
      ),
      (serviceBus) => {
        seen.push(serviceBus.kind === "identity" ? serviceBus.fullyQualifiedNamespace : "connection string");
        return { ...bus, close: async () => undefined };
      },
      clock,
    );
    expect(azure.mode).toBe("azure");
    expect(seen).toEqual(["ns.servicebus.windows.net"]);
    expect(azure.settings.trustStorePath).toBe(trustPath);
  });
});

describe("what the local host runs", () => {
  it("takes every entry of the function registry: queues and timers as they are, HTTP by route name", () => {
    const functions = localFunctions(local.deps, silentLogger);
    const http = functionRegistry.filter((e) => e.trigger === "http").map((e) => e.name);
    expect(functions.queues.map((q) => q.name)).toEqual(
      functionRegistry.filter((e) => e.trigger === "queue").map((e) => e.name),
    );
    expect(functions.timers.map((t) => t.name)).toEqual(
      functionRegistry.filter((e) => e.trigger === "timer").map((e) => e.name),
    );
    for (const timer of functions.timers) expect(() => parseSchedule(timer.schedule)).not.toThrow();
    expect(functions.routes.map((r) => r.name)).toEqual(expect.arrayContaining(http));
  });

  it("refuses to start with an HTTP function it has no route for", () => {
    const stray = {
      name: "getNothing",
      trigger: "http",
      options: { route: "nothing" },
      handler: async () => ({}),
    } as const;
    expect(() => localFunctions(local.deps, silentLogger, [...functionRegistry, stray])).toThrow(
      /getNothing/,
    );
  });
});
