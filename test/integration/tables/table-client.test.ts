import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { RestError } from "@azure/data-tables";
import { describe, expect, inject, it } from "vitest";
import { createTableStores } from "../../../shared/adapters/tables/index.ts";
import {
  classify,
  connectTables,
  MAX_TRANSACTION_ROWS,
} from "../../../shared/adapters/tables/table-client.ts";
import { ConflictError, PermanentError, RetryableError } from "../../../shared/errors.ts";
import { rawTable, storesFor } from "./fixtures.ts";

function restError(
  status: number | undefined,
  code?: string,
  headers: Record<string, string> = {},
): RestError {
  const request = createPipelineRequest({ url: "http://127.0.0.1/devstoreaccount1/T" });
  const response: PipelineResponse | undefined =
    status === undefined ? undefined : { status, headers: createHttpHeaders(headers), request };
  return new RestError(`failed ${status}`, { statusCode: status, code, request, response });
}

describe("classify: SDK errors to the errors that decide retry", () => {
  it.each([
    ["409 the row exists", restError(409, "EntityAlreadyExists"), ConflictError],
    ["412 the ETag is stale", restError(412, "UpdateConditionNotSatisfied"), ConflictError],
    ["404 the row is gone under an ETag", restError(404, "ResourceNotFound"), ConflictError],
    ["404 the table is gone", restError(404, "TableNotFound"), RetryableError],
    [
      "404 the table is gone, said by header",
      restError(404, undefined, { "x-ms-error-code": "TableNotFound" }),
      RetryableError,
    ],
    ["429 throttled", restError(429), RetryableError],
    ["503 server busy", restError(503, "ServerBusy"), RetryableError],
    ["a network failure", restError(undefined, "REQUEST_SEND_ERROR"), RetryableError],
    ["403 a role still propagating", restError(403, "AuthorizationPermissionMismatch"), RetryableError],
    ["400 a malformed request", restError(400, "InvalidInput"), PermanentError],
    ["413 an entity too large", restError(413, "EntityTooLarge"), PermanentError],
  ])("%s", (_name, error, expected) => {
    const mapped = classify(error, "write T 'p'/'r'");
    expect(mapped).toBeInstanceOf(expected);
    if (expected !== ConflictError) expect(mapped).not.toBeInstanceOf(ConflictError);
    expect(mapped.message).toContain("write T 'p'/'r'");
    expect(mapped.cause).toBe(error);
  });

  it("carries Retry-After as milliseconds", () => {
    const mapped = classify(restError(429, "TooManyRequests", { "retry-after": "7" }), "read");
    expect(mapped).toBeInstanceOf(RetryableError);
    expect((mapped as RetryableError).retryAfterMs).toBe(7000);
  });

  it("lets a non-SDK error through unchanged", () => {
    const original = new TypeError("bug");
    expect(classify(original, "read")).toBe(original);
  });
});

describe("createTableStores options", () => {
  it.each([
    ["no connection at all", {}],
    ["an endpoint without a credential", { endpoint: "https://acct.table.core.windows.net" }],
    [
      "a table prefix with a dash",
      { connectionString: "UseDevelopmentStorage=true", tablePrefix: "my-prefix" },
    ],
    [
      "a table prefix starting with a digit",
      { connectionString: "UseDevelopmentStorage=true", tablePrefix: "1abc" },
    ],
  ])("%s is refused with a PermanentError", (_name, options) => {
    expect(() => createTableStores(options)).toThrow(PermanentError);
  });

  it("an unreachable account fails with a RetryableError, not a crash", async () => {
    // A port nobody listens on; no SDK retries, so the test does not wait out their back-off.
    const connectionString =
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";
    const { cursors } = createTableStores({ connectionString, tablePrefix: "unreachable", maxRetries: 0 });
    await expect(cursors.get("x")).rejects.toBeInstanceOf(RetryableError);
  });
});

describe("a table deleted under a running process", () => {
  it("the next read is retryable, and the retry finds the table created again", async () => {
    const { cursors } = storesFor("deleted");
    await cursors.set("c", "v", new Date("2026-03-01T00:00:00Z"));
    await (await rawTable("deleted", "Cursors")).deleteTable();
    await expect(cursors.get("c")).rejects.toBeInstanceOf(RetryableError);
    expect(await cursors.get("c")).toBeUndefined();
    await cursors.set("c", "v2", new Date("2026-03-01T00:00:00Z"));
    expect((await cursors.get("c"))?.value).toBe("v2");
  });
});

describe("createAll: rows of one partition in one transaction", () => {
  const open = connectTables({ connectionString: inject("tablesConnectionString"), tablePrefix: "txn" });
  const rows = (keys: readonly string[]) => keys.map((rowKey) => ({ rowKey, properties: { n: rowKey } }));
  const keysIn = async (partition: string) => {
    const raw = await rawTable("txn", "Rows");
    const keys: string[] = [];
    for await (const e of raw.listEntities({ queryOptions: { filter: `PartitionKey eq '${partition}'` } }))
      keys.push(String(e.rowKey));
    return keys;
  };

  it.each([
    ["one row", ["a"]],
    ["a hundred rows", Array.from({ length: 100 }, (_, i) => `r${String(i).padStart(3, "0")}`)],
  ])("creates %s", async (name, keys) => {
    const partition = `created-${name.length}`;
    await open("Rows").createAll(partition, rows(keys));
    expect(await keysIn(partition)).toEqual(keys);
  });

  it.each([
    ["one row", ["b"], ["b"]],
    ["a row among several", ["c", "d"], ["a", "b", "c"]],
  ])(
    "where %s exists already: a ConflictError, and none of the others written",
    async (_n, existing, keys) => {
      const partition = `conflict-${keys.length}`;
      await open("Rows").createAll(partition, rows(existing));
      const error = await open("Rows")
        .createAll(partition, rows(keys))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(await keysIn(partition)).toEqual(existing);
    },
  );

  it("refuses more than a transaction may hold before asking the service", async () => {
    const keys = Array.from({ length: MAX_TRANSACTION_ROWS + 1 }, (_, i) => `k${i}`);
    await expect(open("Rows").createAll("too-many", rows(keys))).rejects.toBeInstanceOf(PermanentError);
  });
});
