/**
 * The per-purpose verdict Outlook and Exchange Online would reach: chain-wide problems (trust, validity,
 * revocation, …) block both purposes, S/MIME rule problems block the purpose they belong to.
 *
 * Both purposes are always evaluated and shown — DESIGN.md's JSON example carries `signing` and
 * `encryption` side by side, and an admin validating for signing still wants to know that the same
 * certificate would fail for encryption. `purpose` only decides which of them the overall `ready`
 * (the CLI's exit status) depends on.
 */

import { hasErrors, type Problem } from "./problems.ts";
import type { Purpose } from "./smime-rules.ts";

/** What the caller asks about: one purpose or both. */
export type RequestedPurpose = Purpose | "both";

export interface PurposeVerdict {
  /** No error-severity problem; warnings don't block. */
  readonly ready: boolean;
  readonly problems: readonly Problem[];
}

export interface Verdict {
  readonly signing: PurposeVerdict;
  readonly encryption: PurposeVerdict;
  /** Every requested purpose is ready. */
  readonly ready: boolean;
}

const purposeVerdict = (problems: readonly Problem[]): PurposeVerdict => ({
  ready: !hasErrors(problems),
  problems,
});

/**
 * Combines the chain result with the S/MIME findings.
 * @param chainResult anything carrying the chain-wide problems (the engine's ChainResult)
 * @param smime per-purpose S/MIME problems (checkSmimeRules' findings)
 * @param purpose which purposes decide `ready`
 */
export function buildVerdict(
  chainResult: { readonly problems: readonly Problem[] },
  smime: { readonly signing: readonly Problem[]; readonly encryption: readonly Problem[] },
  purpose: RequestedPurpose,
): Verdict {
  const signing = purposeVerdict([...chainResult.problems, ...smime.signing]);
  const encryption = purposeVerdict([...chainResult.problems, ...smime.encryption]);
  const ready = (purpose === "encryption" || signing.ready) && (purpose === "signing" || encryption.ready);
  return { signing, encryption, ready };
}
