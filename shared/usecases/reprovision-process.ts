/**
 * `onReprovision`: works one re-provisioning operation to its end. Every delivery of the operation's message
 * (the first, a redelivery, or a re-check it scheduled for itself) reads the operation record and does the
 * next step that is not recorded yet, so a message that arrives twice repeats nothing already done:
 *
 * 1. resolve the user (the user store, else Entra ID) — unknown: failed;
 * 2. find the user's iOS and Android managed devices — none: failed, with the reason;
 * 3. report what the admin must fix first (no or only expired imported encryption PFX);
 * 4. ask each device to sync with Intune (each device once);
 * 5. ask for the user's `reprovisioned` notice (a content-derived event id: once);
 * 6. follow the next Intune syncs: look at the inventory now and then (a message scheduled on the reprovision
 *    queue for itself) until a new certificate for every purpose asked is there (completed) or the deadline
 *    passes (failed).
 */
import { createEvent, eventId, type PipelineEvent, parseEvent } from "../contracts/events.ts";
import type { OperationRecord } from "../contracts/rows.ts";
import { PermanentError, PoisonMessageError } from "../errors.ts";
import type { GraphDirectory, IntuneDevices, OperationStore, ReceivedMessage } from "../ports.ts";
import type { Deps } from "./deps.ts";
import { eventSource } from "./deps.ts";
import { publishEvents } from "./publish-events.ts";
import { arrivals, mobilePlatform, pfxFindings } from "./reprovision-progress.ts";
import { failWith, step, updateOperation } from "./reprovision-record.ts";

/** How closely a re-provisioning is followed. */
export interface ReprovisionTiming {
  /** Between looks at the inventory: minutes in Azure (Intune syncs take that long), seconds locally. */
  readonly recheckIntervalMs: number;
  /** From the request to giving up. */
  readonly deadlineMs: number;
}

/** Azure: a look every 5 minutes for a day (an iOS device may take hours to check in when asleep). */
export const AZURE_REPROVISION_TIMING: ReprovisionTiming = {
  recheckIntervalMs: 5 * 60_000,
  deadlineMs: 24 * 3_600_000,
};
/**
 * Local mode: the demo tenant's devices check in within seconds; a look every 2 s for 10 minutes, so an
 * Intune sync run by hand (`POST /admin/functions/syncIntune`) shows as completed at once.
 */
export const LOCAL_REPROVISION_TIMING: ReprovisionTiming = {
  recheckIntervalMs: 2_000,
  deadlineMs: 10 * 60_000,
};

export type ProcessReprovisionDeps = Pick<
  Deps,
  "audit" | "bus" | "clock" | "logger" | "users" | "certificates"
> & {
  readonly operations: OperationStore;
  readonly graph: Pick<GraphDirectory, "getUser"> & Pick<IntuneDevices, "userDevices" | "syncDevice">;
  readonly timing: ReprovisionTiming;
};

export type ReprovisionOutcome =
  | { readonly kind: "ignored"; readonly operationId: string; readonly why: string }
  | { readonly kind: "following"; readonly operationId: string; readonly nextCheckAt: string }
  | { readonly kind: "completed" | "failed"; readonly operationId: string };

type Requested = Extract<PipelineEvent, { type: "reprovision.requested" }>;

/**
 * Handles one message of the reprovision queue.
 * @throws PoisonMessageError for a message that is no `reprovision.requested` event
 * @throws RetryableError when Graph or the stores are busy (the message is redelivered; done steps stay done)
 */
export async function processReprovision(
  deps: ProcessReprovisionDeps,
  message: ReceivedMessage,
): Promise<ReprovisionOutcome> {
  const event = requestedEvent(message);
  const { operationId } = event.data;
  const stored = await deps.operations.get(operationId);
  if (!stored) return { kind: "ignored", operationId, why: "no such operation" };
  const op = stored.value;
  if (op.status === "completed" || op.status === "failed")
    return { kind: "ignored", operationId, why: `already ${op.status}` };
  const now = deps.clock.now();
  if (op.nextCheckAt !== undefined && now < new Date(op.nextCheckAt))
    return { kind: "ignored", operationId, why: "a re-check is already scheduled" };
  try {
    const started = op.status === "requested" ? await start(deps, op, event) : op;
    if (started.status === "failed") return finish(deps, started, event);
    return await follow(deps, started, event);
  } catch (e) {
    if (!(e instanceof PermanentError)) throw e;
    // Graph refused for good (the user or a device is gone): the operation cannot go on.
    const failed = await updateOperation(deps, operationId, (o) => failWith(o, e.message, deps.clock.now()));
    return finish(deps, failed, event);
  }
}

function requestedEvent(message: ReceivedMessage): Requested {
  const parsed = parseEvent(message.body);
  if (!parsed.ok) throw new PoisonMessageError("UnparseableEvent", parsed.error);
  if (parsed.event.type !== "reprovision.requested")
    throw new PoisonMessageError("UnexpectedEventType", `the reprovision queue got ${parsed.event.type}`);
  return parsed.event;
}

/** Steps 1–5; each writes the record before the next begins, and skips what the record says is done. */
async function start(
  deps: ProcessReprovisionDeps,
  initial: OperationRecord,
  event: Requested,
): Promise<OperationRecord> {
  let op = initial;
  if (op.userId === undefined) {
    const userId = await resolveUser(deps, op.userPrincipalName);
    const now = deps.clock.now();
    if (userId === undefined)
      return updateOperation(deps, op.operationId, (o) =>
        failWith(o, `no user ${o.userPrincipalName} in Entra ID`, now),
      );
    const known = (await deps.certificates.listByUser(userId)).map((r) => r.thumbprint);
    op = await updateOperation(deps, op.operationId, (o) =>
      o.userId !== undefined
        ? o
        : { ...step(o, now, `user ${o.userPrincipalName} is ${userId}`), userId, knownThumbprints: known },
    );
  }
  const userId = op.userId as string;
  if (op.devices === undefined) op = await findDevices(deps, op, userId);
  if (op.devices?.length === 0) return op;
  op = await syncDevices(deps, op);
  return requestNotice(deps, op, userId, event);
}

async function resolveUser(deps: ProcessReprovisionDeps, upn: string): Promise<string | undefined> {
  const known = await deps.users.findByUpn(upn);
  if (known && !known.deleted) return known.userId;
  return (await deps.graph.getUser(upn))?.id;
}

async function findDevices(
  deps: ProcessReprovisionDeps,
  op: OperationRecord,
  userId: string,
): Promise<OperationRecord> {
  const all = await deps.graph.userDevices(userId);
  const devices = all.flatMap((d) => {
    const platform = mobilePlatform(d);
    return platform ? [{ id: d.id, platform, ...(d.deviceName ? { name: d.deviceName } : {}) }] : [];
  });
  const findings = pfxFindings(await deps.certificates.listByUser(userId), op.purpose, deps.clock.now());
  const now = deps.clock.now();
  return updateOperation(deps, op.operationId, (o) => {
    if (o.devices !== undefined) return o;
    let next: OperationRecord = { ...o, devices };
    if (devices.length === 0) {
      const others =
        all.length > 0 ? ` (${all.length} other device(s): Outlook mobile needs iOS or Android)` : "";
      return failWith(next, `${o.userPrincipalName} has no enrolled iOS or Android device${others}`, now);
    }
    next = step(next, now, `found ${devices.map((d) => `${d.name ?? d.id} (${d.platform})`).join(", ")}`);
    for (const finding of findings) next = step(next, now, `admin action needed: ${finding}`);
    return next;
  });
}

async function syncDevices(deps: ProcessReprovisionDeps, initial: OperationRecord): Promise<OperationRecord> {
  let op = initial;
  for (const device of initial.devices ?? []) {
    if (device.syncRequestedAt !== undefined) continue;
    const name = `${device.name ?? device.id} (${device.platform})`;
    let said = `asked ${name} to sync with Intune`;
    try {
      await deps.graph.syncDevice(device.id);
    } catch (e) {
      // One device retired since the listing must not stop the others; its sync is recorded as tried.
      if (!(e instanceof PermanentError)) throw e;
      said = `could not ask ${name} to sync: ${e.message}`;
    }
    const now = deps.clock.now();
    op = await updateOperation(deps, op.operationId, (o) =>
      o.devices?.find((d) => d.id === device.id)?.syncRequestedAt !== undefined
        ? o
        : {
            ...step(o, now, said),
            devices: (o.devices ?? []).map((d) =>
              d.id === device.id ? { ...d, syncRequestedAt: now.toISOString() } : d,
            ),
          },
    );
  }
  return op;
}

async function requestNotice(
  deps: ProcessReprovisionDeps,
  op: OperationRecord,
  userId: string,
  event: Requested,
): Promise<OperationRecord> {
  const now = deps.clock.now();
  const notice = createEvent(
    "notification.requested",
    { userId, reason: "reprovisioned", operationId: op.operationId },
    { source: eventSource("onReprovision"), time: now, traceparent: event.traceparent },
  );
  await publishEvents(deps, [notice]);
  const deadline = new Date(new Date(op.createdAt).getTime() + deps.timing.deadlineMs).toISOString();
  return updateOperation(deps, op.operationId, (o) =>
    o.status === "requested"
      ? {
          ...step(o, now, `asked for the user's re-provisioned notice; following Intune until ${deadline}`),
          status: "running",
          deadline,
        }
      : o,
  );
}

/** Step 6: done, past the deadline, or another look later. */
async function follow(
  deps: ProcessReprovisionDeps,
  op: OperationRecord,
  event: Requested,
): Promise<ReprovisionOutcome> {
  const now = deps.clock.now();
  const arrival = arrivals(op, await deps.certificates.listByUser(op.userId as string), now);
  if (arrival.complete) {
    const found = [...new Set([...arrival.found.signing, ...arrival.found.encryption])];
    const done = await updateOperation(deps, op.operationId, (o) => ({
      ...step(o, now, `new certificate(s) installed: ${found.join(", ")}`),
      status: "completed",
    }));
    return finish(deps, done, event);
  }
  if (op.deadline !== undefined && now >= new Date(op.deadline)) {
    const why = `no new ${arrival.missing.join(" or ")} certificate was installed by ${op.deadline}`;
    const failed = await updateOperation(deps, op.operationId, (o) => failWith(o, why, now));
    return finish(deps, failed, event);
  }
  const at = new Date(now.getTime() + deps.timing.recheckIntervalMs);
  // Scheduled before it is recorded: a crash in between leaves a second chain of looks (harmless, each is
  // idempotent and the first to see the result ends the operation), never none.
  await deps.bus.schedule("reprovision", recheck(event, at), at);
  await updateOperation(deps, op.operationId, (o) => ({ ...o, nextCheckAt: at.toISOString() }));
  return { kind: "following", operationId: op.operationId, nextCheckAt: at.toISOString() };
}

/**
 * The message of one look: the request's event under an id of its own (the operation and the look's time), so
 * a queue with duplicate detection would still deliver every look, while scheduling the same look twice
 * repeats its id.
 */
function recheck(event: Requested, at: Date): Requested {
  return { ...event, id: eventId(event.type, [event.data.operationId, "recheck", at.toISOString()]) };
}

/** Publishes the outcome event (content-derived id: once, however often a redelivery gets here). */
async function finish(
  deps: ProcessReprovisionDeps,
  op: OperationRecord,
  event: Requested,
): Promise<ReprovisionOutcome> {
  const at = op.updatedAt;
  const outcome =
    op.status === "completed"
      ? createEvent(
          "reprovision.completed",
          { operationId: op.operationId, userPrincipalName: op.userPrincipalName, completedAt: at },
          { source: eventSource("onReprovision"), time: new Date(at), traceparent: event.traceparent },
        )
      : createEvent(
          "reprovision.failed",
          {
            operationId: op.operationId,
            userPrincipalName: op.userPrincipalName,
            reason: op.error ?? "failed",
            failedAt: at,
          },
          { source: eventSource("onReprovision"), time: new Date(at), traceparent: event.traceparent },
        );
  await publishEvents(deps, [outcome]);
  deps.logger.info("reprovision ended", { operationId: op.operationId, status: op.status, error: op.error });
  return { kind: op.status === "completed" ? "completed" : "failed", operationId: op.operationId };
}
