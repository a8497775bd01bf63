/**
 * checkDirectory: every 6 hours, at minute 41 (off the hour other timers and tenants crowd): what the org's
 * LDAP directory publishes for each user — certificate bytes Intune lacks, and whether the current encryption
 * certificate is there for senders. Nothing to do when no directory is configured (LDAP_URL unset).
 */
import type { InvocationContext, Timer, TimerTriggerOptions } from "@azure/functions";
import { ldapDirectoryFrom } from "../shared/adapters/ldap-settings.ts";
import { runtime } from "../shared/runtime.ts";
import { checkDirectory as check } from "../shared/usecases/check-directory.ts";
import type { Deps, GraphDeps } from "../shared/usecases/deps.ts";
import { depsFor } from "./invocation.ts";

export const checkDirectoryOptions = { schedule: "0 41 */6 * * *" } satisfies TimerTriggerOptions;

export async function checkDirectory(timer: Timer, context: InvocationContext): Promise<void> {
  const deps: Deps & Partial<GraphDeps> = depsFor(context, { isPastDue: timer.isPastDue });
  // The runtime's directory when it has one (LDAP_URL, or the demo tenant's in local mode), else from settings.
  const ldap = runtime().settings.ldap;
  const directory = deps.directory ?? (ldap && (await ldapDirectoryFrom(ldap)));
  if (!directory) {
    deps.logger.info("no LDAP directory configured (LDAP_URL): nothing to check");
    return;
  }
  await check(deps, directory, { now: deps.clock.now() });
}
