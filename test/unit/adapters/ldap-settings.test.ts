/** The LDAP settings checkDirectory's adapter is built from: parsed, cross-checked, and the password kept intact. */
import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings } from "../../../shared/config.ts";

const CWD = "/srv/app";
const BASE = { LDAP_URL: "ldaps://ldap.contoso.com", LDAP_BASE_DN: "ou=people,dc=contoso,dc=com" };

function issuesOf(env: Record<string, string>): { setting: string; message: string }[] {
  try {
    parseSettings(env, CWD);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  return [];
}

describe("LDAP settings", () => {
  const cases: ReadonlyArray<{ name: string; env: Record<string, string>; expected: unknown }> = [
    { name: "no LDAP_URL: no directory", env: {}, expected: undefined },
    {
      name: "URL and base DN: anonymous, 10 s timeout",
      env: BASE,
      expected: { url: "ldaps://ldap.contoso.com", baseDn: "ou=people,dc=contoso,dc=com", timeoutMs: 10_000 },
    },
    {
      name: "a bind DN with its password, kept as given (spaces included)",
      env: { ...BASE, LDAP_BIND_DN: "cn=reader,dc=contoso,dc=com", LDAP_BIND_PASSWORD: " s3cret pass " },
      expected: {
        url: "ldaps://ldap.contoso.com",
        baseDn: "ou=people,dc=contoso,dc=com",
        bind: { dn: "cn=reader,dc=contoso,dc=com", password: " s3cret pass " },
        timeoutMs: 10_000,
      },
    },
    {
      name: "a CA and a timeout",
      env: { ...BASE, LDAP_TLS_CA: "/home/site/ldap-ca.pem", LDAP_TIMEOUT_MS: "2500" },
      expected: {
        url: "ldaps://ldap.contoso.com",
        baseDn: "ou=people,dc=contoso,dc=com",
        tlsCa: "/home/site/ldap-ca.pem",
        timeoutMs: 2500,
      },
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      expect(parseSettings(c.env, CWD).ldap).toEqual(c.expected);
    });
});

describe("bad LDAP settings are named", () => {
  const cases: ReadonlyArray<{
    name: string;
    env: Record<string, string>;
    expected: { setting: string; message: string }[];
  }> = [
    {
      name: "a URL that is not LDAP",
      env: { LDAP_URL: "https://ldap.contoso.com", LDAP_BASE_DN: "dc=contoso,dc=com" },
      expected: [{ setting: "LDAP_URL", message: "expected an ldap:// or ldaps:// URL" }],
    },
    {
      name: "a URL without a base DN",
      env: { LDAP_URL: "ldap://ldap.contoso.com" },
      expected: [{ setting: "LDAP_BASE_DN", message: "required when LDAP_URL is set" }],
    },
    {
      name: "a bind DN without a password",
      env: { ...BASE, LDAP_BIND_DN: "cn=reader,dc=contoso,dc=com" },
      expected: [{ setting: "LDAP_BIND_PASSWORD", message: "required when LDAP_BIND_DN is set" }],
    },
    {
      name: "a password without a bind DN",
      env: { ...BASE, LDAP_BIND_PASSWORD: "s3cret" },
      expected: [{ setting: "LDAP_BIND_DN", message: "required when LDAP_BIND_PASSWORD is set" }],
    },
    {
      name: "a CA for a plain ldap:// URL",
      env: { LDAP_URL: "ldap://ldap.contoso.com", LDAP_BASE_DN: "dc=contoso,dc=com", LDAP_TLS_CA: "ca.pem" },
      expected: [{ setting: "LDAP_TLS_CA", message: "only used with an ldaps:// LDAP_URL" }],
    },
    {
      name: "a timeout out of range",
      env: { ...BASE, LDAP_TIMEOUT_MS: "50" },
      expected: [{ setting: "LDAP_TIMEOUT_MS", message: "expected 100 to 120000 ms" }],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      expect(issuesOf(c.env)).toEqual(c.expected);
    });

  it("never echoes the password in an error", () => {
    const issues = issuesOf({ LDAP_URL: "ldap://x", LDAP_BIND_PASSWORD: "hunter2-secret" });
    expect(JSON.stringify(issues)).not.toContain("hunter2-secret");
    expect(issues.map((i) => i.setting)).toEqual(["LDAP_BASE_DN", "LDAP_BIND_DN"]);
  });
});
