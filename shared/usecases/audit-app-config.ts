/**
 * The Outlook app configuration audit (DESIGN.md rule 6): reads every app configuration policy from Intune,
 * compares Outlook's S/MIME settings on iOS and Android with the desired state, announces each drifted
 * platform (`policy.drifted`, ledger only) and keeps the drift where readiness reads it, so that the users
 * of a drifted platform show POLICY_DRIFT there until the policy is fixed.
 *
 * Idempotent: the event id comes from the platform, the policies and the differences, so the same drift
 * found every day is one event until it changes; the users' summaries are refreshed only when the set of
 * drifted platforms changes (or a refresh is still owed from a run that died half-way).
 */
import type { OutlookPolicySettings } from "../config.ts";
import type { CloudEventEnvelope } from "../contracts/cloud-event.ts";
import { createEvent } from "../contracts/events.ts";
import type { AndroidManagedStoreAppConfiguration, IosMobileAppConfiguration } from "../contracts/graph.ts";
import type { PlatformName } from "../domain/certificate-facts.ts";
import {
  type AppConfiguration,
  androidPackageName,
  auditOutlookPolicies,
  decodeAndroidPayload,
  iosSettings,
  OUTLOOK_APP,
  type PlatformPolicyAudit,
  type PolicyDifference,
} from "../domain/outlook-policy.ts";
import type { IntuneDevices, Logger } from "../ports.ts";
import { type Deps, eventSource } from "./deps.ts";
import { type PolicyDriftState, readPolicyDrift, writePolicyDrift } from "./policy-drift-state.ts";
import { publishEvents } from "./publish-events.ts";
import { refreshReadiness } from "./refresh-readiness.ts";

export type AuditAppConfigDeps = Pick<
  Deps,
  "users" | "certificates" | "cursors" | "audit" | "bus" | "clock" | "logger"
> & {
  readonly graph: Pick<IntuneDevices, "appConfigurations">;
};

export interface AuditAppConfigInput {
  readonly now: Date;
  /** The desired state (settings `OUTLOOK_SMIME_*`, `OUTLOOK_LDAP_HOST`). */
  readonly desired: OutlookPolicySettings;
}

export interface AuditAppConfigResult {
  /** The platforms judged this run (a platform whose Outlook policy could not be read keeps its last verdict). */
  readonly audits: readonly PlatformPolicyAudit[];
  /** Every platform drifted after this run, judged now or kept. */
  readonly drifted: readonly PlatformName[];
  /** Outlook policies whose payload could not be read, with why. */
  readonly unreadable: readonly { id: string; platform: PlatformName; reason: string }[];
  /** Users whose readiness summary was recomputed (0 unless the drifted platforms changed). */
  readonly refreshedUsers: number;
  /** Users whose refresh failed (logged; the next run refreshes everyone again). */
  readonly failedUsers: number;
}

/** The last run's time, for the status page. */
export const AUDIT_APP_CONFIG_LAST_RUN = "lastRun.auditAppConfig";
/** The `policyId` of a drift that is the absence of any Outlook policy on the platform. */
export const NO_POLICY_ID = "none";
const SOURCE = eventSource("auditAppConfig");
/** Users refreshed at once: each is three table calls; enough to overlap them, few enough to spare the account. */
const CONCURRENCY = 8;

/** Audits Outlook's app configuration at `now` against `desired`. Graph errors propagate (the timer retries). */
export async function auditAppConfig(
  deps: AuditAppConfigDeps,
  input: AuditAppConfigInput,
): Promise<AuditAppConfigResult> {
  const { configurations, unreadable } = readConfigurations(
    await deps.graph.appConfigurations(),
    deps.logger,
  );
  const blind = new Set(unreadable.map((u) => u.platform));
  const audits = auditOutlookPolicies(configurations, input.desired).filter((a) => !blind.has(a.platform));
  const previous = await previousState(deps);
  const drifted: PolicyDriftState["drifted"] = [
    ...audits
      .filter((a) => a.drifted)
      .map(({ platform, policyIds, differences }) => ({
        platform,
        policyIds: [...policyIds],
        differences: jsonDifferences(differences),
      })),
    ...(previous?.drifted.filter((d) => blind.has(d.platform)) ?? []),
  ];
  // Announce first, record second: a crash in between re-announces the same ids on the next run.
  await publishEvents(
    deps,
    audits.filter((a) => a.drifted).map((a) => driftEvent(a, input.now)),
  );
  const state: PolicyDriftState = {
    drifted,
    readinessRefreshedFor: previous?.readinessRefreshedFor ?? [],
    observedAt: input.now.toISOString(),
  };
  await writePolicyDrift(deps.cursors, state, input.now);
  const platforms = drifted.map((d) => d.platform);
  const owed = !samePlatforms(platforms, state.readinessRefreshedFor);
  const refresh = owed ? await refreshEveryUser(deps, input.now) : { refreshed: 0, failed: 0 };
  if (owed && refresh.failed === 0)
    await writePolicyDrift(deps.cursors, { ...state, readinessRefreshedFor: platforms }, input.now);
  await deps.cursors.set(AUDIT_APP_CONFIG_LAST_RUN, input.now.toISOString(), input.now);
  const result = {
    audits,
    drifted: platforms,
    unreadable,
    refreshedUsers: refresh.refreshed,
    failedUsers: refresh.failed,
  };
  deps.logger.info("app configuration audit done", {
    drifted: platforms,
    unreadable: unreadable.length,
    refreshedUsers: refresh.refreshed,
    failedUsers: refresh.failed,
  });
  return result;
}

type GraphAppConfiguration = IosMobileAppConfiguration | AndroidManagedStoreAppConfiguration;

/**
 * Graph's policies as the domain reads them. An iOS policy names its apps by Intune app id, not bundle id;
 * one carrying Outlook's own keys (`com.microsoft.outlook.*`) is for Outlook whatever it targets. An Android
 * policy names its package. An Outlook policy whose payload cannot be decoded is reported, not guessed at.
 */
export function readConfigurations(
  policies: readonly GraphAppConfiguration[],
  logger: Pick<Logger, "error">,
): {
  configurations: AppConfiguration[];
  unreadable: { id: string; platform: PlatformName; reason: string }[];
} {
  const configurations: AppConfiguration[] = [];
  const unreadable: { id: string; platform: PlatformName; reason: string }[] = [];
  for (const policy of policies) {
    if ("settings" in policy) {
      const settings = iosSettings(policy.settings);
      const outlook = Object.keys(settings).some((k) => k.startsWith("com.microsoft.outlook."));
      const apps = [...policy.targetedMobileApps, ...(outlook ? [OUTLOOK_APP.iOS] : [])];
      configurations.push({ id: policy.id, platform: "iOS", apps, settings });
      continue;
    }
    const packageName = policy.packageId === undefined ? undefined : androidPackageName(policy.packageId);
    try {
      const payload = policy.payloadJson === undefined ? undefined : decodeAndroidPayload(policy.payloadJson);
      const name = packageName ?? payload?.packageName;
      configurations.push({
        id: policy.id,
        platform: "android",
        apps: name === undefined ? [] : [name],
        settings: payload?.settings ?? {},
      });
    } catch (error) {
      // Another app's payload does not matter to this audit; Outlook's does.
      if (packageName !== undefined && packageName !== OUTLOOK_APP.android) continue;
      const reason = (error as Error).message;
      logger.error("Outlook app configuration unreadable", { policyId: policy.id, reason });
      unreadable.push({ id: policy.id, platform: "android", reason });
    }
  }
  return { configurations, unreadable };
}

async function previousState(deps: AuditAppConfigDeps): Promise<PolicyDriftState | undefined> {
  const read = await readPolicyDrift(deps.cursors);
  if (read.kind === "unreadable")
    deps.logger.warn("stored policy drift unreadable; replacing it", { reason: read.reason });
  return read.kind === "state" ? read.state : undefined;
}

function driftEvent(audit: PlatformPolicyAudit, now: Date): CloudEventEnvelope {
  return createEvent(
    "policy.drifted",
    {
      platform: audit.platform,
      policyId: audit.policyIds.length > 0 ? audit.policyIds.join(",") : NO_POLICY_ID,
      differences: jsonDifferences(audit.differences),
      observedAt: now.toISOString(),
    },
    { source: SOURCE, time: now },
  );
}

/**
 * The differences as JSON carries them: a missing key's `actual` (undefined in the domain) is `null`, which no
 * policy value can be, so the event and the stored state say "missing" explicitly instead of dropping the
 * member (and a schema reading them back finds every member present).
 */
const jsonDifferences = (differences: readonly PolicyDifference[]) =>
  differences.map((d) => ({ key: d.key, expected: d.expected, actual: d.actual ?? null }));

const samePlatforms = (a: readonly PlatformName[], b: readonly PlatformName[]) =>
  a.length === b.length && a.every((p) => b.includes(p));

/** Recomputes every live user's readiness summary (it now reads the new drift); one failure stops no other. */
async function refreshEveryUser(
  deps: AuditAppConfigDeps,
  now: Date,
): Promise<{ refreshed: number; failed: number }> {
  const users: { userId: string; userPrincipalName: string }[] = [];
  for await (const { userId, userPrincipalName, deleted } of deps.users.scan())
    if (!deleted) users.push({ userId, userPrincipalName });
  let next = 0;
  let refreshed = 0;
  let failed = 0;
  const worker = async () => {
    while (next < users.length) {
      const user = users[next++]!;
      try {
        await refreshReadiness(deps, user, now);
        refreshed++;
      } catch (error) {
        failed++;
        deps.logger.error("readiness refresh after policy drift failed", { userId: user.userId, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, users.length) }, worker));
  return { refreshed, failed };
}
