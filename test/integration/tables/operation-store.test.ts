import { describe, expect, it } from "vitest";
import { ConflictError } from "../../../shared/errors.ts";
import { operation, storesFor, T0 } from "./fixtures.ts";

const { operations } = storesFor("opstore");

describe("OperationStore on Azure Tables", () => {
  it("puts and gets an operation with its steps", async () => {
    const record = operation({
      operationId: "op-get",
      steps: [
        { at: T0, message: "requested" },
        { at: T0, message: "device sync sent" },
      ],
    });
    const etag = await operations.put(record, { ifAbsent: true });
    expect(await operations.get("op-get")).toEqual({ value: record, etag });
    expect(await operations.get("op-unknown")).toBeUndefined();
  });

  it("lists the requested and running operations only", async () => {
    const statuses = ["requested", "running", "completed", "failed"] as const;
    for (const status of statuses)
      await operations.put(operation({ operationId: `op-list-${status}`, status }), { force: true });
    const open = (await operations.listOpen()).filter((r) => r.operationId.startsWith("op-list-"));
    expect(open.map((r) => r.status).sort()).toEqual(["requested", "running"]);
  });

  it("ifAbsent twice and a stale ifMatch are ConflictErrors", async () => {
    const record = operation({ operationId: "op/with?odd#chars" });
    const etag = await operations.put(record, { ifAbsent: true });
    await expect(operations.put(record, { ifAbsent: true })).rejects.toBeInstanceOf(ConflictError);
    await operations.put({ ...record, status: "running" }, { ifMatch: etag });
    await expect(operations.put({ ...record, status: "failed" }, { ifMatch: etag })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await operations.get("op/with?odd#chars"))?.value.status).toBe("running");
  });
});
