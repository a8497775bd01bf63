/**
 * What to do about the users change-notification subscription, decided from what is stored, the lifecycle
 * notifications Graph sent since the last run, and the time. Pure.
 */
import type { LifecycleEvent } from "../contracts/graph.ts";

/** Graph's longest subscription on users: 41,760 minutes (29 days). */
export const USERS_SUBSCRIPTION_MAX_MINUTES = 41_760;
/** An hour short of the maximum, so that clock skew never makes Graph refuse the expiry. */
const LIFETIME_MS = (USERS_SUBSCRIPTION_MAX_MINUTES - 60) * 60_000;
/**
 * Renewed this long before it expires: days of room for a renewal that fails (Graph down, a credential
 * being rotated) to be retried by the timer before notifications stop.
 */
export const RENEW_BEFORE_MS = 3 * 24 * 3_600_000;

/** The subscription the pipeline created, as kept in the CursorStore. */
export interface SubscriptionState {
  readonly id: string;
  readonly expirationDateTime: string;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl?: string;
}

/** A lifecycle notification not yet acted on. */
export interface LifecycleSignal {
  readonly event: LifecycleEvent;
  readonly subscriptionId: string;
  readonly receivedAt: string;
}

export interface PlanInput {
  readonly state: SubscriptionState | undefined;
  readonly signals: readonly LifecycleSignal[];
  /**
   * Whether Graph still lists the stored subscription (undefined: not asked). Graph sends
   * `subscriptionRemoved` only for some resources; for users a subscription can vanish unannounced.
   */
  readonly live?: boolean;
  readonly now: Date;
  /** Where notifications should go now (the settings). */
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string;
}

export type SubscriptionAction = "create" | "renew" | "reauthorize" | "none";

export interface SubscriptionPlan {
  readonly action: SubscriptionAction;
  /** Why, in words for the log. */
  readonly reason: string;
  /** Run a delta sync afterwards: notifications were, or may have been, lost. */
  readonly resync: boolean;
  /** A subscription to delete after creating its replacement (the URLs changed). */
  readonly replaces?: string;
}

/**
 * The first rule that applies:
 * 1. none stored → create;
 * 2. Graph removed ours (`subscriptionRemoved`) → create, then resync;
 * 3. ours expired, or Graph no longer lists it → create, then resync (nothing was delivered since);
 * 4. the notification URLs changed (a new host name) → create, delete the old one;
 * 5. within RENEW_BEFORE_MS of expiring → renew (which also reauthorizes);
 * 6. Graph asked to reauthorize ours → reauthorize;
 * 7. otherwise nothing.
 * A `missed` notification, for any subscription, adds a resync to whatever else is done; signals about
 * subscriptions that are no longer ours are otherwise ignored.
 */
export function planSubscription(input: PlanInput): SubscriptionPlan {
  const { state, signals, now } = input;
  const ours = (event: LifecycleEvent) =>
    state !== undefined && signals.some((s) => s.event === event && s.subscriptionId === state.id);
  const missed = signals.some((s) => s.event === "missed");
  if (!state) return { action: "create", reason: "no subscription yet", resync: missed };
  if (ours("subscriptionRemoved"))
    return { action: "create", reason: "Graph removed the subscription", resync: true };
  if (Date.parse(state.expirationDateTime) <= now.getTime())
    return { action: "create", reason: "the subscription expired", resync: true };
  if (input.live === false)
    return { action: "create", reason: "Graph no longer has the subscription", resync: true };
  if (
    state.notificationUrl !== input.notificationUrl ||
    (state.lifecycleNotificationUrl ?? "") !== input.lifecycleNotificationUrl
  )
    return { action: "create", reason: "the notification URLs changed", resync: missed, replaces: state.id };
  if (Date.parse(state.expirationDateTime) - now.getTime() <= RENEW_BEFORE_MS)
    return { action: "renew", reason: "the subscription expires soon", resync: missed };
  if (ours("reauthorizationRequired"))
    return { action: "reauthorize", reason: "Graph asked for reauthorization", resync: missed };
  return { action: "none", reason: missed ? "notifications were missed" : "nothing to do", resync: missed };
}

/** The expiry to ask for at `now`: as long as Graph allows for users, less a margin. */
export function subscriptionExpiry(now: Date): string {
  return new Date(now.getTime() + LIFETIME_MS).toISOString();
}
