/**
 * The one way use cases publish: every event goes to the audit ledger, and each routed event to its queue.
 */
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import type { EventType } from "../contracts/events.ts";
import { type QueueKey, ROUTES } from "../contracts/queues.ts";
import type { Deps } from "./deps.ts";

export type PublishDeps = Pick<Deps, "audit" | "bus" | "clock">;

/**
 * Event types whose ledger line the consumer writes when it takes the message, before it acts on it,
 * instead of the publisher. Only `user.refreshRequested`: its publisher is the Graph webhook, which must
 * answer within 3 seconds under bursts and so answers after one step (the queue), not two.
 */
export const RECORDED_ON_RECEIPT: ReadonlySet<EventType> = new Set<EventType>(["user.refreshRequested"]);

/**
 * Records `events` in the audit ledger, then sends each routed one (ROUTES; `null` = ledger only) to its
 * queue, one `publishMany` per queue. Events of RECORDED_ON_RECEIPT skip the first step: their consumer
 * calls `recordOnReceipt` first.
 *
 * Ledger before any processor acts: both steps are idempotent on the event id (the ledger keeps one line per
 * id, the queues drop a messageId seen within their duplicate-detection window), so a crash between them is
 * repaired by the caller's retry — a redelivered message or a repeated HTTP request publishes the same ids
 * again. Publishing first would let a processor act on an event the ledger never shows; recording first can
 * at worst show an event whose delivery is still being retried. An event recorded on receipt keeps the
 * rule: its consumer writes the line before anything else, and a crash after that is a redelivery that
 * finds the line there. Such an event is in the ledger once it is taken, not once it is accepted.
 */
export async function publishEvents(deps: PublishDeps, events: readonly CloudEventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  const unique = dedupe(events);
  const recordNow = unique.filter((e) => !RECORDED_ON_RECEIPT.has(e.type as EventType));
  if (recordNow.length > 0) await deps.audit.append(recordNow, deps.clock.now());
  for (const [queue, batch] of byQueue(unique)) await deps.bus.publishMany(queue, batch);
}

/**
 * What a consumer does first with every event it takes: the ledger line of an event of RECORDED_ON_RECEIPT
 * (idempotent, so a redelivery changes nothing); nothing for the others, whose publisher wrote it.
 */
export async function recordOnReceipt(
  deps: Pick<Deps, "audit" | "clock">,
  event: CloudEventEnvelope,
): Promise<void> {
  if (RECORDED_ON_RECEIPT.has(event.type as EventType)) await deps.audit.append([event], deps.clock.now());
}

/** One event per id, first occurrence kept: a batch that names one fact twice publishes it once. */
function dedupe(events: readonly CloudEventEnvelope[]): CloudEventEnvelope[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.id) && seen.add(e.id));
}

function byQueue(events: readonly CloudEventEnvelope[]): Map<QueueKey, CloudEventEnvelope[]> {
  const out = new Map<QueueKey, CloudEventEnvelope[]>();
  for (const event of events) {
    const queue = ROUTES[event.type as EventType];
    if (!queue) continue;
    const batch = out.get(queue) ?? [];
    batch.push(event);
    out.set(queue, batch);
  }
  return out;
}
