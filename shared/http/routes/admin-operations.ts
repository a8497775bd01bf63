/**
 * `GET /api/admin/operations/{id}` (Admin): a re-provisioning's progress — status, the steps taken with their
 * times, the deadline, and why it failed when it did. 404 for an id no operation has.
 */
import type { OperationRecord } from "../../contracts/rows.ts";
import type { OperationStore } from "../../ports.ts";
import type { Handler } from "../api.ts";
import { notFound } from "../errors.ts";
import { json } from "../responses.ts";
import type { Route } from "../router.ts";

export interface AdminOperationsDeps {
  readonly operations: Pick<OperationStore, "get">;
}

/** What the admin sees: the record without the processor's bookkeeping (known thumbprints, next look). */
export function operationView(op: OperationRecord) {
  const { knownThumbprints: _known, nextCheckAt: _next, ...view } = op;
  return view;
}

export function adminOperations(deps: AdminOperationsDeps): Handler {
  return async (request) => {
    const id = request.params.id ?? "";
    const stored = id.length <= 128 ? await deps.operations.get(id) : undefined;
    if (!stored) throw notFound("no such operation");
    return json(200, operationView(stored.value));
  };
}

export const adminOperationsRoute = (deps: AdminOperationsDeps): Route => ({
  name: "adminOperations",
  method: "GET",
  path: "admin/operations/{id}",
  access: "admin",
  handle: adminOperations(deps),
});
