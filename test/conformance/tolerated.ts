/**
 * Expected-FAILURE cases for which a `warning` (NONCONFORMANT, naming the rule) is the right answer:
 * the certificate breaks an RFC 5280 rule that Exchange Online, Outlook and the mainstream validators
 * tolerate (DESIGN.md, "Problem codes"). Each entry names the rule and the evidence. Reviewed case by
 * case: a case answered with only warnings and not listed here is a miss, and a listed case answered with
 * an error is simply right (the report lists such entries as unused, to keep this list honest).
 *
 * Keys: limbo ids as they are; PKITS ids as `pkits::<id>`.
 */

export interface Tolerated {
  /** The rule that is broken. */
  readonly rule: string;
  /** Why a warning is right: which mainstream validators accept it. */
  readonly evidence: string;
}

export const TOLERATED: Readonly<Record<string, Tolerated>> = {};
