/**
 * Builders for the table store tests: records at fixed dates, stores on the run's Azurite under a
 * per-file table prefix, and raw access for writing rows no store would write.
 */
import { createHash } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { inject } from "vitest";
import { createTableStores, type TableStores } from "../../../shared/adapters/tables/index.ts";
import type {
  CertificateRecord,
  CrlHealthRecord,
  NotificationRecord,
  OperationRecord,
  UserRecord,
} from "../../../shared/contracts/rows.ts";

export const T0 = "2026-03-01T08:00:00.000Z";

/** The stores of one test file: `prefix` (letters and digits) keeps its tables apart from other files'. */
export function storesFor(prefix: string): TableStores {
  return createTableStores({ connectionString: inject("tablesConnectionString"), tablePrefix: prefix });
}

/** The SDK client of one of the file's tables, for rows written behind the stores' back. */
export async function rawTable(prefix: string, logicalName: string): Promise<TableClient> {
  const client = TableClient.fromConnectionString(
    inject("tablesConnectionString"),
    `${prefix}${logicalName}`,
    {
      allowInsecureConnection: true,
    },
  );
  await client.createTable();
  return client;
}

export function thumbprint(seed: string): string {
  return createHash("sha1").update(seed).digest("hex").toUpperCase();
}

export function certificate(overrides: Partial<CertificateRecord> = {}): CertificateRecord {
  return {
    userId: "11111111-2222-3333-4444-555555555555",
    thumbprint: thumbprint("alice-signing"),
    userPrincipalName: "alice@contoso.com",
    sources: ["intunePfx", "directory"],
    purpose: "signing",
    state: "valid",
    certificate: Buffer.alloc(1500, 7).toString("base64"),
    subject: "CN=Alice, O=Contoso",
    issuer: "CN=Contoso Issuing CA",
    serialNumber: "0a1b2c",
    notBefore: "2026-01-01T00:00:00.000Z",
    notAfter: "2027-01-01T00:00:00.000Z",
    emailAddresses: ["alice@contoso.com"],
    crlUrls: ["http://crl.contoso.com/issuing.crl"],
    signing: { ready: true, problems: [] },
    encryption: {
      ready: false,
      problems: [{ code: "KEY_USAGE_ENCRYPTION", severity: "error", message: "no keyEncipherment" }],
    },
    lastValidatedAt: T0,
    thresholdsAnnounced: [30],
    revision: 1,
    updatedAt: T0,
    ...overrides,
  };
}

export function user(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    userId: "11111111-2222-3333-4444-555555555555",
    userPrincipalName: "alice@contoso.com",
    displayName: "Alice",
    primarySmtp: "alice@contoso.com",
    accountEnabled: true,
    deleted: false,
    signingReady: true,
    encryptionReady: false,
    reasons: ["KEY_USAGE_ENCRYPTION"],
    updatedAt: T0,
    ...overrides,
  };
}

export function crlHealth(overrides: Partial<CrlHealthRecord> = {}): CrlHealthRecord {
  return {
    url: "http://crl.contoso.com/issuing.crl",
    status: "healthy",
    lastCheckedAt: T0,
    lastSuccessAt: T0,
    entries: 12,
    ...overrides,
  };
}

export function notification(overrides: Partial<NotificationRecord> = {}): NotificationRecord {
  return {
    userId: "11111111-2222-3333-4444-555555555555",
    subjectId: thumbprint("alice-signing"),
    reason: "expiring",
    thresholdDays: 30,
    channel: "companyPortal",
    status: "claimed",
    claimedAt: T0,
    ...overrides,
  };
}

export function operation(overrides: Partial<OperationRecord> = {}): OperationRecord {
  return {
    operationId: "op-1",
    kind: "reprovision",
    userPrincipalName: "alice@contoso.com",
    purpose: "encryption",
    reason: "lost device",
    requestedBy: "admin@contoso.com",
    status: "requested",
    steps: [{ at: T0, message: "requested" }],
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}
