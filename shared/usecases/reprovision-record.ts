/**
 * The operation record as a re-provisioning moves it: a step appended, a failure recorded, and every change
 * written conditionally on the version read, redone from a fresh read when another delivery won the race.
 */
import type { OperationRecord } from "../contracts/rows.ts";
import { PermanentError } from "../errors.ts";
import type { Clock, OperationStore } from "../ports.ts";
import { withConflictRetry } from "./conflict-retry.ts";

export interface OperationWriter {
  readonly operations: OperationStore;
  readonly clock: Clock;
}

export const step = (op: OperationRecord, at: Date, message: string): OperationRecord => ({
  ...op,
  steps: [...op.steps, { at: at.toISOString(), message }],
});

export function failWith(op: OperationRecord, reason: string, at: Date): OperationRecord {
  if (op.status === "completed" || op.status === "failed") return op;
  return { ...step(op, at, `failed: ${reason}`), status: "failed", error: reason };
}

/** Reads, changes and writes the operation conditionally, again on a lost race. */
export function updateOperation(
  deps: OperationWriter,
  operationId: string,
  change: (op: OperationRecord) => OperationRecord,
): Promise<OperationRecord> {
  return withConflictRetry(`operation ${operationId}`, async () => {
    const stored = await deps.operations.get(operationId);
    if (!stored) throw new PermanentError(`operation ${operationId} vanished`);
    const next = change(stored.value);
    if (next === stored.value) return next;
    const written = { ...next, updatedAt: deps.clock.now().toISOString() };
    await deps.operations.put(written, { ifMatch: stored.etag });
    return written;
  });
}
