/**
 * The one way use cases publish: every event goes to the audit ledger, and each routed event to its queue.
 */
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import type { EventType } from "../contracts/events.ts";
import { type QueueKey, ROUTES } from "../contracts/queues.ts";
import type { Deps } from "./deps.ts";

export type PublishDeps = Pick<Deps, "audit" | "bus" | "clock">;

/**
 * Records `events` in the audit ledger, then sends each routed one (ROUTES; `null` = ledger only) to its
 * queue, one `publishMany` per queue.
 *
 * Ledger first, bus second: both steps are idempotent on the event id (the ledger keeps one line per id,
 * the queues drop a messageId seen within their duplicate-detection window), so a crash between them is
 * repaired by the caller's retry — a redelivered message or a repeated HTTP request publishes the same ids
 * again. The other order would let a processor act on an event the ledger never shows; this order can
 * at worst show an event whose delivery is still being retried.
 */
export async function publishEvents(deps: PublishDeps, events: readonly CloudEventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  const unique = dedupe(events);
  await deps.audit.append(unique, deps.clock.now());
  for (const [queue, batch] of byQueue(unique)) await deps.bus.publishMany(queue, batch);
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
