/**
 * What an LDAP failure means for the caller (STYLE.md principle 5): the directory being down, slow or busy
 * passes, so it is retryable; a refused bind, a wrong base DN or a server certificate the CA setting does not
 * vouch for needs an operator, so it is permanent and says which setting to look at. Passwords never appear:
 * messages name the bind DN only.
 */
import { PermanentError, RetryableError } from "../errors.ts";

/** LDAP result codes (RFC 4511 §4.1.9) that name a passing condition. */
const TRANSIENT_RESULT_CODES = new Set([
  3, // timeLimitExceeded
  11, // adminLimitExceeded
  51, // busy
  52, // unavailable
]);

/** Node socket and DNS error codes of a server that cannot be reached now. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

/** ldapts' own timeouts and closed-connection errors carry no code; their messages are stable. */
const TRANSIENT_MESSAGES = [/Connection timeout/i, /Operation timed out/i, /Connection closed/i, /socket/i];

/** TLS verification failures: the server's certificate is not what LDAP_TLS_CA vouches for. */
const isTlsFailure = (code: string, message: string) =>
  /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL/.test(code) || /certificate/i.test(message);

const LDAP_RESULT_NAMES: Readonly<Record<number, string>> = {
  32: "no such object",
  49: "invalid credentials",
  50: "insufficient access rights",
  48: "inappropriate authentication",
  8: "stronger authentication required",
  13: "confidentiality required (use ldaps://)",
  53: "the server is unwilling to perform it",
};

interface ErrorFacts {
  readonly resultCode?: number;
  readonly code?: string;
  readonly message: string;
}

function factsOf(error: unknown): ErrorFacts {
  if (!(error instanceof Error)) return { message: String(error) };
  const raw = (error as { code?: unknown }).code;
  return {
    message: error.message,
    ...(typeof raw === "number" && { resultCode: raw }),
    ...(typeof raw === "string" && { code: raw }),
  };
}

/** What was being done, for the message: "bind as cn=reader,…" or "search under dc=contoso,…". */
export type LdapStep = { readonly bind: string } | { readonly search: string } | { readonly connect: string };

const describe = (step: LdapStep) =>
  "bind" in step
    ? `bind as ${step.bind}`
    : "search" in step
      ? `search under ${step.search}`
      : `connect to ${step.connect}`;

/** The error to throw for a failed LDAP step: RetryableError when waiting can help, else PermanentError. */
export function classifyLdapError(step: LdapStep, error: unknown): RetryableError | PermanentError {
  const facts = factsOf(error);
  const what = `LDAP ${describe(step)} failed`;
  if (facts.resultCode !== undefined) {
    const name = LDAP_RESULT_NAMES[facts.resultCode] ?? `result code ${facts.resultCode}`;
    const message = `${what}: ${name}`;
    return TRANSIENT_RESULT_CODES.has(facts.resultCode)
      ? new RetryableError(message, undefined, { cause: error })
      : new PermanentError(message, { cause: error });
  }
  if (facts.code && isTlsFailure(facts.code, facts.message))
    return new PermanentError(
      `${what}: the server's TLS certificate is not trusted (${facts.code}); check LDAP_TLS_CA`,
      {
        cause: error,
      },
    );
  if ((facts.code && NETWORK_CODES.has(facts.code)) || TRANSIENT_MESSAGES.some((m) => m.test(facts.message)))
    return new RetryableError(`${what}: ${facts.code ?? facts.message}`, undefined, { cause: error });
  if (isTlsFailure(facts.code ?? "", facts.message))
    return new PermanentError(`${what}: ${facts.message}; check LDAP_TLS_CA`, { cause: error });
  return new PermanentError(`${what}: ${facts.message}`, { cause: error });
}
