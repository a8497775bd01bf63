/**
 * The one place the stores touch `@azure/data-tables`: connecting (connection string for Azurite and
 * development, table endpoint + TokenCredential for managed identity in Azure, where shared-key access is
 * off), creating each table once per process, conditional writes, and turning SDK errors into the errors
 * that decide retry (shared/errors.ts).
 */
import { rootCertificates } from "node:tls";
import {
  RestError,
  TableClient,
  type TableEntity,
  type TableEntityResult,
  type TableServiceClientOptions,
  type TransactionAction,
} from "@azure/data-tables";
import type { TokenCredential } from "@azure/identity";
import { ConflictError, PermanentError, RetryableError } from "../../errors.ts";
import type { WriteCondition } from "../../ports.ts";
import type { Properties } from "./entity-codec.ts";

/** How to reach the storage account; give a connection string, or an endpoint and a credential. */
export interface TablesConnectionOptions {
  /** `UseDevelopmentStorage=true`, or `DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;TableEndpoint=…;` */
  readonly connectionString?: string;
  /** `https://ACCOUNT.table.core.windows.net` (with `credential`). */
  readonly endpoint?: string;
  /** Managed identity or any Entra credential holding "Storage Table Data Contributor". */
  readonly credential?: TokenCredential;
  /** Prepended to every table name (letters and digits), so tests and environments can share an account. */
  readonly tablePrefix?: string;
  /** Retries the SDK makes itself on throttling, server and network errors before ours see them (default 3). */
  readonly maxRetries?: number;
  /** PEM of a CA to trust for the endpoint besides the system's (an internal CA, Azurite over https). */
  readonly trustedCaPem?: string;
}

/** A raw entity as read, with its ETag. */
export interface RawRow {
  readonly entity: Readonly<Record<string, unknown>>;
  readonly etag: string;
}

/** One table: point reads, conditional writes and paged queries, with errors already classified. */
export interface Table {
  readonly name: string;
  get(partitionKey: string, rowKey: string): Promise<RawRow | undefined>;
  /** Writes the whole entity (Replace semantics) under the condition; returns the new ETag. */
  write(
    partitionKey: string,
    rowKey: string,
    properties: Properties,
    condition: WriteCondition,
  ): Promise<string>;
  /**
   * Creates every row in one entity-group transaction: all or none. The rows share `partitionKey` and are at
   * most MAX_TRANSACTION_ROWS. A row that already exists fails the whole transaction with a ConflictError.
   */
  createAll(partitionKey: string, rows: readonly NewRow[]): Promise<void>;
  /**
   * Every entity matching the OData filter, page by page, in PartitionKey then RowKey order. With `select`,
   * only those properties: the service leaves the others out (or sends null for one the entity lacks).
   */
  query(
    filter?: string,
    pageSize?: number,
    select?: readonly string[],
  ): AsyncIterable<Readonly<Record<string, unknown>>>;
}

/** A row to create, within a partition. */
export interface NewRow {
  readonly rowKey: string;
  readonly properties: Properties;
}

/** The service's limit on the entities of one entity-group transaction. */
export const MAX_TRANSACTION_ROWS = 100;

/** Opens tables of one storage account. */
export type TableOpener = (logicalName: string) => Table;

/** Tables already created by this process (keyed by account URL and name): one createTable each. */
const created = new Map<string, Promise<void>>();

/** Builds the opener for an account; each table is created on first use, once per process. */
export function connectTables(options: TablesConnectionOptions): TableOpener {
  const prefix = options.tablePrefix ?? "";
  if (!/^([A-Za-z][A-Za-z0-9]*)?$/.test(prefix)) {
    throw new PermanentError(`tablePrefix '${prefix}' must be letters and digits, starting with a letter`);
  }
  return (logicalName) => {
    const name = `${prefix}${logicalName}`;
    if (name.length > 63) throw new PermanentError(`table name ${name} is longer than 63 characters`);
    return createTable(openClient(options, name), name);
  };
}

function openClient(options: TablesConnectionOptions, name: string): TableClient {
  if (options.connectionString) {
    const insecure = /UseDevelopmentStorage=true|DefaultEndpointsProtocol=http;|TableEndpoint=http:/i.test(
      options.connectionString,
    );
    return TableClient.fromConnectionString(options.connectionString, name, {
      allowInsecureConnection: insecure,
      ...pipelineOptions(options),
    });
  }
  if (options.endpoint && options.credential) {
    return new TableClient(options.endpoint, name, options.credential, {
      allowInsecureConnection: options.endpoint.startsWith("http:"),
      ...pipelineOptions(options),
    });
  }
  throw new PermanentError("Tables: give a connectionString, or an endpoint and a credential");
}

/** Client options shared by both ways of connecting. */
function pipelineOptions(options: TablesConnectionOptions): TableServiceClientOptions {
  return {
    ...(options.maxRetries === undefined ? {} : { retryOptions: { maxRetries: options.maxRetries } }),
    ...(options.trustedCaPem === undefined
      ? {}
      : { tlsOptions: { ca: [...rootCertificates, options.trustedCaPem] } }),
  };
}

function createTable(client: TableClient, name: string): Table {
  const ready = () => ensureTable(client, name);
  const write: Table["write"] = async (partitionKey, rowKey, properties, condition) => {
    await ready();
    const entity: TableEntity<Properties> = { ...properties, partitionKey, rowKey };
    try {
      if ("ifAbsent" in condition) return etagOf(await client.createEntity(entity));
      if ("ifMatch" in condition)
        return etagOf(await client.updateEntity(entity, "Replace", { etag: condition.ifMatch }));
      return etagOf(await client.upsertEntity(entity, "Replace"));
    } catch (error) {
      throw classify(error, `write ${name} '${partitionKey}'/'${rowKey}'`);
    }
  };
  return {
    name,
    async get(partitionKey, rowKey) {
      await ready();
      try {
        const entity: TableEntityResult<Record<string, unknown>> = await client.getEntity(
          partitionKey,
          rowKey,
        );
        return { entity, etag: entity.etag };
      } catch (error) {
        if (isRestError(error) && error.statusCode === 404 && errorCode(error) !== "TableNotFound")
          return undefined;
        throw classify(error, `read ${name} '${partitionKey}'/'${rowKey}'`);
      }
    },
    write,
    async createAll(partitionKey, rows) {
      if (rows.length === 0) return;
      if (rows.length > MAX_TRANSACTION_ROWS)
        throw new PermanentError(`a transaction on ${name} holds at most ${MAX_TRANSACTION_ROWS} rows`);
      await ready();
      // One row needs no transaction: a plain create is the same all-or-none, and lighter on both ends.
      if (rows.length === 1) {
        const only = rows[0]!;
        await write(partitionKey, only.rowKey, only.properties, { ifAbsent: true });
        return;
      }
      const actions: TransactionAction[] = rows.map((row) => [
        "create",
        { ...row.properties, partitionKey, rowKey: row.rowKey },
      ]);
      try {
        await client.submitTransaction(actions);
      } catch (error) {
        throw classify(error, `create ${rows.length} rows in ${name} '${partitionKey}'`);
      }
    },
    async *query(filter, pageSize = 1000, select) {
      await ready();
      const pages = client
        .listEntities<Record<string, unknown>>({
          queryOptions: { filter, ...(select && { select: [...select] }) },
        })
        .byPage({ maxPageSize: pageSize });
      try {
        for await (const page of pages) yield* page;
      } catch (error) {
        throw classify(error, `query ${name}${filter ? ` (${filter})` : ""}`);
      }
    },
  };
}

/** createTable already ignores "TableAlreadyExists"; a failure is forgotten so the next call tries again. */
function ensureTable(client: TableClient, name: string): Promise<void> {
  const key = `${client.url}|${name}`;
  let pending = created.get(key);
  if (!pending) {
    pending = client.createTable().catch((error: unknown) => {
      created.delete(key);
      throw classify(error, `create table ${name}`);
    });
    created.set(key, pending);
  }
  return pending;
}

function etagOf(response: { etag?: string }): string {
  if (!response.etag) throw new RetryableError("Tables answered a write without an ETag");
  return response.etag;
}

const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Maps an SDK failure onto the errors that decide retry: a lost condition (409 exists, 412 changed, 404 gone
 * under an ETag) is a ConflictError; throttling, server errors and network trouble are retryable, and so are
 * 401/403 (a role assignment still propagating must not turn into lost messages); a request the service
 * refuses as malformed or too large is permanent. The SDK has already retried transient ones itself.
 */
export function classify(error: unknown, what: string): Error {
  if (error instanceof RetryableError || error instanceof PermanentError) return error;
  if (!isRestError(error)) return error instanceof Error ? error : new Error(String(error));
  const status = error.statusCode;
  const code = errorCode(error);
  const message = `Tables: ${what}: ${[status, code].filter(Boolean).join(" ") || "network error"}: ${serviceMessage(error)}`;
  if (status === 404 && code === "TableNotFound") {
    created.clear();
    return new RetryableError(message, undefined, { cause: error });
  }
  if (status === 409 || status === 412 || status === 404) return new ConflictError(message, { cause: error });
  if (status === undefined || TRANSIENT.has(status) || status === 401 || status === 403) {
    return new RetryableError(message, retryAfterMs(error), { cause: error });
  }
  if (status >= 400 && status < 500) return new PermanentError(message, { cause: error });
  return new RetryableError(message, undefined, { cause: error });
}

function retryAfterMs(error: {
  response?: { headers: { get(name: string): string | undefined } };
}): number | undefined {
  const header = error.response?.headers.get("retry-after");
  const seconds = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/** The service's error code ("TableNotFound", "EntityAlreadyExists"), from its header, or the SDK's code. */
function errorCode(error: RestError): string | undefined {
  return error.response?.headers.get("x-ms-error-code") ?? error.code;
}

/** The SDK's RestError, also when it comes from another copy of the runtime package. */
function isRestError(error: unknown): error is RestError {
  return error instanceof RestError || (error instanceof Error && error.name === "RestError");
}

/** The service's own words (its JSON error body, when there is one), first line only. */
function serviceMessage(error: RestError): string {
  let text = error.message;
  try {
    const body = JSON.parse(text) as { "odata.error"?: { message?: { value?: unknown } } };
    const value = body["odata.error"]?.message?.value;
    if (typeof value === "string") text = value;
  } catch {
    // not JSON: a network error's message, kept as it is
  }
  return text.split("\n", 1)[0]?.slice(0, 300) ?? "";
}
