/**
 * What the pipeline's use cases need from the outside world: the ports, the clock, a logger, the validation
 * engine and the few settings they read. The composition root (shared/runtime.ts) builds one `Deps` per
 * process, for Azure or for local mode; tests build one from Azurite stores and the in-process bus.
 *
 * Each use case asks only for the members it uses (`Pick<Deps, "certificates" | "clock">`), so a test
 * supplies no more than the use case touches and the signature says what the use case can reach.
 */
import type { Engine } from "../pki/engine.ts";
import type { CrlFetchResult } from "../pki/revocation.ts";
import type {
  AuditLedger,
  CertificateStore,
  Clock,
  CrlHealthStore,
  CursorStore,
  Directory,
  EventBus,
  GraphGateway,
  Logger,
  QueueStats,
  UserStore,
} from "../ports.ts";
import type { WebhookSettings } from "./manage-subscription.ts";

/** The engine's side of the pipeline: validation, the CRL fetcher it uses, and the trust store's identity. */
export interface PkiDeps {
  /**
   * A validation engine over the current trust store, sharing the process's CRL and AIA caches. Asked for
   * once per invocation: its own caches (issuer fetches, CRL signer verdicts) then last one batch, and a
   * trust store reloaded by the composition root is picked up by the next invocation.
   */
  engine(): Promise<Engine>;
  /** The guarded, cached CRL fetcher the engine uses (shared/cli/network-sources.ts): never throws. */
  fetchCrl(url: string): Promise<CrlFetchResult>;
  /** A digest of the trust anchors: it changes exactly when the virtual certificate collection does. */
  trustStoreFingerprint(): Promise<string>;
}

/** The settings use cases read (parsed and frozen by shared/config.ts). */
export interface UsecaseSettings {
  /** EXPIRY_THRESHOLDS_DAYS: days before notAfter at which a certificate is announced as expiring. */
  readonly expiryThresholdsDays: readonly number[];
}

export interface Deps {
  readonly bus: EventBus;
  readonly queueStats: QueueStats;
  readonly certificates: CertificateStore;
  readonly users: UserStore;
  readonly crlHealth: CrlHealthStore;
  readonly audit: AuditLedger;
  readonly cursors: CursorStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pki: PkiDeps;
  readonly settings: UsecaseSettings;
}

/**
 * What the composition root adds to `Deps` for the Graph and directory functions. Kept apart from `Deps`
 * so a use-case test that never calls Graph builds no gateway; the runtime's deps always carry `graph`
 * and `webhook` (the real tenant in Azure, the demo tenant in local mode), and `directory` when LDAP_URL
 * is set. The functions take them with functions/sync-users.ts `graphDepsFor`.
 */
export interface GraphDeps {
  readonly graph: GraphGateway;
  /** Where Graph delivers change and lifecycle notifications, and the clientState they carry. */
  readonly webhook: WebhookSettings;
  /** The org's LDAP directory; it connects on its first lookup. */
  readonly directory?: Directory;
}

/** The CloudEvents `source` of everything a use case publishes: "/smime-lifecycle/<producer>". */
export const eventSource = (producer: string): string => `/smime-lifecycle/${producer}`;

/**
 * Cursor names, defined once: the status page reads them as "last run" times and the trust-store watcher
 * keeps the fingerprint it last re-validated against.
 */
export const CursorNames = {
  scanExpiryLastRun: "lastRun.scanExpiry",
  checkCrlsLastRun: "lastRun.checkCrls",
  syncIntuneLastRun: "lastRun.syncIntune",
  syncUsersLastRun: "lastRun.syncUsers",
  trustStoreFingerprint: "trustStore.fingerprint",
  /** `<fingerprint> <ISO time>` of a re-validation begun but not yet finished (its events reuse the time). */
  trustStorePending: "trustStore.pendingRevalidation",
} as const;
