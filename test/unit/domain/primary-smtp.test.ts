import { describe, expect, it } from "vitest";
import { type AddressFacts, primarySmtp, sameAddress } from "../../../shared/domain/primary-smtp.ts";

describe("primarySmtp", () => {
  const cases: readonly { name: string; user: AddressFacts; expected: string | undefined }[] = [
    {
      name: "the SMTP: proxy address wins over mail",
      user: {
        mail: "alice@contoso.com",
        proxyAddresses: ["smtp:alice@contoso.com", "SMTP:a.smith@contoso.com"],
      },
      expected: "a.smith@contoso.com",
    },
    {
      name: "lower-case smtp: entries are secondary: mail is used",
      user: { mail: "bob@contoso.com", proxyAddresses: ["smtp:bob@fabrikam.com", "smtp:b@contoso.com"] },
      expected: "bob@contoso.com",
    },
    {
      name: "mixed-case Smtp: is not the primary prefix",
      user: { mail: "carol@contoso.com", proxyAddresses: ["Smtp:c@contoso.com"] },
      expected: "carol@contoso.com",
    },
    {
      name: "other address types are ignored",
      user: {
        mail: null,
        proxyAddresses: ["X500:/o=Contoso/cn=dave", "SIP:dave@contoso.com", "SMTP:dave@contoso.com"],
      },
      expected: "dave@contoso.com",
    },
    { name: "no proxy addresses: mail", user: { mail: "erin@contoso.com" }, expected: "erin@contoso.com" },
    {
      name: "empty proxy addresses: mail",
      user: { mail: "erin@contoso.com", proxyAddresses: [] },
      expected: "erin@contoso.com",
    },
    { name: "neither: none", user: { mail: null, proxyAddresses: null }, expected: undefined },
    { name: "nothing at all: none", user: {}, expected: undefined },
    { name: "blank mail: none", user: { mail: "  " }, expected: undefined },
    {
      name: "the address keeps its case",
      user: { proxyAddresses: ["SMTP:Frank.Miller@Contoso.com"] },
      expected: "Frank.Miller@Contoso.com",
    },
    {
      name: "whitespace around the address is trimmed",
      user: { proxyAddresses: ["SMTP: gina@contoso.com "] },
      expected: "gina@contoso.com",
    },
    {
      name: "two SMTP: entries: the first",
      user: { proxyAddresses: ["SMTP:first@contoso.com", "SMTP:second@contoso.com"] },
      expected: "first@contoso.com",
    },
    {
      name: "an SMTP: entry that is no address is passed over for the next",
      user: { mail: "hank@contoso.com", proxyAddresses: ["SMTP:not an address", "SMTP:h@contoso.com"] },
      expected: "h@contoso.com",
    },
    {
      name: "an SMTP: entry that is no address falls back to mail",
      user: { mail: "ivy@contoso.com", proxyAddresses: ["SMTP:"] },
      expected: "ivy@contoso.com",
    },
    { name: "mail that is no address: none", user: { mail: "ivy" }, expected: undefined },
  ];
  it.each(cases)("$name", ({ user, expected }) => {
    expect(primarySmtp(user)).toBe(expected);
  });
});

describe("sameAddress", () => {
  it.each([
    { name: "equal", a: "a@contoso.com", b: "a@contoso.com", expected: true },
    { name: "case differs only", a: "A@Contoso.com", b: "a@contoso.com", expected: true },
    { name: "different", a: "a@contoso.com", b: "b@contoso.com", expected: false },
    { name: "one missing", a: "a@contoso.com", b: undefined, expected: false },
    { name: "both missing", a: undefined, b: undefined, expected: true },
  ])("$name", ({ a, b, expected }) => {
    expect(sameAddress(a, b)).toBe(expected);
  });
});
