/**
 * `POST admin/reprovision`: an admin asks for a user's S/MIME certificates to be delivered again. The request
 * is stored as an operation (`GET admin/operations/{id}` reports its progress) and announced as
 * `reprovision.requested`, which the reprovision queue carries to `onReprovision` (reprovision-process.ts).
 *
 * The announcement is also the audit line: the ledger keeps who asked (the token's principal name), what (user,
 * purpose, reason) and when; `reprovision.completed` or `reprovision.failed` later records the result.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { CertificatePurpose, createEvent } from "../contracts/events.ts";
import type { OperationRecord } from "../contracts/rows.ts";
import { ConflictError } from "../errors.ts";
import type { OperationStore } from "../ports.ts";
import type { Deps } from "./deps.ts";
import { eventSource } from "./deps.ts";
import { parseInput } from "./input-error.ts";
import { publishEvents } from "./publish-events.ts";

/** The request body (DESIGN.md "HTTP"); the route parses with it too, so both name the same fields. */
export const ReprovisionBody = z.object({
  userPrincipalName: z
    .string()
    .trim()
    .max(256)
    .regex(/^[^@\s]+@[^@\s]+$/, "a user principal name: user@domain"),
  purpose: CertificatePurpose,
  reason: z.string().trim().min(1, "required").max(1000, "at most 1000 characters"),
});
export type ReprovisionBody = z.infer<typeof ReprovisionBody>;

export interface RequestReprovisionInput extends ReprovisionBody {
  /** Who asked: the token principal's name (never the token). */
  readonly requestedBy: string;
  readonly traceparent?: string;
}

export interface RequestReprovisionResult {
  readonly operationId: string;
  /** False when an identical request in the same window already started this operation. */
  readonly created: boolean;
}

export type RequestReprovisionDeps = Pick<Deps, "audit" | "bus" | "clock" | "logger"> & {
  readonly operations: OperationStore;
};

/**
 * An admin who clicks twice, or a client that retries a timed-out POST, must not start two operations that
 * sync the same devices and notify the user twice: identical requests (user, purpose, reason, requester) in
 * the same window get the same operation id. Windows are aligned to the clock, so two requests straddling a
 * boundary make two operations — harmless (each is idempotent) and rare; a later, deliberate repeat gets a
 * new operation, which a fixed id for ever would forbid.
 */
export const REPROVISION_DEDUPE_WINDOW_MS = 5 * 60_000;

/** The operation id of a request at `at`: a UUID-shaped digest of the request and its window. */
export function operationIdFor(body: ReprovisionBody, requestedBy: string, at: Date): string {
  const window = Math.floor(at.getTime() / REPROVISION_DEDUPE_WINDOW_MS);
  const h = createHash("sha256")
    .update(
      JSON.stringify([body.userPrincipalName.toLowerCase(), body.purpose, body.reason, requestedBy, window]),
    )
    .digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Stores the operation (if new) and publishes `reprovision.requested`.
 * @throws InputError naming the field when the body is refused (nothing is stored)
 */
export async function requestReprovision(
  deps: RequestReprovisionDeps,
  input: RequestReprovisionInput,
): Promise<RequestReprovisionResult> {
  const body = parseInput(ReprovisionBody, input);
  const now = deps.clock.now();
  const operationId = operationIdFor(body, input.requestedBy, now);
  const record: OperationRecord = {
    operationId,
    kind: "reprovision",
    userPrincipalName: body.userPrincipalName,
    purpose: body.purpose,
    reason: body.reason,
    requestedBy: input.requestedBy,
    status: "requested",
    steps: [{ at: now.toISOString(), message: `requested by ${input.requestedBy}: ${body.reason}` }],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const created = await createOnce(deps.operations, record);
  const stored = created ? record : ((await deps.operations.get(operationId))?.value ?? record);
  // Published again for a repeat: the event id is the operation's, so the queue and the ledger keep one.
  const event = createEvent(
    "reprovision.requested",
    {
      operationId,
      userPrincipalName: stored.userPrincipalName,
      purpose: stored.purpose,
      reason: stored.reason,
      requestedBy: stored.requestedBy,
      requestedAt: stored.createdAt,
    },
    { source: eventSource("requestReprovision"), time: now, traceparent: input.traceparent },
  );
  await publishEvents(deps, [event]);
  deps.logger.info("reprovision requested", {
    operationId,
    userPrincipalName: body.userPrincipalName,
    purpose: body.purpose,
    requestedBy: input.requestedBy,
    created,
  });
  return { operationId, created };
}

async function createOnce(operations: OperationStore, record: OperationRecord): Promise<boolean> {
  try {
    await operations.put(record, { ifAbsent: true });
    return true;
  } catch (e) {
    if (e instanceof ConflictError) return false;
    throw e;
  }
}
