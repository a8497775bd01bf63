/**
 * `POST graph/lifecycle`: Graph's lifecycle notifications about the users subscription
 * (`reauthorizationRequired`, `subscriptionRemoved`, `missed`), recorded for renewSubscription to act on.
 * Like change notifications, they must be answered within 3 seconds; acting on one means Graph calls
 * (reauthorize, create — which waits for our own validation handshake — and a delta resync), so the
 * request only records it durably and manageSubscription does the work on its next run.
 */
import { LifecycleNotification } from "../contracts/graph.ts";
import type { Deps } from "./deps.ts";
import { clientStateMatches } from "./graph-client-state.ts";
import { recordSignal } from "./graph-subscription-state.ts";

export type HandleGraphLifecycleDeps = Pick<Deps, "cursors" | "clock" | "logger"> & {
  readonly clientState: string | undefined;
};

export interface HandleGraphLifecycleResult {
  readonly accepted: number;
  readonly forged: number;
  readonly ignored: number;
}

/**
 * Records each genuine lifecycle notification (the latest of each kind is kept). A wrong clientState is
 * counted and logged, never recorded.
 * @throws RetryableError when the store is unavailable: the route answers 503 and Graph retries
 */
export async function handleGraphLifecycle(
  deps: HandleGraphLifecycleDeps,
  input: { readonly notifications: readonly unknown[] },
): Promise<HandleGraphLifecycleResult> {
  const now = deps.clock.now();
  let forged = 0;
  let ignored = 0;
  const latest = new Map<
    string,
    { subscriptionId: string; event: LifecycleNotification["lifecycleEvent"] }
  >();
  for (const item of input.notifications) {
    const parsed = LifecycleNotification.safeParse(item);
    if (!parsed.success) {
      ignored++;
      continue;
    }
    if (!clientStateMatches(deps.clientState, parsed.data.clientState)) {
      forged++;
      continue;
    }
    const { lifecycleEvent: event, subscriptionId } = parsed.data;
    latest.set(event, { event, subscriptionId });
  }
  if (forged > 0)
    deps.logger.warn("graph lifecycle notifications with a wrong clientState dropped", { count: forged });
  if (ignored > 0) deps.logger.warn("graph lifecycle notifications ignored", { count: ignored });
  for (const { event, subscriptionId } of latest.values()) {
    await recordSignal(deps, { event, subscriptionId, receivedAt: now.toISOString() }, now);
    deps.logger.info("graph lifecycle notification recorded", { event, subscriptionId });
  }
  return { accepted: input.notifications.length - forged - ignored, forged, ignored };
}
