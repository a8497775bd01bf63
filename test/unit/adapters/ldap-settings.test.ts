/** The LDAP settings checkDirectory's adapter is built from: parsed, cross-checked, and the password kept intact. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ldapOptionsFrom } from "../../../shared/adapters/ldap-settings.ts";
import { ConfigError, type LdapSettings, parseSettings } from "../../../shared/config.ts";
import { PermanentError } from "../../../shared/errors.ts";

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

describe("the adapter's options from the settings", () => {
  const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ldap-ca-"));
    await writeFile(join(dir, "ca.pem"), PEM);
    await writeFile(join(dir, "not-pem.txt"), "hello");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const base: LdapSettings = {
    url: "ldaps://ldap.contoso.com",
    baseDn: "dc=contoso,dc=com",
    timeoutMs: 8000,
  };
  const cases: ReadonlyArray<{ name: string; settings: () => LdapSettings; expected: unknown }> = [
    {
      name: "anonymous, the connect wait capped at 5 s",
      settings: () => base,
      expected: { url: base.url, baseDn: base.baseDn, operationTimeoutMs: 8000, connectTimeoutMs: 5000 },
    },
    {
      name: "a bind and the CA as PEM text",
      settings: () => ({ ...base, timeoutMs: 2000, bind: { dn: "cn=r", password: "p" }, tlsCa: PEM }),
      expected: {
        url: base.url,
        baseDn: base.baseDn,
        operationTimeoutMs: 2000,
        connectTimeoutMs: 2000,
        bind: { dn: "cn=r", password: "p" },
        caCertificates: PEM,
      },
    },
    {
      name: "the CA from the file it names",
      settings: () => ({ ...base, tlsCa: join(dir, "ca.pem") }),
      expected: {
        url: base.url,
        baseDn: base.baseDn,
        operationTimeoutMs: 8000,
        connectTimeoutMs: 5000,
        caCertificates: PEM,
      },
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      expect(await ldapOptionsFrom(c.settings())).toEqual(c.expected);
    });

  const bad: ReadonlyArray<{ name: string; file: () => string; message: RegExp }> = [
    {
      name: "a missing file",
      file: () => join(dir, "missing.pem"),
      message: /^LDAP_TLS_CA: cannot read .*missing\.pem: ENOENT/,
    },
    {
      name: "a file without PEM",
      file: () => join(dir, "not-pem.txt"),
      message: /^LDAP_TLS_CA: cannot read .*not-pem\.txt: no PEM block in it$/,
    },
  ];
  for (const c of bad)
    it(`${c.name} is a permanent error naming it`, async () => {
      const error = await ldapOptionsFrom({ ...base, tlsCa: c.file() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as Error).message).toMatch(c.message);
    });
});
