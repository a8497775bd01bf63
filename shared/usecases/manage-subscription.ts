/**
 * renewSubscription (timer, and at start): keeps the users change-notification subscription alive and acts
 * on the lifecycle notifications `POST graph/lifecycle` recorded — creates it, renews it before it expires,
 * reauthorizes it when Graph asks, recreates it when Graph removed it, and resyncs users by delta when
 * notifications were or may have been lost.
 *
 * Graph calls happen here, never in the webhook: creating a subscription makes Graph call our
 * notification URL for the validation handshake and wait for it, and a resync pages through the directory;
 * neither fits in the 3 seconds Graph gives a notification request.
 */
import { PermanentError } from "../errors.ts";
import type { GraphSubscriptions } from "../ports.ts";
import type { SubscriptionState } from "./graph-subscription-plan.ts";
import { planSubscription, type SubscriptionPlan, subscriptionExpiry } from "./graph-subscription-plan.ts";
import {
  markSignalsHandled,
  pendingSignals,
  readSubscriptionState,
  writeSubscriptionState,
} from "./graph-subscription-state.ts";
import { type SyncUsersDeps, type SyncUsersResult, syncUsers } from "./sync-users.ts";

/** Where Graph delivers, and the secret it echoes. */
export interface WebhookSettings {
  /** `https://<host>/api/graph/notifications`. */
  readonly notificationUrl: string;
  /** `https://<host>/api/graph/lifecycle`. */
  readonly lifecycleNotificationUrl: string;
  /** GRAPH_CLIENT_STATE; without it no subscription is made (no notification could be trusted). */
  readonly clientState: string | undefined;
}

export type ManageSubscriptionDeps = SyncUsersDeps & {
  readonly graph: SyncUsersDeps["graph"] &
    Pick<GraphSubscriptions, "create" | "renew" | "reauthorize" | "remove" | "list">;
  readonly webhook: WebhookSettings;
};

export interface ManageSubscriptionResult {
  readonly action: SubscriptionPlan["action"] | "disabled";
  readonly reason: string;
  readonly subscriptionId?: string;
  readonly expirationDateTime?: string;
  readonly resync?: SyncUsersResult;
}

/** The users subscription: every user's updates and deletions (`updated` includes creation for users). */
export const USERS_SUBSCRIPTION = { resource: "/users", changeType: "updated,deleted" } as const;

export async function manageSubscription(deps: ManageSubscriptionDeps): Promise<ManageSubscriptionResult> {
  const { webhook } = deps;
  if (!webhook.clientState) {
    deps.logger.warn("no Graph clientState configured: no users subscription is kept");
    return { action: "disabled", reason: "GRAPH_CLIENT_STATE is not set" };
  }
  const now = deps.clock.now();
  const state = await readSubscriptionState(deps);
  const signals = await pendingSignals(deps);
  const live = state ? await isListed(deps, state.id) : undefined;
  const plan = planSubscription({
    state,
    signals,
    ...(live !== undefined && { live }),
    now,
    notificationUrl: webhook.notificationUrl,
    lifecycleNotificationUrl: webhook.lifecycleNotificationUrl,
  });
  const outcome = await carryOut(deps, plan, state, now);
  // The resync comes before the signals are marked handled: a resync that fails is tried again next run.
  const resync = outcome.resync ? await syncUsers(deps) : undefined;
  await markSignalsHandled(deps, signals, now);
  const result: ManageSubscriptionResult = {
    action: outcome.action,
    reason: outcome.reason,
    ...(outcome.state && {
      subscriptionId: outcome.state.id,
      expirationDateTime: outcome.state.expirationDateTime,
    }),
    ...(resync && { resync }),
  };
  deps.logger.info("users subscription checked", { ...result, resync: resync !== undefined });
  return result;
}

interface Outcome {
  readonly action: SubscriptionPlan["action"];
  readonly reason: string;
  readonly resync: boolean;
  readonly state: SubscriptionState | undefined;
}

/**
 * Does what the plan says. A renewal or reauthorization that Graph refuses for good (404: the subscription
 * is gone; 403) falls back to creating a new subscription, and a resync for what was lost meanwhile.
 */
async function carryOut(
  deps: ManageSubscriptionDeps,
  plan: SubscriptionPlan,
  state: SubscriptionState | undefined,
  now: Date,
): Promise<Outcome> {
  if (plan.action === "none") return { ...plan, state };
  if (plan.action === "create") {
    const created = await create(deps, now);
    await removeQuietly(deps, plan.replaces);
    return { ...plan, state: created };
  }
  // The plan renews or reauthorizes only a stored subscription.
  const current = state!;
  try {
    if (plan.action === "renew") {
      const renewed = await deps.graph.renew(current.id, subscriptionExpiry(now));
      const next = { ...current, expirationDateTime: renewed.expirationDateTime };
      await writeSubscriptionState(deps, next, now);
      return { ...plan, state: next };
    }
    await deps.graph.reauthorize(current.id);
    return { ...plan, state: current };
  } catch (e) {
    if (!(e instanceof PermanentError)) throw e;
    deps.logger.warn(`Graph refused to ${plan.action} the subscription: creating a new one`, {
      subscriptionId: current.id,
      error: e,
    });
    const created = await create(deps, now);
    return { action: "create", reason: `${plan.action} refused: ${e.message}`, resync: true, state: created };
  }
}

async function create(deps: ManageSubscriptionDeps, now: Date): Promise<SubscriptionState> {
  const { webhook } = deps;
  const created = await deps.graph.create({
    ...USERS_SUBSCRIPTION,
    notificationUrl: webhook.notificationUrl,
    lifecycleNotificationUrl: webhook.lifecycleNotificationUrl,
    expirationDateTime: subscriptionExpiry(now),
    clientState: webhook.clientState,
    latestSupportedTlsVersion: "v1_2",
  });
  const state: SubscriptionState = {
    id: created.id,
    expirationDateTime: created.expirationDateTime,
    notificationUrl: webhook.notificationUrl,
    lifecycleNotificationUrl: webhook.lifecycleNotificationUrl,
  };
  await writeSubscriptionState(deps, state, now);
  deps.logger.info("users subscription created", {
    subscriptionId: created.id,
    expires: created.expirationDateTime,
  });
  return state;
}

/**
 * Whether Graph lists the subscription: one small read per run, because a users subscription can disappear
 * without a lifecycle notification (and the demo tenant forgets its subscriptions when it restarts).
 */
async function isListed(deps: ManageSubscriptionDeps, subscriptionId: string): Promise<boolean> {
  for await (const page of deps.graph.list())
    if (page.items.some((s) => s.id === subscriptionId)) return true;
  return false;
}

/** The replaced subscription is deleted when it can be; one left behind expires on its own. */
async function removeQuietly(deps: ManageSubscriptionDeps, subscriptionId: string | undefined) {
  if (subscriptionId === undefined) return;
  try {
    await deps.graph.remove(subscriptionId);
  } catch (e) {
    deps.logger.warn("replaced subscription not deleted; it will expire", { subscriptionId, error: e });
  }
}
