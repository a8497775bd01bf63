/**
 * Every pipeline store on Azure Tables, built from one connection: Azurite or a development account by
 * connection string, or the production account by table endpoint and managed identity.
 */
import type {
  AuditLedger,
  CertificateStore,
  CrlHealthStore,
  CursorStore,
  NotificationLedger,
  OperationStore,
  UserStore,
} from "../../ports.ts";
import { createAuditLedger } from "./audit-ledger.ts";
import { createCertificateStore } from "./certificate-store.ts";
import { createCrlHealthStore } from "./crl-health-store.ts";
import { createCursorStore } from "./cursor-store.ts";
import { createNotificationLedger } from "./notification-ledger.ts";
import { createOperationStore } from "./operation-store.ts";
import { connectTables, type TablesConnectionOptions } from "./table-client.ts";
import { createUserStore } from "./user-store.ts";

export { auditGuardKeys, auditLineKeys } from "./audit-ledger.ts";
export { certificateTableOf } from "./certificate-store.ts";
export { CorruptRowError, encodeKey } from "./entity-codec.ts";
export type { TablesConnectionOptions } from "./table-client.ts";
export { type UpdateOptions, updateWithRetry } from "./update-with-retry.ts";
export { userBucket } from "./user-store.ts";

export interface TableStores {
  readonly certificates: CertificateStore;
  readonly users: UserStore;
  readonly crlHealth: CrlHealthStore;
  readonly notifications: NotificationLedger;
  readonly operations: OperationStore;
  readonly audit: AuditLedger;
  readonly cursors: CursorStore;
}

/** Builds the stores; nothing is contacted until first use, when each table is created (once per process). */
export function createTableStores(options: TablesConnectionOptions): TableStores {
  const open = connectTables(options);
  return {
    certificates: createCertificateStore(open),
    users: createUserStore(open),
    crlHealth: createCrlHealthStore(open),
    notifications: createNotificationLedger(open),
    operations: createOperationStore(open),
    audit: createAuditLedger(open),
    cursors: createCursorStore(open),
  };
}
