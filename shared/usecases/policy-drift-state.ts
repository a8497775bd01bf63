/**
 * The Outlook app configuration drift the last audit found, kept as a cursor so that every readiness
 * computation (refreshReadiness, and the per-user readiness route) sees which platforms drifted without
 * asking Graph. Written by auditAppConfig only.
 */
import { z } from "zod";
import { Platform } from "../contracts/events.ts";
import type { PlatformName } from "../domain/certificate-facts.ts";
import type { CursorStore } from "../ports.ts";

/** The cursor's name, defined once. */
export const POLICY_DRIFT_CURSOR = "policyDrift";

const Difference = z.object({ key: z.string(), expected: z.unknown(), actual: z.unknown() });

export const PolicyDriftState = z.object({
  /** The drifted platforms only; a platform in line with the desired state is absent. */
  drifted: z.array(
    z.object({ platform: Platform, policyIds: z.array(z.string()), differences: z.array(Difference) }),
  ),
  /**
   * The drifted platforms the users' readiness summaries were last refreshed against. When it differs from
   * `drifted`, a refresh of every user is still owed (a run that died half-way leaves it so; the next one pays).
   */
  readinessRefreshedFor: z.array(Platform),
  observedAt: z.iso.datetime(),
});
export type PolicyDriftState = z.infer<typeof PolicyDriftState>;

export type ReadPolicyDrift =
  | { readonly kind: "none" }
  | { readonly kind: "state"; readonly state: PolicyDriftState }
  | { readonly kind: "unreadable"; readonly reason: string };

/** The stored drift: none yet, the state, or a value that does not parse (the next audit overwrites it). */
export async function readPolicyDrift(cursors: Pick<CursorStore, "get">): Promise<ReadPolicyDrift> {
  const stored = await cursors.get(POLICY_DRIFT_CURSOR);
  if (!stored) return { kind: "none" };
  let json: unknown;
  try {
    json = JSON.parse(stored.value);
  } catch (error) {
    return { kind: "unreadable", reason: `not JSON: ${(error as Error).message}` };
  }
  const parsed = PolicyDriftState.safeParse(json);
  return parsed.success
    ? { kind: "state", state: parsed.data }
    : { kind: "unreadable", reason: z.prettifyError(parsed.error) };
}

/**
 * The platforms whose Outlook policy drifted at the last audit. None before the first audit, and none while
 * the stored state is unreadable: a corrupt cursor must not mark every user not ready (the audit logs it and
 * writes a fresh state on its next run).
 */
export async function driftedPlatforms(cursors: Pick<CursorStore, "get">): Promise<PlatformName[]> {
  const read = await readPolicyDrift(cursors);
  return read.kind === "state" ? read.state.drifted.map((d) => d.platform) : [];
}

export async function writePolicyDrift(
  cursors: Pick<CursorStore, "set">,
  state: PolicyDriftState,
  at: Date,
): Promise<void> {
  await cursors.set(POLICY_DRIFT_CURSOR, JSON.stringify(PolicyDriftState.parse(state)), at);
}
