/**
 * Where the users subscription and the lifecycle notifications waiting to be acted on are kept: the
 * CursorStore, as JSON parsed with zod on the way back (a row written by hand or by an older version is a
 * missing value, logged, not a crash).
 */
import { z } from "zod";
import { LifecycleEvent } from "../contracts/graph.ts";
import type { CursorStore, Logger } from "../ports.ts";
import type { LifecycleSignal, SubscriptionState } from "./graph-subscription-plan.ts";

export const SubscriptionCursors = {
  /** The users subscription: id, expiry and the URLs it delivers to. */
  subscription: "graph.users.subscription",
  /** The latest lifecycle notification of one kind: `graph.lifecycle.missed`, … */
  signal: (event: LifecycleEvent) => `graph.lifecycle.${event}`,
  /** Lifecycle notifications received up to this time have been acted on. */
  handledUpTo: "graph.lifecycle.handledUpTo",
} as const;

const State = z.object({
  id: z.string().min(1),
  expirationDateTime: z.iso.datetime(),
  notificationUrl: z.string().min(1),
  lifecycleNotificationUrl: z.string().optional(),
});
const Signal = z.object({
  event: LifecycleEvent,
  subscriptionId: z.string().min(1),
  receivedAt: z.iso.datetime(),
});

type Deps = { readonly cursors: CursorStore; readonly logger: Logger };

export async function readSubscriptionState(deps: Deps): Promise<SubscriptionState | undefined> {
  return readJson(deps, SubscriptionCursors.subscription, State);
}

export async function writeSubscriptionState(deps: Deps, state: SubscriptionState, at: Date) {
  await deps.cursors.set(SubscriptionCursors.subscription, JSON.stringify(State.parse(state)), at);
}

/** Records a lifecycle notification; the latest of each kind is the one acted on. */
export async function recordSignal(deps: Deps, signal: LifecycleSignal, at: Date): Promise<void> {
  await deps.cursors.set(SubscriptionCursors.signal(signal.event), JSON.stringify(Signal.parse(signal)), at);
}

/** The lifecycle notifications received after the last handled one. */
export async function pendingSignals(deps: Deps): Promise<LifecycleSignal[]> {
  const handled = (await deps.cursors.get(SubscriptionCursors.handledUpTo))?.value ?? "";
  const signals = await Promise.all(
    LifecycleEvent.options.map((event) => readJson(deps, SubscriptionCursors.signal(event), Signal)),
  );
  return signals.filter((s): s is LifecycleSignal => s !== undefined && s.receivedAt > handled);
}

/** Marks every signal received up to `upTo` as acted on (later ones stay pending). */
export async function markSignalsHandled(deps: Deps, signals: readonly LifecycleSignal[], at: Date) {
  const upTo = signals
    .map((s) => s.receivedAt)
    .sort()
    .at(-1);
  if (upTo !== undefined) await deps.cursors.set(SubscriptionCursors.handledUpTo, upTo, at);
}

async function readJson<S extends z.ZodType>(deps: Deps, name: string, schema: S) {
  const raw = (await deps.cursors.get(name))?.value;
  if (!raw) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data as z.infer<S>;
  } catch {
    // not JSON: reported below like a schema mismatch
  }
  deps.logger.warn("unreadable cursor ignored", { cursor: name });
  return undefined;
}
