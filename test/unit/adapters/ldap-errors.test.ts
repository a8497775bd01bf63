/** LDAP failures classified: what waiting can fix is retryable, what needs an operator is permanent. */
import { describe, expect, it } from "vitest";
import { classifyLdapError, type LdapStep } from "../../../shared/adapters/ldap-errors.ts";
import { PermanentError, RetryableError } from "../../../shared/errors.ts";

const resultCode = (code: number) =>
  Object.assign(new Error(`server said so Code: 0x${code.toString(16)}`), { code });
const nodeError = (code: string, message = code) => Object.assign(new Error(message), { code });

const BIND: LdapStep = { bind: "cn=reader,dc=contoso,dc=com" };
const SEARCH: LdapStep = { search: "dc=contoso,dc=com" };

describe("classifyLdapError", () => {
  const cases: ReadonlyArray<{
    name: string;
    step: LdapStep;
    error: unknown;
    retryable: boolean;
    message: string;
  }> = [
    {
      name: "invalid credentials",
      step: BIND,
      error: resultCode(49),
      retryable: false,
      message: "LDAP bind as cn=reader,dc=contoso,dc=com failed: invalid credentials",
    },
    {
      name: "confidentiality required",
      step: BIND,
      error: resultCode(13),
      retryable: false,
      message: "LDAP bind as cn=reader,dc=contoso,dc=com failed: confidentiality required (use ldaps://)",
    },
    {
      name: "a missing base DN",
      step: SEARCH,
      error: resultCode(32),
      retryable: false,
      message: "LDAP search under dc=contoso,dc=com failed: no such object",
    },
    {
      name: "busy",
      step: SEARCH,
      error: resultCode(51),
      retryable: true,
      message: "LDAP search under dc=contoso,dc=com failed: result code 51",
    },
    {
      name: "unavailable",
      step: SEARCH,
      error: resultCode(52),
      retryable: true,
      message: "LDAP search under dc=contoso,dc=com failed: result code 52",
    },
    {
      name: "server time limit",
      step: SEARCH,
      error: resultCode(3),
      retryable: true,
      message: "LDAP search under dc=contoso,dc=com failed: result code 3",
    },
    {
      name: "an unknown result code",
      step: SEARCH,
      error: resultCode(80),
      retryable: false,
      message: "LDAP search under dc=contoso,dc=com failed: result code 80",
    },
    {
      name: "connection refused",
      step: BIND,
      error: nodeError("ECONNREFUSED"),
      retryable: true,
      message: "LDAP bind as cn=reader,dc=contoso,dc=com failed: ECONNREFUSED",
    },
    {
      name: "DNS not answering",
      step: BIND,
      error: nodeError("EAI_AGAIN"),
      retryable: true,
      message: "LDAP bind as cn=reader,dc=contoso,dc=com failed: EAI_AGAIN",
    },
    {
      name: "ldapts' connect timeout",
      step: BIND,
      error: new Error("Connection timeout"),
      retryable: true,
      message: "LDAP bind as cn=reader,dc=contoso,dc=com failed: Connection timeout",
    },
    {
      name: "ldapts' operation timeout",
      step: SEARCH,
      error: new Error("SearchRequest: Operation timed out"),
      retryable: true,
      message: "LDAP search under dc=contoso,dc=com failed: SearchRequest: Operation timed out",
    },
    {
      name: "an untrusted server certificate",
      step: BIND,
      error: nodeError("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate"),
      retryable: false,
      message:
        "LDAP bind as cn=reader,dc=contoso,dc=com failed: the server's TLS certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE); check LDAP_TLS_CA",
    },
    {
      name: "a server name the certificate does not hold",
      step: BIND,
      error: nodeError("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames"),
      retryable: false,
      message:
        "LDAP bind as cn=reader,dc=contoso,dc=com failed: the server's TLS certificate is not trusted (ERR_TLS_CERT_ALTNAME_INVALID); check LDAP_TLS_CA",
    },
    {
      name: "anything else",
      step: SEARCH,
      error: "boom",
      retryable: false,
      message: "LDAP search under dc=contoso,dc=com failed: boom",
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const classified = classifyLdapError(c.step, c.error);
      expect({
        retryable: classified instanceof RetryableError,
        permanent: classified instanceof PermanentError,
        message: classified.message,
      }).toEqual({ retryable: c.retryable, permanent: !c.retryable, message: c.message });
    });
});
