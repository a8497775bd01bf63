/**
 * The composition root: the one place that decides which adapter stands behind each port. Azure mode
 * (the Functions host) gets Service Bus, Table storage over managed identity or a connection string, and
 * the guarded network fetcher; local mode (`smimectl serve`) gets the durable in-process bus, Table
 * storage on the host's own Azurite, and the demo CA's CRLs answered in process.
 *
 * Both modes get the Graph gateway (the same adapter code): Azure's talks to Microsoft Graph with the
 * Function App's managed identity; local mode's, with no GRAPH_* settings, to the demo tenant the local host
 * started on loopback. Both get the webhook settings Graph needs to reach `POST graph/notifications`, and the
 * LDAP directory when LDAP_URL is set.
 *
 * Built lazily, once per process: the Functions host loads every function file at start, and nothing here
 * should connect anywhere until the first invocation needs it. A bad setting is still found at the first
 * `runtime()` call, with every bad setting named (shared/config.ts).
 */
import type { TokenCredential } from "@azure/identity";
import { azureCredential } from "./adapters/azure-credential.ts";
import { createGraphGateway, graphCredential } from "./adapters/graph/index.ts";
import { ldapDirectoryFrom } from "./adapters/ldap-settings.ts";
import { createJsonLogger, type JsonLogger } from "./adapters/logger.ts";
import {
  createTableStores,
  type TableStores,
  type TablesConnectionOptions,
} from "./adapters/tables/index.ts";
import { trustStoreSource } from "./adapters/trust-store-source.ts";
import { createNetworkSources } from "./cli/network-sources.ts";
import {
  ConfigError,
  type LdapSettings,
  settings as loadSettings,
  type ServiceBusSettings,
  type Settings,
  type TablesSettings,
} from "./config.ts";
import { parseTrustStoreLocation } from "./contracts/blob-url.ts";
import { parseCrl } from "./pki/crl.ts";
import { createEngine } from "./pki/engine.ts";
import type { CrlFetchResult } from "./pki/revocation.ts";
import { trustStoreCache } from "./pki/trust-store-cache.ts";
import type { Clock, Directory, EventBus, QueueStats } from "./ports.ts";
import type { Deps, GraphDeps, PkiDeps } from "./usecases/deps.ts";
import type { WebhookSettings } from "./usecases/manage-subscription.ts";

export type RuntimeMode = "azure" | "local";

/** Everything a process needs: the use cases' deps plus what only entry points use. */
export interface Runtime {
  readonly mode: RuntimeMode;
  readonly settings: Settings;
  readonly logger: JsonLogger;
  /**
   * Every store, the ones `Deps` names and the notification ledger and operations. The runtimes built here
   * also carry `GraphDeps` (graph, webhook, directory), read with functions/sync-users.ts `graphDepsFor`.
   */
  readonly deps: Deps & Pick<TableStores, "notifications" | "operations">;
  /** Releases connections (Service Bus clients); the local host closes its bus itself. */
  close(): Promise<void>;
}

/** What the local host has started before the runtime is built (they need async work and a lifetime). */
export interface LocalParts {
  /** The host's Azurite, or the account TABLES settings name. */
  readonly tablesConnectionString: string;
  readonly bus: EventBus & QueueStats;
  /** The trust store: TRUST_STORE_PATH (a file path or a blob URL), or the demo CA's file. */
  readonly trustStorePath: string;
  /**
   * CRLs the host itself serves (the demo CA): answered in process, so local mode needs no private-network
   * exception in the fetcher. Undefined for any URL it does not serve.
   */
  readonly localCrl?: (url: string, now: Date) => Promise<Uint8Array | undefined>;
  readonly settings?: Settings;
  readonly logger?: JsonLogger;
  readonly clock?: Clock;
  /**
   * The Graph tenant: the demo tenant the host started (its loopback origin). Default GRAPH_BASE_URL, so
   * GRAPH_* settings point local mode at a real tenant instead.
   */
  readonly graphBaseUrl?: string;
  /** The host's own origin, which Graph (the demo tenant) posts notifications to: `http://127.0.0.1:7071`. */
  readonly webhookBaseUrl?: string;
  /** The directory recipients search (the demo tenant's); default the LDAP directory LDAP_URL names. */
  readonly directory?: Directory;
}

const systemClock: Clock = { now: () => new Date() };

/**
 * How long a validation may use the trust store blob without asking whether it changed: the admin's new
 * upload is seen within minutes anyway (revalidateOnTrustChange asks every 15), and a validation burst of
 * thousands of certificates must not cost thousands of requests. A file is asked every time (a stat).
 */
const TRUST_STORE_BLOB_MAX_AGE_MS = 5 * 60_000;

/** The engine side: trust store, CRL and AIA fetching with the process-wide caches. */
export function createPkiDeps(options: {
  /** TRUST_STORE_PATH: a file path or a blob URL. */
  readonly trustStorePath: string;
  /** The identity that reads a trust store blob in Azure; default the process's (azure-credential.ts). */
  readonly trustStoreCredential?: () => TokenCredential;
  readonly allowPrivateNetwork: boolean;
  readonly clock: Clock;
  readonly localCrl?: LocalParts["localCrl"];
}): PkiDeps {
  const source = trustStoreSource(
    options.trustStorePath,
    options.trustStoreCredential ?? (() => azureCredential()),
  );
  const trust = trustStoreCache(source, {
    maxAgeMs:
      parseTrustStoreLocation(options.trustStorePath).kind === "blob" ? TRUST_STORE_BLOB_MAX_AGE_MS : 0,
  });
  const network = createNetworkSources({
    allowPrivateNetwork: options.allowPrivateNetwork,
    clock: options.clock,
  });
  // The same bytes give the same parsed CRL, so its signature is verified once, not once per invocation.
  const parsedLocal = new WeakMap<Uint8Array, CrlFetchResult>();
  const fetchCrl = async (url: string): Promise<CrlFetchResult> => {
    const local = await options.localCrl?.(url, options.clock.now());
    if (local === undefined) return network.fetchCrl(url);
    let result = parsedLocal.get(local);
    if (!result) {
      try {
        result = { ok: true, crl: parseCrl(local) };
      } catch (e) {
        result = { ok: false, reason: `not a CRL: ${(e as Error).message}` };
      }
      parsedLocal.set(local, result);
    }
    return result;
  };
  return {
    async engine() {
      const { store } = await trust.load();
      return createEngine({
        time: options.clock.now(),
        anchors: store,
        fetchCrl,
        fetchIssuers: network.fetchIssuers,
      });
    },
    fetchCrl,
    async trustStoreFingerprint() {
      // Asked by revalidateOnTrustChange and at start: the source is asked now, conditionally.
      return (await trust.refresh()).fingerprint;
    },
  };
}

function assemble(
  mode: RuntimeMode,
  parts: {
    settings: Settings;
    logger: JsonLogger;
    clock: Clock;
    stores: TableStores;
    bus: EventBus & QueueStats;
    pki: PkiDeps;
    graph: GraphDeps;
    close: () => Promise<void>;
  },
): Runtime {
  const { settings, logger, clock, stores, bus, pki, graph } = parts;
  const deps: Runtime["deps"] & GraphDeps = {
    ...stores,
    bus,
    queueStats: bus,
    clock,
    logger,
    pki,
    settings,
    ...graph,
  };
  return {
    mode,
    settings,
    logger,
    deps,
    async close() {
      await graph.directory?.close();
      await parts.close();
    },
  };
}

/** Graph posts to these; without an origin or a clientState no subscription is kept (nothing to trust). */
export function webhookSettings(
  origin: string | undefined,
  clientState: string | undefined,
): WebhookSettings {
  const base = origin?.replace(/\/+$/, "");
  return {
    notificationUrl: base ? `${base}/api/graph/notifications` : "",
    lifecycleNotificationUrl: base ? `${base}/api/graph/lifecycle` : "",
    clientState: base ? clientState : undefined,
  };
}

/**
 * The LDAP directory, made on its first lookup (reading LDAP_TLS_CA is async, and a process that never looks
 * anyone up should not fail for it); a failed start is retried on the next lookup.
 */
function lazyDirectory(settings: LdapSettings): Directory {
  let made: Promise<Directory> | undefined;
  const directory = () => {
    made ??= ldapDirectoryFrom(settings).catch((e: unknown) => {
      made = undefined;
      throw e;
    });
    return made;
  };
  return {
    certificatesFor: async (user) => (await directory()).certificatesFor(user),
    async close() {
      const open = made;
      made = undefined;
      if (open) await (await open.catch(() => undefined))?.close();
    },
  };
}

/**
 * The Graph side of a runtime: the gateway at `baseUrl` (the demo tenant's loopback origin gets its fixed
 * token; anything else the managed identity, user-assigned when GRAPH_CLIENT_ID names it), the webhook,
 * and the directory when LDAP_URL is set. Nothing connects until first use.
 */
export function createGraphDeps(
  settings: Settings,
  options: {
    readonly baseUrl?: string;
    readonly webhookBaseUrl?: string;
    readonly directory?: Directory;
  } = {},
): GraphDeps {
  const baseUrl = options.baseUrl ?? settings.graph.baseUrl;
  const { tenantId, clientId } = settings.graph;
  const credential = graphCredential({
    baseUrl,
    ...(tenantId && { tenantId }),
    ...(clientId && { clientId, managedIdentityClientId: clientId }),
  });
  return {
    graph: createGraphGateway({ baseUrl, credential }),
    webhook: webhookSettings(
      options.webhookBaseUrl ?? settings.graph.webhookBaseUrl,
      settings.graph.clientState,
    ),
    ...((options.directory || settings.ldap) && {
      directory: options.directory ?? lazyDirectory(settings.ldap as LdapSettings),
    }),
  };
}

/** Local mode: the parts the host started, plus Table stores on its Azurite. */
export function createLocalRuntime(parts: LocalParts): Runtime {
  const settings = parts.settings ?? loadSettings();
  const clock = parts.clock ?? systemClock;
  const logger = parts.logger ?? createJsonLogger({ level: settings.logLevel, fields: { mode: "local" } });
  return assemble("local", {
    settings,
    logger,
    clock,
    stores: createTableStores({
      connectionString: parts.tablesConnectionString,
      tablePrefix: settings.tablePrefix,
    }),
    bus: parts.bus,
    pki: createPkiDeps({
      trustStorePath: parts.trustStorePath,
      allowPrivateNetwork: settings.fetchAllowPrivateNetwork,
      clock,
      ...(parts.localCrl ? { localCrl: parts.localCrl } : {}),
    }),
    graph: createGraphDeps(settings, {
      ...(parts.graphBaseUrl && { baseUrl: parts.graphBaseUrl }),
      ...(parts.webhookBaseUrl && { webhookBaseUrl: parts.webhookBaseUrl }),
      ...(parts.directory && { directory: parts.directory }),
    }),
    close: async () => undefined,
  });
}

/** Settings Azure mode cannot run without, named the way the operator sets them. */
function requireAzureSettings(settings: Settings): void {
  const missing = [
    ...(settings.serviceBus
      ? []
      : [
          {
            setting: "ServiceBusConnection",
            message: "required in Azure (or ServiceBusConnection__fullyQualifiedNamespace)",
          },
        ]),
    ...(settings.tables
      ? []
      : [
          {
            setting: "AzureWebJobsStorage",
            message: "required in Azure (or AzureWebJobsStorage__tableServiceUri)",
          },
        ]),
    ...(settings.trustStorePath ? [] : [{ setting: "TRUST_STORE_PATH", message: "required in Azure" }]),
  ];
  if (missing.length > 0) throw new ConfigError(missing);
}

/** The Service Bus side of Azure mode: the EventBus and QueueStats ports over one client. */
export interface AzureBus extends EventBus, QueueStats {
  close(): Promise<void>;
}

/** Builds the Service Bus adapter from its settings (a connection string, or a namespace and a credential). */
export type AzureBusFactory = (settings: ServiceBusSettings, credential: () => TokenCredential) => AzureBus;

function tablesOf(settings: TablesSettings, prefix: string): TablesConnectionOptions {
  if (settings.kind === "connectionString")
    return { connectionString: settings.connectionString, tablePrefix: prefix };
  return { endpoint: settings.endpoint, credential: azureCredential(settings.clientId), tablePrefix: prefix };
}

/**
 * Azure mode: Service Bus, Table storage (managed identity unless a connection string is given), the
 * trust store from TRUST_STORE_PATH and the guarded fetcher. Nothing connects until first use.
 * @throws ConfigError naming each setting Azure cannot run without
 */
export function createAzureRuntime(
  settings: Settings,
  createBus: AzureBusFactory,
  clock: Clock = systemClock,
): Runtime {
  requireAzureSettings(settings);
  const serviceBus = settings.serviceBus as ServiceBusSettings;
  const logger = createJsonLogger({ level: settings.logLevel, fields: { mode: "azure" } });
  const bus = createBus(serviceBus, () =>
    azureCredential(serviceBus.kind === "identity" ? serviceBus.clientId : undefined),
  );
  return assemble("azure", {
    settings,
    logger,
    clock,
    stores: createTableStores(tablesOf(settings.tables as TablesSettings, settings.tablePrefix)),
    bus,
    pki: createPkiDeps({
      trustStorePath: settings.trustStorePath as string,
      // The blob is in the Functions host's own storage account: the identity that reads its tables.
      trustStoreCredential: () =>
        azureCredential(settings.tables?.kind === "identity" ? settings.tables.clientId : undefined),
      allowPrivateNetwork: settings.fetchAllowPrivateNetwork,
      clock,
    }),
    graph: createGraphDeps(settings),
    close: () => bus.close(),
  });
}

let current: Runtime | undefined;
let azureBusFactory: AzureBusFactory | undefined;

/** Tells `runtime()` how to reach Service Bus in Azure mode (functions/index.ts, before any invocation). */
export function useAzureBus(factory: AzureBusFactory): void {
  azureBusFactory = factory;
}

/**
 * The process's runtime: the one installed (the local host, tests), else Azure's, built on first use.
 * @throws ConfigError naming each bad or missing setting
 */
export function runtime(): Runtime {
  if (current) return current;
  if (!azureBusFactory)
    throw new Error("runtime(): no runtime installed and no Service Bus adapter registered");
  current = createAzureRuntime(loadSettings(), azureBusFactory);
  return current;
}

/** Makes `runtime()` answer with this one (the local host, tests). */
export function installRuntime(value: Runtime): void {
  current = value;
}

/** Forgets the installed runtime (tests; the local host on shutdown). */
export function uninstallRuntime(): void {
  current = undefined;
}
