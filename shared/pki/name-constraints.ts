/**
 * RFC 5280 §6.1 name constraints (permitted and excluded subtrees) over DN, rfc822Name, dNSName, URI and IP.
 * CONTRACT STUB — replaced by the implementation.
 */
import type { Certificate } from "./certificate.ts";

export interface NameConstraintViolation {
  /** Index in `path` of the certificate whose name is outside the constraints. */
  readonly index: number;
  readonly message: string;
}

/** `path` excludes the trust anchor: the certificate it issued first, the end entity last. */
export function checkNameConstraints(_path: readonly Certificate[]): NameConstraintViolation[] {
  throw new Error("checkNameConstraints: not implemented yet");
}
