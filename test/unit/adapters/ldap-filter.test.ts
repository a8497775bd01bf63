/** RFC 4515 escaping and the user-entry filter: values can only ever be matched literally. */
import { describe, expect, it } from "vitest";
import { escapeFilterValue, userEntryFilter } from "../../../shared/adapters/ldap-filter.ts";
import type { DirectoryUser } from "../../../shared/ports.ts";

describe("escapeFilterValue", () => {
  const cases: ReadonlyArray<{ name: string; value: string; expected: string }> = [
    { name: "a plain address is unchanged", value: "alice@contoso.com", expected: "alice@contoso.com" },
    { name: "asterisk", value: "a*b", expected: "a\\2ab" },
    { name: "parentheses", value: "o(brien)", expected: "o\\28brien\\29" },
    { name: "backslash", value: "a\\b", expected: "a\\5cb" },
    { name: "NUL", value: "a\u0000b", expected: "a\\00b" },
    { name: "other control characters", value: "a\nb\u007f", expected: "a\\0ab\\7f" },
    {
      name: "non-ASCII as its UTF-8 bytes",
      value: "jürgen@contoso.com",
      expected: "j\\c3\\bcrgen@contoso.com",
    },
    { name: "an injection attempt", value: "*)(|(mail=*", expected: "\\2a\\29\\28|\\28mail=\\2a" },
  ];
  for (const c of cases)
    it(c.name, () => {
      expect(escapeFilterValue(c.value)).toBe(c.expected);
    });
});

describe("userEntryFilter", () => {
  const cases: ReadonlyArray<{ name: string; user: DirectoryUser; expected: string | undefined }> = [
    {
      name: "UPN only",
      user: { userPrincipalName: "alice@contoso.com" },
      expected: "(|(userPrincipalName=alice@contoso.com))",
    },
    {
      name: "primary SMTP and mail, each by mail and SMTP proxy address, then the UPN",
      user: {
        userPrincipalName: "alice@corp.contoso.com",
        primarySmtp: "alice@contoso.com",
        mail: "a@contoso.com",
      },
      expected:
        "(|(mail=alice@contoso.com)(proxyAddresses=smtp:alice@contoso.com)(mail=a@contoso.com)(proxyAddresses=smtp:a@contoso.com)(userPrincipalName=alice@corp.contoso.com))",
    },
    {
      name: "an address given twice in different case is searched once",
      user: { userPrincipalName: "u@x.com", primarySmtp: "Alice@Contoso.com", mail: "alice@contoso.com" },
      expected:
        "(|(mail=Alice@Contoso.com)(proxyAddresses=smtp:Alice@Contoso.com)(userPrincipalName=u@x.com))",
    },
    {
      name: "values are escaped",
      user: { userPrincipalName: "*", mail: "x)(mail=*" },
      expected:
        "(|(mail=x\\29\\28mail=\\2a)(proxyAddresses=smtp:x\\29\\28mail=\\2a)(userPrincipalName=\\2a))",
    },
    {
      name: "a value with a control character is not searched",
      user: { userPrincipalName: "alice@contoso.com\u0000", mail: "bob@contoso.com" },
      expected: "(|(mail=bob@contoso.com)(proxyAddresses=smtp:bob@contoso.com))",
    },
    {
      name: "nothing searchable: no filter",
      user: { userPrincipalName: " ", mail: "" },
      expected: undefined,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      expect(userEntryFilter(c.user)).toBe(c.expected);
    });
});
