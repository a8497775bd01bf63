/**
 * Small interfaces between the pure core and the outside world. Adapters in shared/adapters implement them.
 */
import type { CloudEventEnvelope } from "./contracts/cloud-event.ts";
import type {
  AndroidManagedStoreAppConfiguration,
  CertificateProfile,
  CompanyPortalNotice,
  DeviceManagementExportJob,
  ExportJobCreate,
  GraphSubscription,
  GraphUser,
  GraphUserDelta,
  IosMobileAppConfiguration,
  ManagedAllDeviceCertificateState,
  ManagedDevice,
  ManagedDeviceCertificateState,
  SendMailBody,
  SubscriptionCreate,
  UserPfxCertificate,
} from "./contracts/graph.ts";
import type { QueueKey } from "./contracts/queues.ts";
import type {
  AuditRecord,
  CertificateRecord,
  CrlHealthRecord,
  NotificationKey,
  NotificationRecord,
  OperationRecord,
  UserRecord,
} from "./contracts/rows.ts";

/** One HTTP GET, already guarded (scheme, address, size, time, redirects) by the adapter. */
export interface FetchRequest {
  readonly url: string;
  /** Revalidation validators from an earlier response. */
  readonly etag?: string;
  readonly lastModified?: string;
}

export type FetchResult =
  | {
      readonly ok: true;
      /** 200 with a body, or 304 (not modified: body empty, keep the cached copy). */
      readonly status: 200 | 304;
      readonly body: Uint8Array;
      readonly etag?: string;
      readonly lastModified?: string;
      /** The URL finally answered, after redirects. */
      readonly finalUrl: string;
    }
  | {
      readonly ok: false;
      /** Why it failed, in words fit for a problem message ("timed out after 5000 ms", "refused: 10.0.0.1 is a private address"). */
      readonly reason: string;
      readonly kind: "refused" | "timeout" | "too-large" | "http-status" | "network" | "bad-url";
    };

/** Fetches CRLs and AIA issuer certificates. Never throws for network trouble: it answers `ok: false`. */
export interface Fetcher {
  get(request: FetchRequest): Promise<FetchResult>;
}

/** The time, passed in so that decisions stay pure and testable. */
export interface Clock {
  now(): Date;
}

// ---------------------------------------------------------------------------------------------------------
// The pipeline's ports. Types of what they carry live in shared/contracts (zod schemas).
// ---------------------------------------------------------------------------------------------------------

/**
 * Sends events to a queue. The event id is the message id (duplicate detection drops a replay) and the
 * envelope's `userid` the session id. Azure Service Bus in production, the durable in-process bus locally.
 */
export interface EventBus {
  publish(queue: QueueKey, event: CloudEventEnvelope): Promise<void>;
  /** Sends in as few batches as the size limit allows; all or, on error, a retry resends (duplicates drop). */
  publishMany(queue: QueueKey, events: readonly CloudEventEnvelope[]): Promise<void>;
  /** Enqueues for delivery at `at`; returns a token for `cancel`. */
  schedule(queue: QueueKey, event: CloudEventEnvelope, at: Date): Promise<string>;
  cancel(queue: QueueKey, token: string): Promise<void>;
}

/** A message as a queue consumer sees it. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly sessionId?: string;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  readonly enqueuedAt: Date;
  readonly body: unknown;
  readonly applicationProperties: Readonly<Record<string, string | number | boolean>>;
}

/** Queue depth for the status page and alerts. */
export interface QueueStats {
  depth(queue: QueueKey): Promise<{ active: number; scheduled: number; deadLetter: number }>;
  /** The oldest dead letters with their reasons, for the dashboard. */
  peekDeadLetters(
    queue: QueueKey,
    max: number,
  ): Promise<{ messageId: string; reason: string; description: string; body: unknown }[]>;
}

/** A record with the ETag of the version read; writes conditional on it throw ConflictError when stale. */
export interface Versioned<T> {
  readonly value: T;
  readonly etag: string;
}

/** How a write is conditioned: only if absent, only if unchanged since read, or unconditionally. */
export type WriteCondition =
  | { readonly ifAbsent: true }
  | { readonly ifMatch: string }
  | { readonly force: true };

/** The certificate inventory. Partitioned by user: readiness reads one user's certificates together. */
export interface CertificateStore {
  get(userId: string, thumbprint: string): Promise<Versioned<CertificateRecord> | undefined>;
  put(record: CertificateRecord, condition: WriteCondition): Promise<string>;
  listByUser(userId: string): Promise<CertificateRecord[]>;
  /**
   * The whole inventory, page by page (scans: expiry, CRLs, re-validation, status). With `select`, only those
   * fields of each record are read: a sweep of a large tenant that needs a few short fields per certificate
   * then never holds a page of whole records (certificates, verdicts). Select short fields only: a value
   * longer than a Table property (32,000 characters, stored split) is not read by a projection.
   */
  scan<K extends keyof CertificateRecord = keyof CertificateRecord>(
    select?: readonly K[],
  ): AsyncIterable<Pick<CertificateRecord, K>>;
}

export interface UserStore {
  get(userId: string): Promise<Versioned<UserRecord> | undefined>;
  findByUpn(userPrincipalName: string): Promise<UserRecord | undefined>;
  put(record: UserRecord, condition: WriteCondition): Promise<string>;
  /** Every user, page by page; with `select`, only those (short) fields of each, as CertificateStore.scan. */
  scan<K extends keyof UserRecord = keyof UserRecord>(
    select?: readonly K[],
  ): AsyncIterable<Pick<UserRecord, K>>;
}

export interface CrlHealthStore {
  get(url: string): Promise<Versioned<CrlHealthRecord> | undefined>;
  put(record: CrlHealthRecord, condition: WriteCondition): Promise<string>;
  list(): Promise<CrlHealthRecord[]>;
}

/** Makes "at most once per certificate, reason, threshold and channel" a fact. */
export interface NotificationLedger {
  /** Records the claim if no record exists for the key; false when one does (someone already claimed it). */
  claim(record: NotificationRecord): Promise<boolean>;
  get(key: NotificationKey): Promise<Versioned<NotificationRecord> | undefined>;
  put(record: NotificationRecord, condition: WriteCondition): Promise<string>;
}

export interface OperationStore {
  get(operationId: string): Promise<Versioned<OperationRecord> | undefined>;
  put(record: OperationRecord, condition: WriteCondition): Promise<string>;
  listOpen(): Promise<OperationRecord[]>;
}

/** Every event, newest first. Appending the same event id twice keeps one line. */
export interface AuditLedger {
  append(events: readonly CloudEventEnvelope[], recordedAt: Date): Promise<void>;
  list(query: { type?: string; userId?: string; limit: number }): Promise<AuditRecord[]>;
}

/** Named cursors: delta links, last sync times. */
export interface CursorStore {
  get(name: string): Promise<{ value: string; updatedAt: string } | undefined>;
  set(name: string, value: string, at: Date): Promise<void>;
}

/** Structured logs with invocation and correlation ids; secrets never go in. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Who to look up in the directory: the addresses a recipient's mail client would search by. */
export interface DirectoryUser {
  readonly userPrincipalName: string;
  readonly mail?: string;
  readonly primarySmtp?: string;
}

/** One certificate published on a directory entry, and the attribute it came from. */
export interface DirectoryCertificate {
  /** DER. */
  readonly der: Uint8Array;
  /** `userCertificate;binary` (DER) or `userSMIMECertificate` (PKCS#7 SignedData, RFC 2798). */
  readonly attribute: "userCertificate" | "userSMIMECertificate";
}

/**
 * What the directory publishes for a user: the one entry's certificates, no entry, or several entries for
 * the same addresses (the directory is ambiguous, so senders may find the wrong one: reported, not judged).
 */
export type DirectoryCertificates =
  | {
      readonly found: "one";
      readonly dn: string;
      readonly certificates: readonly DirectoryCertificate[];
      /** Attribute values that are not a certificate or a PKCS#7 holding one, each with why. */
      readonly unreadable: readonly string[];
    }
  | { readonly found: "none" }
  | { readonly found: "several"; readonly dns: readonly string[] };

/**
 * The directory recipients find encryption certificates in (DESIGN.md rule 7): the org's LDAP directory.
 * Throws RetryableError when it cannot be reached in time, PermanentError when it refuses the bind.
 */
export interface Directory {
  certificatesFor(user: DirectoryUser): Promise<DirectoryCertificates>;
  /** Ends the connection; the next lookup opens a new one. */
  close(): Promise<void>;
}

/** A read of the trust store's source: its bytes and version, or word that the version asked about is current. */
export type TrustStoreRead =
  | { readonly changed: true; readonly bytes: Uint8Array; readonly version: string }
  | { readonly changed: false };

/**
 * Where the virtual certificate collection comes from (TRUST_STORE_PATH): a file, or a blob the admin
 * uploads (shared/adapters/trust-store-source.ts). Throws an Error naming TRUST_STORE_PATH when the source is
 * missing, forbidden, too large or does not answer in time.
 */
export interface TrustStoreSource {
  /** The path or URL, for messages. */
  readonly location: string;
  /** The bytes, unless `knownVersion` (a file's size and time, a blob's ETag) is still the current one. */
  read(knownVersion?: string): Promise<TrustStoreRead>;
}

// ---------------------------------------------------------------------------------------------------------
// Microsoft Graph and Intune (shared/adapters/graph). Payload types are the zod schemas of contracts/graph.ts.
// Listings are async iterables of pages, so a 100,000-item listing never sits in memory at once. Every method
// throws RetryableError (429, 5xx, network, timeout; with retryAfterMs when Graph said) or PermanentError
// (any other 4xx, with Graph's error code; a response that breaks its schema, named).
// ---------------------------------------------------------------------------------------------------------

/**
 * One page of a listing. Items that break their schema do not sink the page: each is reported in `rejected`
 * (a GraphPayloadError naming the resource, item and field) and the rest are delivered.
 */
export interface GraphPage<T> {
  readonly items: readonly T[];
  readonly rejected: readonly Error[];
}

/** A `/users/delta` page; the last page of a round carries the deltaLink to start the next round from. */
export interface UserDeltaPage extends GraphPage<GraphUserDelta> {
  readonly deltaLink?: string;
}

/** Entra ID users and mail. */
export interface GraphDirectory {
  /** One delta round to its end: from a saved deltaLink, or a full sync without one. @throws DeltaExpiredError */
  usersDelta(deltaLink?: string): AsyncIterable<UserDeltaPage>;
  /** A user by object id or UPN; undefined when Graph answers 404. */
  getUser(idOrUpn: string): Promise<GraphUser | undefined>;
  sendMail(sender: string, body: SendMailBody): Promise<void>;
}

/** The change-notification subscription on users. */
export interface GraphSubscriptions {
  create(request: SubscriptionCreate): Promise<GraphSubscription>;
  renew(subscriptionId: string, expirationDateTime: string): Promise<GraphSubscription>;
  reauthorize(subscriptionId: string): Promise<void>;
  /** Deleting one that is already gone is not an error. */
  remove(subscriptionId: string): Promise<void>;
  list(): AsyncIterable<GraphPage<GraphSubscription>>;
}

/** What Intune knows of certificates (syncIntune). */
export interface IntuneCertificates {
  /** Imported PKCS certificates (deviceManagement/userPfxCertificates). */
  pfxCertificates(): AsyncIterable<GraphPage<UserPfxCertificate>>;
  /** The S/MIME-capable SCEP, PKCS and imported-PFX profiles for iOS and Android. */
  certificateProfiles(): Promise<CertificateProfile[]>;
  /** One profile's per-device certificate states. */
  certificateStates(profile: CertificateProfile): AsyncIterable<GraphPage<ManagedDeviceCertificateState>>;
  /** Every profile's certificate states with UPN and subject (deviceConfigurationsAllManagedDeviceCertificateStates). */
  allCertificateStates(): AsyncIterable<GraphPage<ManagedAllDeviceCertificateState>>;
  /** Starts a report export (large tenants: report AllDeviceCertificates). */
  startExport(request: ExportJobCreate): Promise<DeviceManagementExportJob>;
  getExport(jobId: string): Promise<DeviceManagementExportJob>;
  /** The completed export's ZIP, streamed (fetched from its SAS URL without the Graph token). */
  downloadExport(url: string): AsyncIterable<Uint8Array>;
}

/** Outlook app configuration policies and the user's managed devices. */
export interface IntuneDevices {
  /** Every iOS app configuration and Android managed-store configuration, with settings / payload. */
  appConfigurations(): Promise<(IosMobileAppConfiguration | AndroidManagedStoreAppConfiguration)[]>;
  /** A user's managed devices (users/{id}/managedDevices). */
  userDevices(userId: string): Promise<ManagedDevice[]>;
  syncDevice(deviceId: string): Promise<void>;
  notifyCompanyPortal(deviceId: string, notice: CompanyPortalNotice): Promise<void>;
}

/** Everything the Graph adapter offers; each consumer takes only the port it needs. */
export type GraphGateway = GraphDirectory & GraphSubscriptions & IntuneCertificates & IntuneDevices;
