/**
 * auditAppConfig: every six hours at minute 41 (off the hour and the other timers' minutes), Outlook's app
 * configuration policies on iOS and Android against the desired S/MIME settings. Policies change rarely; six
 * hours bounds how long a fixed policy still shows POLICY_DRIFT, at four small Graph listings a day.
 */
import type { InvocationContext, Timer, TimerTriggerOptions } from "@azure/functions";
import { runtime } from "../shared/runtime.ts";
import { type AuditAppConfigDeps, auditAppConfig as audit } from "../shared/usecases/audit-app-config.ts";
import type { Deps, GraphDeps } from "../shared/usecases/deps.ts";
import { depsFor } from "./invocation.ts";

export const auditAppConfigOptions = { schedule: "0 41 */6 * * *" } satisfies TimerTriggerOptions;

export async function auditAppConfig(timer: Timer, context: InvocationContext): Promise<void> {
  const deps = depsFor(context, { isPastDue: timer.isPastDue });
  const result = await audit(
    { ...deps, graph: graphOf(deps) },
    { now: deps.clock.now(), desired: runtime().settings.outlook },
  );
  context.info(`drifted=${result.drifted.join(",") || "none"} refreshedUsers=${result.refreshedUsers}`);
}

/** The runtime's Graph gateway (Deps.graph, where the composition root puts it). */
function graphOf(deps: Deps): AuditAppConfigDeps["graph"] {
  const { graph } = deps as Deps & Partial<GraphDeps>;
  if (!graph) throw new Error("this runtime has no Graph gateway (Deps.graph): the audit cannot read Intune");
  return graph;
}
