/**
 * syncUsers: every 15 minutes, off the quarter hour (minute 4, 19, 34, 49): Entra ID users by delta query,
 * so a changed primary SMTP address, a disabled or a deleted user re-validates that user's certificates.
 * Change notifications (graphNotifications) bring most changes within seconds; this is the net under them,
 * and the first full enumeration.
 */
import type { InvocationContext, Timer, TimerTriggerOptions } from "@azure/functions";
import type { GraphGateway } from "../shared/ports.ts";
import type { Deps } from "../shared/usecases/deps.ts";
import type { WebhookSettings } from "../shared/usecases/manage-subscription.ts";
import { syncUsers as sync } from "../shared/usecases/sync-users.ts";
import { depsFor } from "./invocation.ts";

export const syncUsersOptions = { schedule: "0 4,19,34,49 * * * *" } satisfies TimerTriggerOptions;

export async function syncUsers(timer: Timer, context: InvocationContext): Promise<void> {
  const deps = graphDepsFor(context, { isPastDue: timer.isPastDue });
  await sync(deps);
}

/** What the Graph functions need beyond `Deps`: the gateway and where Graph delivers notifications. */
export interface GraphRuntime {
  readonly graph: GraphGateway;
  readonly webhook: WebhookSettings;
}

/**
 * This invocation's deps with the Graph gateway and webhook settings the composition root puts on `Deps`
 * (`graph`, `webhook`).
 * @throws Error when the runtime was built without a Graph gateway (no tenant configured, not local mode)
 */
export function graphDepsFor(
  context: InvocationContext,
  fields: Record<string, unknown> = {},
): Deps & GraphRuntime {
  const deps = depsFor(context, fields) as Deps & Partial<GraphRuntime>;
  const { graph, webhook } = deps;
  if (!graph || !webhook)
    throw new Error(
      "no Microsoft Graph gateway: set GRAPH_TENANT_ID and GRAPH_CLIENT_ID, or run locally against the demo tenant",
    );
  return { ...deps, graph, webhook };
}
