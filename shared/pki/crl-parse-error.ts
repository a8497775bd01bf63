/**
 * The error a malformed CRL raises, from `parseCrl` or, for the revoked entries (indexed lazily), from the
 * first `lookup`. Revocation checking turns it into a CRL_INVALID problem.
 */
export class CrlParseError extends Error {
  constructor(
    message: string,
    /** Byte offset in the CRL DER where the problem was found, when known. */
    readonly offset?: number,
  ) {
    // DerError messages already end in "at byte N"; say the offset once.
    super(offset === undefined || /at byte \d+/.test(message) ? message : `${message} (at byte ${offset})`);
    this.name = "CrlParseError";
  }
}
