/**
 * The local host (`smimectl serve`, `npm start`): every function of the pipeline in one process. HTTP on
 * 7071 like the Functions host, the timer functions on their schedules (and once at start), the queue
 * functions on the durable in-process bus, Table storage on an Azurite it starts and stops, a trust store
 * from TRUST_STORE_PATH or the demo CA, and the demo issuer for bearer tokens. Data lives under one
 * directory (`.data` or `--data DIR`), so a restart, even after `kill -9`, resumes unfinished work.
 *
 * Microsoft Graph: GRAPH_* settings name a real tenant; without them, `--demo` (what `npm start` runs)
 * starts the demo tenant on loopback with its ~50 users, certificates from the demo CA and Outlook policies,
 * and points the same Graph gateway at it. The Graph timers then find its users and certificates, its
 * subscription's validation handshake reaches this host's own `POST /api/graph/notifications`, and a changed
 * demo user arrives as a change notification. With neither, the Graph timers do not run (nothing to ask).
 *
 * Start order puts the HTTP port first (a port in use fails before anything else starts, and the demo CA
 * needs the real port for its CRL URLs). Stop order is the reverse of intake: HTTP, consumers and timers
 * stop taking work and finish what they hold, then the bus and Azurite close.
 */
import { join } from "node:path";
import { createInProcessBus } from "../adapters/in-process-bus/bus.ts";
import { createJsonLogger, type JsonLogger } from "../adapters/logger.ts";
import { ConfigError, settings as currentSettings, overrideSettings, type Settings } from "../config.ts";
import { loadDemoIssuer } from "../http/demo-issuer.ts";
import { createRouter } from "../http/router.ts";
import type { Clock } from "../ports.ts";
import { createLocalRuntime, installRuntime, type Runtime, uninstallRuntime } from "../runtime.ts";
import { startTelemetry } from "../telemetry/start.ts";
import { startLocalAzurite } from "./azurite-process.ts";
import { startConsumers } from "./consumers.ts";
import { type DemoCa, openDemoCa } from "./demo-ca.ts";
import { demoDirectory } from "./demo-directory.ts";
import { DEMO_NOTICES_MAILBOX, type DemoTenant, startDemoTenant } from "./demo-tenant/index.ts";
import { loadOrCreateClientState } from "./graph-client-state.ts";
import { startHttpServer } from "./http-server.ts";
import { localFunctions } from "./local-functions.ts";
import { manualRunHandler } from "./manual-run.ts";
import { startTimers } from "./timers.ts";

export interface LocalHostOptions {
  /** 7071 like the Functions host; 0 picks a free port. */
  readonly port: number;
  /** Overrides LOCAL_DATA_DIR (`--data DIR`). */
  readonly dataDir?: string;
  /** Listen address; loopback by default, since the API is for this machine. */
  readonly host?: string;
  readonly clock?: Clock;
  /** Jitter and fault draws. */
  readonly random?: () => number;
  /**
   * Run against the demo tenant when no Graph tenant is configured (`--demo`, what `npm start` runs; needs
   * the demo CA, so no TRUST_STORE_PATH).
   */
  readonly demo?: boolean;
}

export interface RunningHost {
  readonly url: string;
  readonly dataDir: string;
  readonly settings: Settings;
  readonly runtime: Runtime;
  readonly demoCa: DemoCa | undefined;
  /** The demo tenant the Graph gateway talks to, when `demo` was asked for and no tenant is configured. */
  readonly demoTenant: DemoTenant | undefined;
  /** Where Graph calls go: the demo tenant, GRAPH_BASE_URL, or nowhere (the Graph timers do not run). */
  readonly graph: { readonly baseUrl: string } | undefined;
  /** A summary for the banner: how many of each kind of function run here. */
  readonly functions: { readonly http: number; readonly queues: number; readonly timers: number };
  /** Stops intake, finishes work in flight, closes the bus and Azurite. Safe to call twice. */
  stop(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

/** A demo device's check-in after `syncDevice`: a few seconds, so a re-provisioning is seen to wait for it. */
const DEMO_INSTALL_DELAY_MS = 3_000;

/** Runs `steps` in reverse, each once, even if some fail; rethrows the first failure. */
function stopper(logger: JsonLogger) {
  const steps: { name: string; run: () => Promise<void> }[] = [];
  let stopping: Promise<void> | undefined;
  return {
    add(name: string, run: () => Promise<void>) {
      steps.push({ name, run });
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        let first: unknown;
        for (const step of steps.reverse()) {
          try {
            await step.run();
            logger.debug("stopped", { part: step.name });
          } catch (error) {
            logger.error("stopping failed", { part: step.name, error });
            first ??= error;
          }
        }
        if (first !== undefined) throw first;
      })();
      return stopping;
    },
  };
}

/** Reads the trust store once at start, so a bad TRUST_STORE_PATH stops the host instead of every validation. */
async function checkTrustStore(runtime: Runtime, settings: Settings): Promise<void> {
  try {
    await runtime.deps.pki.trustStoreFingerprint();
  } catch (e) {
    if (!settings.trustStorePath) throw e;
    // The source's message already begins with the setting's name, which the ConfigError adds: said once.
    throw new ConfigError([
      { setting: "TRUST_STORE_PATH", message: `cannot be read: ${withoutSettingName((e as Error).message)}` },
    ]);
  }
}

const withoutSettingName = (message: string) => message.replace(/^TRUST_STORE_PATH:?\s*/, "");

/**
 * The settings, with `--data DIR` applied and, when GRAPH_CLIENT_STATE is not set, the data directory's own
 * random clientState: the demo tenant's subscription carries it, and the webhook trusts nothing without one.
 */
async function hostSettings(dataDir: string | undefined): Promise<Settings> {
  const settings = dataDir !== undefined ? overrideSettings({ LOCAL_DATA_DIR: dataDir }) : currentSettings();
  if (settings.graph.clientState) return settings;
  return overrideSettings({
    LOCAL_DATA_DIR: settings.localDataDir,
    GRAPH_CLIENT_STATE: await loadOrCreateClientState(settings.localDataDir),
  });
}

/** Graph's own address: GRAPH_BASE_URL's default, which says no tenant was named. */
const MICROSOFT_GRAPH = "https://graph.microsoft.com";

/** GRAPH_* settings name a tenant (or another Graph-compatible endpoint) this host should use. */
const graphConfigured = (settings: Settings) =>
  settings.graph.tenantId !== undefined ||
  settings.graph.clientId !== undefined ||
  settings.graph.baseUrl.replace(/\/+$/, "") !== MICROSOFT_GRAPH;

/** Starts everything; on a failure part-way, stops what had started and rethrows. */
export async function startLocalHost(options: LocalHostOptions): Promise<RunningHost> {
  const settings = await hostSettings(options.dataDir);
  const clock = options.clock ?? systemClock;
  const logger = createJsonLogger({ level: settings.logLevel, fields: { host: "local" } });
  const dataDir = settings.localDataDir;
  const parts = stopper(logger);
  try {
    const http = await startHttpServer({
      port: options.port,
      ...(options.host ? { host: options.host } : {}),
      clock,
      logger,
    });
    parts.add("http", http.stop);
    const azurite = await startLocalAzurite(join(dataDir, "azurite"));
    parts.add("azurite", azurite.stop);
    const bus = createInProcessBus({
      dataDir: join(dataDir, "bus"),
      clock,
      logger: logger.child({ part: "bus" }),
      ...(options.random ? { random: options.random } : {}),
    });
    parts.add("bus", bus.close);
    const demoCa = settings.trustStorePath
      ? undefined
      : await openDemoCa({ dir: join(dataDir, "demo-ca"), baseUrl: http.url, now: clock.now() });
    const issuer = await loadDemoIssuer(dataDir);
    const demoTenant =
      options.demo && demoCa && !graphConfigured(settings)
        ? await startDemoTenant({
            dataDir,
            ca: demoCa,
            clock,
            logger: logger.child({ part: "demo-tenant" }),
            installDelayMs: DEMO_INSTALL_DELAY_MS,
            ...(settings.outlook.ldapHost ? { ldapHost: settings.outlook.ldapHost } : {}),
          })
        : undefined;
    if (demoTenant) parts.add("demo-tenant", demoTenant.close);
    const graph = demoTenant
      ? { baseUrl: demoTenant.baseUrl }
      : graphConfigured(settings)
        ? { baseUrl: settings.graph.baseUrl }
        : undefined;
    const directory = demoTenant ? demoDirectory(demoTenant) : undefined;
    const runtime = createLocalRuntime({
      tablesConnectionString: azurite.connectionString,
      bus,
      trustStorePath: settings.trustStorePath ?? (demoCa as DemoCa).trustStorePath,
      ...(demoCa ? { localCrl: demoCa.crl } : {}),
      webhookBaseUrl: http.url,
      ...(demoTenant && { graphBaseUrl: demoTenant.baseUrl }),
      ...(directory && { directory }),
      // The demo's e-mail notices (users with no phone) go out from its notices mailbox unless MAIL_SENDER says.
      settings:
        demoTenant && !settings.mailSender ? { ...settings, mailSender: DEMO_NOTICES_MAILBOX } : settings,
      logger,
      clock,
    });
    await checkTrustStore(runtime, settings);
    installRuntime(runtime);
    await startTelemetry(settings.telemetry, () => runtime.deps.queueStats);
    parts.add("runtime", async () => {
      await runtime.close();
      uninstallRuntime();
    });
    const functions = localFunctions(runtime.deps, logger);
    const router = createRouter(functions.routes, {
      verifier: issuer.verifier(clock),
      logger: logger.child({ part: "http" }),
    });
    http.ready(router, demoCa, demoTenant);
    const consumers = startConsumers(functions.queues, {
      bus,
      logger,
      faultRate: settings.faultRate,
      ...(options.random ? { random: options.random } : {}),
    });
    const available = {
      graph: graph !== undefined,
      ldap: settings.ldap !== undefined || directory !== undefined,
    };
    const runnable = functions.timers.filter((t) => (t.requires ?? []).every((r) => available[r]));
    const timers = startTimers(runnable, {
      clock,
      onError: (job, error) => logger.error("timer run failed", { functionName: job, error }),
    });
    http.adminReady(manualRunHandler({ verifier: issuer.verifier(clock), timers, logger }));
    // Intake stops together; the bus and Azurite (added earlier) close after all three have drained.
    parts.add("intake", async () => {
      await Promise.all([http.stop(), consumers.stop(), timers.stop()]);
    });
    if (options.demo && !demoCa)
      logger.warn("--demo ignored: TRUST_STORE_PATH is set, so there is no demo CA for the demo tenant");
    if (!graph) logger.info("no Graph tenant (GRAPH_* settings or --demo): the Graph timers do not run");
    return {
      demoTenant,
      graph,
      url: http.url,
      dataDir,
      settings,
      runtime,
      demoCa,
      functions: {
        http: functions.routes.length,
        queues: functions.queues.length,
        timers: runnable.length,
      },
      stop: parts.stop,
    };
  } catch (error) {
    await parts.stop().catch(() => undefined);
    throw error;
  }
}
