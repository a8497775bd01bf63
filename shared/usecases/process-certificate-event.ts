/**
 * onCertificateEvent's use case: one message of the certificate-events queue — a certificate discovered,
 * expiring, expired, revoked or removed, a re-validation asked for, a user changed — turned into the
 * inventory's new record, its follow-up events and the user's readiness summary.
 *
 * The inventory's single writer. Messages of one user arrive in order (the Service Bus session is the
 * user's id), but any message may arrive twice, or again after a crash half-way; so:
 * - every decision is recomputed from the stored record, and a record whose content would not change is
 *   not rewritten: a replayed event changes nothing and publishes nothing new;
 * - follow-up events are published **before** the record is written, with ids derived from the new
 *   record's revision: a crash between the two is repaired by the redelivery, which recomputes the same
 *   revision, republishes the same ids (dropped as duplicates) and writes;
 * - the write is conditional on the ETag read; a lost race is redone from a fresh read.
 */
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import { createEvent, type EventData, type PipelineEvent, parseEvent } from "../contracts/events.ts";
import type { CertificateRecord, UserRecord } from "../contracts/rows.ts";
import { nextState, readyForPurpose, verdictOf } from "../domain/lifecycle.ts";
import { notificationsFor } from "../domain/notification-policy.ts";
import { PermanentError, PoisonMessageError } from "../errors.ts";
import type { GraphDirectory, ReceivedMessage } from "../ports.ts";
import {
  applyEvent,
  type CertificateEvent,
  canonicalJson,
  type Draft,
  material,
} from "./certificate-changes.ts";
import { withConflictRetry } from "./conflict-retry.ts";
import { type Deps, eventSource } from "./deps.ts";
import { processUserRefreshRequested } from "./graph-refresh-user.ts";
import { withIntuneProblems } from "./intune-verdict.ts";
import { processUserChanged } from "./process-user-changed.ts";
import { publishEvents, recordOnReceipt } from "./publish-events.ts";
import { refreshReadiness } from "./refresh-readiness.ts";
import { type ValidatedFields, validateRecord } from "./validate-record.ts";

export type ProcessCertificateEventDeps = Pick<
  Deps,
  "certificates" | "users" | "audit" | "bus" | "clock" | "logger" | "pki" | "settings" | "cursors"
> & {
  /** Reads a user a change notification named (user.refreshRequested); every runtime has it. */
  readonly graph?: Pick<GraphDirectory, "getUser">;
};

export interface ProcessOutcome {
  readonly eventId: string;
  readonly type: string;
  /** changed: the record was written; unchanged: it already said this; ignored: the event did not apply. */
  readonly result: "changed" | "unchanged" | "ignored";
  readonly state?: CertificateRecord["state"];
  /** Follow-up events published: verdicts and notices, or re-validation requests for user.changed. */
  readonly published: number;
}

const SOURCE = eventSource("onCertificateEvent");

const CERTIFICATE_EVENTS = new Set<string>([
  "certificate.discovered",
  "certificate.expiring",
  "certificate.expired",
  "certificate.revoked",
  "certificate.removed",
  "certificate.revalidationRequested",
]);

/**
 * Handles one message.
 * @throws PoisonMessageError for a body that is no pipeline event, or an event that does not belong on this
 *   queue: it can never succeed, and belongs in the dead-letter queue with its reason
 * @throws RetryableError when the record kept changing under it, or a store or the bus failed transiently
 */
export async function processCertificateEvent(
  deps: ProcessCertificateEventDeps,
  message: ReceivedMessage,
): Promise<ProcessOutcome> {
  const event = parseMessage(message);
  await recordOnReceipt(deps, event);
  if (event.type === "user.changed") return processUserChanged(deps, event);
  if (event.type === "user.refreshRequested") {
    if (!deps.graph) throw new PermanentError("user.refreshRequested needs the Microsoft Graph gateway");
    return processUserRefreshRequested({ ...deps, graph: deps.graph }, event);
  }
  if (!CERTIFICATE_EVENTS.has(event.type))
    throw new PoisonMessageError("UnexpectedEventType", `${event.type} is not handled on certificate-events`);
  return certificateEvent(deps, event as PipelineEvent & CertificateEvent);
}

/** The message body as a pipeline event, or a PoisonMessageError saying why not. */
export function parseMessage(message: Pick<ReceivedMessage, "body">): PipelineEvent {
  let body = message.body;
  try {
    if (body instanceof Uint8Array) body = new TextDecoder("utf-8", { fatal: true }).decode(body);
    if (typeof body === "string") body = JSON.parse(body);
  } catch (e) {
    throw new PoisonMessageError("UnparseableEvent", `the body is not JSON: ${(e as Error).message}`);
  }
  const parsed = parseEvent(body);
  if (!parsed.ok) throw new PoisonMessageError("UnparseableEvent", parsed.error);
  return parsed.event;
}

async function certificateEvent(
  deps: ProcessCertificateEventDeps,
  event: PipelineEvent & CertificateEvent,
): Promise<ProcessOutcome> {
  const now = deps.clock.now();
  const { userId, thumbprint } = event.data;
  const log = deps.logger.child({ eventId: event.id, type: event.type, userId, thumbprint });
  const validations = new Map<string, Promise<ValidatedFields | undefined>>();
  const outcome = await withConflictRetry(`certificate ${thumbprint}`, async () => {
    const [stored, userRow] = await Promise.all([
      deps.certificates.get(userId, thumbprint),
      deps.users.get(userId),
    ]);
    const draft = applyEvent(stored?.value, event, deps.settings.expiryThresholdsDays, now);
    if ("ignored" in draft) {
      log.warn("event ignored", { why: draft.ignored });
      return { result: "ignored" as const, published: 0 };
    }
    const user = userRow?.value;
    const next = await decide(deps, draft, stored?.value, user, now, validations);
    if (stored && material(next) === material(stored.value))
      return { result: "unchanged" as const, next, published: 0 };
    const others = (await deps.certificates.listByUser(userId)).filter((c) => c.thumbprint !== thumbprint);
    const events = followUps(stored?.value, next, user, others, now);
    await publishEvents(deps, events);
    await deps.certificates.put(next, stored ? { ifMatch: stored.etag } : { ifAbsent: true });
    log.info("certificate updated", { state: next.state, revision: next.revision, published: events.length });
    // What the readiness refresh would read again: the user as read, and the partition as it is now written.
    const seen = { user: userRow, certificates: inKeyOrder([...others, next]) };
    return { result: "changed" as const, next, published: events.length, seen };
  });
  if (outcome.next) await refreshReadiness(deps, outcome.next, now, outcome.seen);
  return {
    eventId: event.id,
    type: event.type,
    result: outcome.result,
    ...(outcome.next && { state: outcome.next.state }),
    published: outcome.published,
  };
}

/** Records in the order listByUser returns them (RowKey = the thumbprint). */
function inKeyOrder(records: CertificateRecord[]): CertificateRecord[] {
  return records.sort((a, b) => (a.thumbprint < b.thumbprint ? -1 : a.thumbprint > b.thumbprint ? 1 : 0));
}

/** The record after the draft: a fresh verdict when asked for and possible, then the lifecycle's state. */
async function decide(
  deps: ProcessCertificateEventDeps,
  draft: Draft,
  stored: CertificateRecord | undefined,
  user: UserRecord | undefined,
  now: Date,
  validations: Map<string, Promise<ValidatedFields | undefined>>,
): Promise<CertificateRecord> {
  const smtp = user?.primarySmtp ?? draft.record.smtp;
  const validated = draft.validate
    ? await cachedValidation(deps, draft.record, smtp, now, validations)
    : undefined;
  const merged = { ...draft.record, ...validated };
  const record = { ...merged, ...withIntuneProblems(merged) };
  const verdict = verdictOf(record);
  const transition = nextState({
    current: draft.from,
    ...(verdict && { verdict }),
    ...(record.notAfter && { notAfter: new Date(record.notAfter) }),
    ...(stored?.notAfter && { previousNotAfter: new Date(stored.notAfter) }),
    purpose: record.purpose,
    ...(draft.revoked && { revoked: true }),
    ...(draft.removed && { removed: true }),
    now,
    thresholds: deps.settings.expiryThresholdsDays,
  });
  const verdictChanged =
    !stored ||
    canonicalJson([stored.signing, stored.encryption]) !== canonicalJson([record.signing, record.encryption]);
  const bump = !stored || transition.state !== stored.state || verdictChanged;
  return {
    ...record,
    state: transition.state,
    revision: bump ? (stored?.revision ?? -1) + 1 : record.revision,
    updatedAt: now.toISOString(),
  };
}

/** One engine run per certificate, purpose and SMTP address per message, however often the write is retried. */
function cachedValidation(
  deps: ProcessCertificateEventDeps,
  record: CertificateRecord,
  smtp: string | undefined,
  now: Date,
  cache: Map<string, Promise<ValidatedFields | undefined>>,
) {
  const key = `${record.certificate ?? ""}|${record.purpose}|${smtp ?? ""}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = deps.pki
      .engine()
      .then((engine) => validateRecord(engine, record, { now, ...(smtp && { smtp }) }));
    cache.set(key, pending);
  }
  return pending;
}

/**
 * What a new record announces: its verdict (`certificate.validated` or `.validationFailed`, once per
 * revision) and the notices the notification policy asks for.
 */
function followUps(
  previous: CertificateRecord | undefined,
  next: CertificateRecord,
  user: UserRecord | undefined,
  others: readonly CertificateRecord[],
  now: Date,
): CloudEventEnvelope[] {
  const options = { source: SOURCE, time: now };
  const out: CloudEventEnvelope[] = [];
  const verdict = verdictOf(next);
  if (verdict && next.notAfter && next.lastValidatedAt && next.revision !== previous?.revision) {
    const data: EventData<"certificate.validated"> = {
      userId: next.userId,
      thumbprint: next.thumbprint,
      state: next.state,
      signing: next.signing ?? { ready: false, problems: [] },
      encryption: next.encryption ?? { ready: false, problems: [] },
      notAfter: next.notAfter,
      validatedAt: next.lastValidatedAt,
      revision: next.revision,
    };
    // The state, not the stored verdict alone: an expired or revoked certificate is no longer validated.
    const ready =
      readyForPurpose(verdict, next.purpose) && (next.state === "valid" || next.state === "expiring");
    out.push(createEvent(ready ? "certificate.validated" : "certificate.validationFailed", data, options));
  }
  const notices = notificationsFor({
    ...(previous && { previous }),
    next,
    ...(user && { user }),
    certificates: [...others, next],
    now,
  });
  for (const notice of notices) out.push(createEvent("notification.requested", notice, options));
  return out;
}
