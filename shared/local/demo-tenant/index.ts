/**
 * The demo tenant: a Microsoft Graph look-alike on loopback that local mode (`npm start` without a tenant)
 * and the tests point the Graph gateway at (`GRAPH_BASE_URL=<baseUrl>`; same URLs under /v1.0 and /beta,
 * same JSON, paging by `@odata.nextLink`, delta by `@odata.deltaLink`, `$select`, OData errors, 401 without a
 * bearer token, 429 with Retry-After at a configurable rate).
 *
 * ```ts
 * const tenant = await startDemoTenant({ dataDir, ca, now });
 * // GET `${tenant.baseUrl}/v1.0/users?$select=id,proxyAddresses` with `Authorization: Bearer anything`
 * await tenant.changeUser("xenia@demo.smime-lifecycle.local", { primarySmtp: "x.novak@demo.smime-lifecycle.local" });
 * tenant.outbox(); // mail, Company Portal notices, device syncs the pipeline asked for
 * await tenant.close();
 * ```
 *
 * `scale: "demo"` (default) serves the ~50 users of `dataset.ts` with certificates from the demo CA;
 * `scale: { users, certificates }` serves a generated tenant of any size (metadata only) for the benchmark.
 */
import type { Clock, Logger } from "../../ports.ts";
import type { DemoCa } from "../demo-ca.ts";
import { adminRoutes } from "./admin-routes.ts";
import type { UserChange } from "./dataset.ts";
import { buildDemoDataset, type DemoDataset } from "./demo-data.ts";
import { DeviceInstalls, type InstalledCertificate } from "./device-installs.ts";
import { Directory } from "./directory.ts";
import { ExportJobs } from "./export-jobs.ts";
import { generateTenant, type Scale } from "./generator.ts";
import { withInstalls } from "./installed-data.ts";
import type { TenantData } from "./model.ts";
import { Outbox, type OutboxEntry } from "./outbox.ts";
import { startServer } from "./server.ts";
import { type Delivery, type LifecycleEvent, type Subscription, Subscriptions } from "./subscriptions.ts";
import type { World } from "./world.ts";

export { DEMO_NOTICES_MAILBOX, type UserChange } from "./dataset.ts";
export type { DemoCertificateRecord, DemoDataset, DemoUserRecord } from "./demo-data.ts";
export type { InstalledCertificate } from "./device-installs.ts";
export { createDemoDirectory } from "./directory-port.ts";
export type { OutboxEntry } from "./outbox.ts";
export type { Delivery, LifecycleEvent, Subscription } from "./subscriptions.ts";

export interface DemoTenantOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Loopback by default. */
  readonly host?: string;
  /** Where the demo dataset keeps its issued certificates (`<dataDir>/demo-tenant/`). */
  readonly dataDir: string;
  /** The demo CA (required for `scale: "demo"`). */
  readonly ca?: DemoCa;
  /** The moment the dataset is built relative to (expiry dates); default `clock.now()`. */
  readonly now?: Date;
  /** The tenant's clock (subscription expiry, timestamps); default the system clock. */
  readonly clock?: Clock;
  /** Items per page without `$top`; default 100. */
  readonly pageSize?: number;
  /** The largest `$top` honoured; default 1000. */
  readonly maxPageSize?: number;
  /** Share of Graph requests answered 429 (0..1, deterministic given `seed`); default 0. */
  readonly throttleRate?: number;
  /** Retry-After of a 429, in seconds; default 1. */
  readonly retryAfterSeconds?: number;
  /** Seeds ids and throttling; default "smime-lifecycle-demo". */
  readonly seed?: string;
  readonly scale?: "demo" | Scale;
  /** How long subscription validation waits for the webhook; default 10 s like Graph. */
  readonly handshakeTimeoutMs?: number;
  /** The LDAP host the Outlook policies name. */
  readonly ldapHost?: string;
  /**
   * From a `syncDevice` request to the certificates it installs (device-installs.ts); default 0: installed
   * before the request is answered. The local host waits a few seconds, as a real device would.
   */
  readonly installDelayMs?: number;
  readonly logger?: Logger;
}

export interface DemoTenant {
  /** `http://127.0.0.1:PORT`; Graph's base URL is `${baseUrl}/v1.0` (or `/beta`). */
  readonly baseUrl: string;
  readonly tenantId: string;
  /** The demo users and certificates with their intended states (undefined for a generated tenant). */
  readonly dataset: DemoDataset | undefined;
  /** Mail, Company Portal notices and device syncs received so far. */
  outbox(): readonly OutboxEntry[];
  /** Certificates installed by device syncs since the start, in order (none for a generated tenant). */
  installed(): readonly InstalledCertificate[];
  /**
   * What the directory publishes for a user (lower-case or any case UPN): the dataset's values and the
   * encryption certificates installed since; undefined for a user it has no entry for.
   */
  directoryOf(userPrincipalName: string): readonly Uint8Array[] | undefined;
  /** Change and lifecycle notifications posted so far, with the receiver's answers. */
  deliveries(): readonly Delivery[];
  subscriptions(): readonly Subscription[];
  /**
   * Changes a user (primary SMTP, enabled, deleted, Intune certificates removed); the next delta round
   * returns it, and subscribers are notified before this resolves.
   */
  changeUser(idOrUpn: string, change: UserChange): Promise<readonly Delivery[]>;
  /** Posts a lifecycle notification for a subscription (subscriptionRemoved also ends it). */
  sendLifecycle(subscriptionId: string, event: LifecycleEvent): Promise<Delivery>;
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

/** Starts the demo tenant on loopback. */
export async function startDemoTenant(options: DemoTenantOptions): Promise<DemoTenant> {
  const clock = options.clock ?? systemClock;
  const now = options.now ?? clock.now();
  const seed = options.seed ?? "smime-lifecycle-demo";
  const scale = options.scale ?? "demo";
  let dataset: DemoDataset | undefined;
  let data: TenantData;
  let installs: DeviceInstalls | undefined;
  if (scale === "demo") {
    if (!options.ca) throw new Error("startDemoTenant: the demo scale needs the demo CA (options.ca)");
    dataset = await buildDemoDataset({
      ca: options.ca,
      dataDir: options.dataDir,
      seed,
      now,
      ...(options.ldapHost ? { ldapHost: options.ldapHost } : {}),
    });
    installs = await DeviceInstalls.open({
      dataset,
      dataDir: options.dataDir,
      ca: options.ca,
      seed,
      clock,
      delayMs: options.installDelayMs ?? 0,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    data = withInstalls(dataset.data, installs);
  } else data = generateTenant({ seed, now, scale });

  let baseUrl = "";
  const directory = new Directory(data);
  const subscriptions = new Subscriptions({
    tenantId: data.tenantId,
    clock,
    ...(options.handshakeTimeoutMs ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
  });
  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };
  let notified: Promise<Delivery[]>[] = [];
  directory.onChange((event) => {
    notified.push(track(subscriptions.notify(event)));
  });
  const changeUser = async (idOrUpn: string, change: UserChange): Promise<readonly Delivery[]> => {
    if (!directory.find(idOrUpn)) throw new Error(`demo tenant: no user ${idOrUpn}`);
    notified = [];
    directory.change(idOrUpn, change); // its listener fills `notified` synchronously
    const batches = await Promise.all(notified);
    return batches.flat();
  };
  let scriptedDone = false;
  const world: World = {
    data,
    directory,
    subscriptions,
    exports: new ExportJobs({ data, clock, baseUrl: () => baseUrl }),
    outbox: new Outbox(),
    installs,
    clock,
    paging: { pageSize: options.pageSize ?? 100, maxPageSize: options.maxPageSize ?? 1000 },
    deltaRoundCompleted() {
      if (scriptedDone || !dataset) return;
      scriptedDone = true;
      for (const { userId, change } of dataset.scriptedChanges) {
        track(changeUser(userId, change)).catch((error: unknown) =>
          options.logger?.error("demo tenant scripted change failed", { userId, error }),
        );
      }
    },
    changeUser,
  };
  const server = await startServer({
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
    world: () => world,
    throttle: { rate: options.throttleRate ?? 0, retryAfterSeconds: options.retryAfterSeconds ?? 1, seed },
    admin: adminRoutes(() => world, dataset, {
      changeUser,
      sendLifecycle: (id, event) => track(subscriptions.lifecycle(id, event)),
    }),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  baseUrl = server.baseUrl;
  return {
    baseUrl,
    tenantId: data.tenantId,
    dataset,
    outbox: () => world.outbox.list(),
    installed: () => installs?.list() ?? [],
    directoryOf(userPrincipalName) {
      const own = dataset?.directory.get(userPrincipalName.toLowerCase());
      return own && [...own, ...(installs?.publishedFor(userPrincipalName) ?? [])];
    },
    deliveries: () => subscriptions.deliveries(),
    subscriptions: () => subscriptions.list(),
    changeUser,
    sendLifecycle: (id, event) => track(subscriptions.lifecycle(id, event)),
    async close() {
      await Promise.allSettled([...pending, installs?.settled()]);
      await server.close();
    },
  };
}
