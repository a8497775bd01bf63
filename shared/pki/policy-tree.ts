/**
 * RFC 5280 §6.1 certificate policy processing (the valid_policy_tree).
 * CONTRACT STUB — replaced by the implementation.
 */
import type { Certificate } from "./certificate.ts";

/** The four RFC 5280 §6.1.1 policy inputs. */
export interface PolicyInputs {
  readonly initialPolicySet: readonly string[];
  readonly initialExplicitPolicy: boolean;
  readonly initialPolicyMappingInhibit: boolean;
  readonly initialAnyPolicyInhibit: boolean;
}

export const DEFAULT_POLICY_INPUTS: PolicyInputs = {
  initialPolicySet: ["2.5.29.32.0"],
  initialExplicitPolicy: false,
  initialPolicyMappingInhibit: false,
  initialAnyPolicyInhibit: false,
};

export type PolicyResult =
  | { readonly ok: true; readonly userConstrainedPolicySet: readonly string[] }
  | { readonly ok: false; readonly reason: string; readonly certificateIndex?: number };

/** `path` excludes the trust anchor: the certificate it issued first, the end entity last. */
export function processPolicies(_path: readonly Certificate[], _inputs: PolicyInputs): PolicyResult {
  throw new Error("processPolicies: not implemented yet");
}
