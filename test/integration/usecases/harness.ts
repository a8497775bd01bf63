/**
 * The use cases' real surroundings for integration tests: Table stores on the run's Azurite (a table
 * prefix per file), the in-process bus on an in-memory journal, a minted PKI whose CRLs a loopback HTTP
 * server serves, and the engine behind the same guarded, cached fetcher production uses. Time is a
 * settable clock; every date is fixed.
 */
import { inject } from "vitest";
import { createInProcessBus, type InProcessBus } from "../../../shared/adapters/in-process-bus/bus.ts";
import { createTableStores, type TableStores } from "../../../shared/adapters/tables/index.ts";
import { createNetworkSources, type NetworkSources } from "../../../shared/cli/network-sources.ts";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import type { QueueKey } from "../../../shared/contracts/queues.ts";
import type { CertificateRecord } from "../../../shared/contracts/rows.ts";
import { parseCertificate } from "../../../shared/pki/certificate.ts";
import { createEngine } from "../../../shared/pki/engine.ts";
import type { AuditLedger, Clock, EventBus, Logger, ReceivedMessage } from "../../../shared/ports.ts";
import type { Deps } from "../../../shared/usecases/deps.ts";
import { thumbprintOf } from "../../support/bus-events.ts";
import { type LoopbackServer, startLoopbackServer } from "../../support/http-server.ts";
import {
  type CertOptions,
  type Minted,
  mintCrl,
  mintIntermediate,
  mintLeaf,
  mintRoot,
  NOW,
} from "../../support/pki.ts";

export { NOW };

/** A clock the test moves. */
export interface TestClock extends Clock {
  set(at: Date | string): void;
}

export function testClock(start: Date = NOW): TestClock {
  let now = start;
  return {
    now: () => now,
    set: (at) => {
      now = new Date(at);
    },
  };
}

export interface LogLine {
  readonly level: "info" | "warn" | "error";
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A Logger keeping its lines, so a test can say what was logged. */
export function recordingLogger(
  lines: LogLine[] = [],
  bound: Record<string, unknown> = {},
): Logger & { lines: LogLine[] } {
  const log =
    (level: LogLine["level"]) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      void lines.push({ level, message, fields: { ...bound, ...fields } });
  return {
    lines,
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (fields) => recordingLogger(lines, { ...bound, ...fields }),
  };
}

/** Every publishMany the use cases made, in order, on top of the real bus. */
export interface RecordingBus extends EventBus {
  readonly published: { queue: QueueKey; event: CloudEventEnvelope }[];
  /** Published events of one type. */
  ofType(type: string): CloudEventEnvelope[];
  clear(): void;
}

function recordingBus(bus: EventBus): RecordingBus {
  const published: { queue: QueueKey; event: CloudEventEnvelope }[] = [];
  return {
    published,
    ofType: (type) => published.filter((p) => p.event.type === type).map((p) => p.event),
    clear: () => void published.splice(0),
    async publish(queue, event) {
      await bus.publish(queue, event);
      published.push({ queue, event });
    },
    async publishMany(queue, events) {
      await bus.publishMany(queue, events);
      for (const event of events) published.push({ queue, event });
    },
    schedule: (queue, event, at) => bus.schedule(queue, event, at),
    cancel: (queue, token) => bus.cancel(queue, token),
  };
}

/** Root → issuing CA → leaves, each CRL on the loopback server. */
export interface TestPki {
  readonly server: LoopbackServer;
  readonly root: Minted;
  readonly ca: Minted;
  readonly rootCrlUrl: string;
  readonly caCrlUrl: string;
  /** Mints a leaf under the CA (its CRL URL set). */
  leaf(options?: CertOptions): Promise<Minted>;
  /** Serves the CA's CRL listing these serials (hex), issued at `thisUpdate` (default 2026-05-25). */
  publishCaCrl(revokedSerials?: readonly string[], thisUpdate?: Date): Promise<void>;
  close(): Promise<void>;
}

export async function testPki(): Promise<TestPki> {
  const server = await startLoopbackServer();
  const rootCrlUrl = server.url("/root.crl");
  const caCrlUrl = server.url("/ca.crl");
  const root = await mintRoot();
  const ca = await mintIntermediate({ issuer: root, crlUrls: [rootCrlUrl] });
  server.route("/root.crl", { body: (await mintCrl({ issuer: root })).der });
  // The leaves name the issuing CA by AIA, as Intune-issued certificates do; only the root is trusted.
  server.route("/ca.cer", { body: ca.der, contentType: "application/pkix-cert" });
  const pki: TestPki = {
    server,
    root,
    ca,
    rootCrlUrl,
    caCrlUrl,
    leaf: (options = {}) =>
      mintLeaf({ issuer: ca, crlUrls: [caCrlUrl], caIssuersUrls: [server.url("/ca.cer")], ...options }),
    async publishCaCrl(revokedSerials = [], thisUpdate = undefined) {
      const entries = revokedSerials.map((serial) => ({ serial }));
      const crl = await mintCrl({ issuer: ca, entries, ...(thisUpdate && { thisUpdate }) });
      server.route("/ca.crl", { body: crl.der });
    },
    close: () => server.close(),
  };
  await pki.publishCaCrl();
  return pki;
}

export interface Harness {
  readonly deps: Deps;
  /** Every event the use cases published (appended to the ledger), in order, routed or not. */
  readonly appended: CloudEventEnvelope[];
  /** Appended events of one type. */
  events(type: string): CloudEventEnvelope[];
  readonly stores: TableStores;
  readonly bus: RecordingBus;
  readonly inProcessBus: InProcessBus;
  readonly clock: TestClock;
  readonly logger: Logger & { lines: LogLine[] };
  readonly pki: TestPki;
  /** Trust store fingerprint the PkiDeps report; a test changes it to simulate a new collection. */
  fingerprint: string;
  /** Forgets the cached CRLs (a new process, or time past their freshness). */
  resetNetworkCaches(): void;
  close(): Promise<void>;
}

const THRESHOLDS = [30, 14, 7, 1] as const;

/** A harness on tables prefixed `prefix` (letters and digits, unique per test file). */
export async function harness(prefix: string): Promise<Harness> {
  const clock = testClock();
  const logger = recordingLogger();
  const stores = createTableStores({
    connectionString: inject("tablesConnectionString"),
    tablePrefix: prefix,
  });
  const inProcessBus = createInProcessBus({
    file: ":memory:",
    clock,
    random: () => 0,
    backoff: { baseMs: 0, maxMs: 0 },
    queues: { certificateEvents: { maxDeliveryCount: 3 } },
  });
  const bus = recordingBus(inProcessBus);
  const pki = await testPki();
  const anchors = [parseCertificate(pki.root.der)];
  let network: NetworkSources = createNetworkSources({ allowPrivateNetwork: true, clock });
  const appended: CloudEventEnvelope[] = [];
  const audit: AuditLedger = {
    async append(events, at) {
      await stores.audit.append(events, at);
      appended.push(...events);
    },
    list: (query) => stores.audit.list(query),
  };
  const h: Harness = {
    appended,
    events: (type) => appended.filter((e) => e.type === type),
    stores,
    bus,
    inProcessBus,
    clock,
    logger,
    pki,
    fingerprint: "fingerprint-1",
    resetNetworkCaches: () => {
      network = createNetworkSources({ allowPrivateNetwork: true, clock });
    },
    deps: {
      ...stores,
      audit,
      bus,
      queueStats: inProcessBus,
      clock,
      logger,
      settings: { expiryThresholdsDays: THRESHOLDS },
      pki: {
        engine: async () =>
          createEngine({
            time: clock.now(),
            anchors,
            fetchCrl: (url) => network.fetchCrl(url),
            fetchIssuers: (url) => network.fetchIssuers(url),
          }),
        fetchCrl: (url) => network.fetchCrl(url),
        trustStoreFingerprint: async () => h.fingerprint,
      },
    },
    async close() {
      await inProcessBus.close();
      await pki.close();
    },
  };
  return h;
}

/** The message the bus would deliver for `event` (first delivery unless said otherwise). */
export function messageOf(event: CloudEventEnvelope | unknown, deliveryCount = 1): ReceivedMessage {
  const id = typeof event === "object" && event !== null && "id" in event ? String(event.id) : "poison";
  return {
    messageId: id,
    deliveryCount,
    enqueuedAt: NOW,
    body: JSON.parse(JSON.stringify(event)),
    applicationProperties: {},
  };
}

/** Base64 DER, as events and records carry certificates. */
export const base64 = (der: Uint8Array): string => Buffer.from(der).toString("base64");

/**
 * A stored inventory record named by `label`: its user, UPN, address and thumbprint derive from the label;
 * a manual, valid certificate for both purposes until 2027 unless `overrides` say otherwise.
 */
export function storedRecord(label: string, overrides: Partial<CertificateRecord> = {}): CertificateRecord {
  return {
    userId: `user-${label}`,
    thumbprint: thumbprintOf(label),
    userPrincipalName: `${label}@contoso.com`,
    sources: ["manual"],
    purpose: "both",
    state: "valid",
    emailAddresses: [`${label}@contoso.com`],
    crlUrls: [],
    thresholdsAnnounced: [],
    revision: 0,
    notAfter: "2027-01-01T00:00:00.000Z",
    updatedAt: NOW.toISOString(),
    ...overrides,
  };
}
