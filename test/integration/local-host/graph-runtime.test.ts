/**
 * The Graph side of the composition root and the local host: the webhook settings each origin gives, the
 * data directory's clientState, the local runtime's gateway talking to a demo tenant on loopback with the
 * same adapter code as Azure, the anonymous graph/* routes in the route table, and which timers the registry
 * says need a tenant or a directory.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { functionRegistry } from "../../../functions/registry.ts";
import { createInProcessBus, type InProcessBus } from "../../../shared/adapters/in-process-bus/bus.ts";
import { silentLogger } from "../../../shared/adapters/logger.ts";
import { parseSettings } from "../../../shared/config.ts";
import { openDemoCa } from "../../../shared/local/demo-ca.ts";
import { type DemoTenant, startDemoTenant } from "../../../shared/local/demo-tenant/index.ts";
import { CLIENT_STATE_FILE, loadOrCreateClientState } from "../../../shared/local/graph-client-state.ts";
import { localFunctions } from "../../../shared/local/local-functions.ts";
import { createLocalRuntime, type Runtime, webhookSettings } from "../../../shared/runtime.ts";
import type { GraphDeps } from "../../../shared/usecases/deps.ts";

const NOW = new Date("2026-06-01T00:00:00Z");

describe("webhookSettings", () => {
  const cases = [
    {
      name: "an origin: both URLs under its /api, the clientState kept",
      origin: "http://127.0.0.1:7071",
      clientState: "s3cret-client-state",
      expected: {
        notificationUrl: "http://127.0.0.1:7071/api/graph/notifications",
        lifecycleNotificationUrl: "http://127.0.0.1:7071/api/graph/lifecycle",
        clientState: "s3cret-client-state",
      },
    },
    {
      name: "a trailing slash is not doubled",
      origin: "https://smime.contoso.com/",
      clientState: "s3cret-client-state",
      expected: {
        notificationUrl: "https://smime.contoso.com/api/graph/notifications",
        lifecycleNotificationUrl: "https://smime.contoso.com/api/graph/lifecycle",
        clientState: "s3cret-client-state",
      },
    },
    {
      name: "no origin: no clientState, so no subscription is kept (Graph could not reach us)",
      origin: undefined,
      clientState: "s3cret-client-state",
      expected: { notificationUrl: "", lifecycleNotificationUrl: "", clientState: undefined },
    },
    {
      name: "no clientState: none, so no notification is trusted",
      origin: "http://127.0.0.1:7071",
      clientState: undefined,
      expected: {
        notificationUrl: "http://127.0.0.1:7071/api/graph/notifications",
        lifecycleNotificationUrl: "http://127.0.0.1:7071/api/graph/lifecycle",
        clientState: undefined,
      },
    },
  ] as const;
  it.each(cases)("$name", ({ origin, clientState, expected }) => {
    expect(webhookSettings(origin, clientState)).toEqual(expected);
  });
});

describe("the data directory's clientState", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "client-state-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("is made once, random and long enough, and read back the same", async () => {
    const [a, b] = await Promise.all([loadOrCreateClientState(dir), loadOrCreateClientState(dir)]);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b).toBe(a);
    expect(await loadOrCreateClientState(dir)).toBe(a);
    expect(await loadOrCreateClientState(await mkdtemp(join(tmpdir(), "client-state-")))).not.toBe(a);
  });

  it("names the file when it holds something else", async () => {
    const other = await mkdtemp(join(tmpdir(), "client-state-"));
    await loadOrCreateClientState(other);
    await writeFile(join(other, CLIENT_STATE_FILE), "not a secret!\n");
    await expect(loadOrCreateClientState(other)).rejects.toThrow(CLIENT_STATE_FILE);
    await rm(other, { recursive: true, force: true });
  });
});

describe("the local runtime against a demo tenant", () => {
  let dir: string;
  let tenant: DemoTenant;
  let bus: InProcessBus;
  let runtime: Runtime;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "graph-runtime-"));
    tenant = await startDemoTenant({ dataDir: dir, scale: { users: 6, certificates: 12 }, now: NOW });
    const ca = await openDemoCa({ dir: join(dir, "demo-ca"), baseUrl: "http://127.0.0.1:7071", now: NOW });
    bus = createInProcessBus({ file: ":memory:" });
    runtime = createLocalRuntime({
      tablesConnectionString: inject("tablesConnectionString"),
      bus,
      trustStorePath: ca.trustStorePath,
      graphBaseUrl: tenant.baseUrl,
      webhookBaseUrl: "http://127.0.0.1:7071",
      settings: parseSettings(
        { TABLE_PREFIX: "graphruntime", GRAPH_CLIENT_STATE: "local-client-state" },
        dir,
      ),
      logger: silentLogger,
      clock: { now: () => NOW },
    });
  });
  afterAll(async () => {
    await runtime.close();
    await bus.close();
    await tenant.close();
    await rm(dir, { recursive: true, force: true });
  });

  const graphDeps = () => runtime.deps as Runtime["deps"] & GraphDeps;

  it("reads the tenant's users through the Graph gateway, every page to the deltaLink", async () => {
    let users = 0;
    let deltaLink: string | undefined;
    for await (const page of graphDeps().graph.usersDelta()) {
      users += page.items.length;
      deltaLink = page.deltaLink ?? deltaLink;
    }
    expect(users).toBe(6);
    expect(deltaLink).toMatch(new RegExp(`^${tenant.baseUrl}/`));
  });

  it("tells Graph to post to the host's own webhook, with the configured clientState", () => {
    expect(graphDeps().webhook).toEqual({
      notificationUrl: "http://127.0.0.1:7071/api/graph/notifications",
      lifecycleNotificationUrl: "http://127.0.0.1:7071/api/graph/lifecycle",
      clientState: "local-client-state",
    });
    expect(graphDeps().directory).toBeUndefined();
  });

  it("routes graph/notifications and graph/lifecycle anonymously", () => {
    const routes = localFunctions(runtime.deps, silentLogger).routes;
    const graph = routes.filter((r) => r.path.startsWith("graph/"));
    expect(graph.map((r) => [r.name, r.method, r.path, r.access])).toEqual([
      ["graphNotifications", "POST", "graph/notifications", "anonymous"],
      ["graphLifecycle", "POST", "graph/lifecycle", "anonymous"],
    ]);
  });
});

describe("what the registry's timers need", () => {
  it("names the timers that need a Graph tenant and the one that needs a directory", () => {
    const needs = (r: "graph" | "ldap") =>
      functionRegistry.filter((e) => e.trigger === "timer" && e.requires?.includes(r)).map((e) => e.name);
    expect(needs("graph")).toEqual(["syncUsers", "renewSubscription", "syncIntune", "auditAppConfig"]);
    expect(needs("ldap")).toEqual(["checkDirectory"]);
  });

  it("puts the users sync before the Intune sync (the local host's runs at start go in this order)", () => {
    const names = functionRegistry.map((e) => e.name);
    expect(names.indexOf("syncUsers")).toBeLessThan(names.indexOf("syncIntune"));
  });
});
