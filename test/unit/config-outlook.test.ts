import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings } from "../../shared/config.ts";

const CWD = "/srv/app";

describe("Outlook policy settings", () => {
  const cases: ReadonlyArray<{ name: string; env: Record<string, string>; expected: unknown }> = [
    {
      name: "defaults: Microsoft's automated delivery (S/MIME on, certificates from Intune), nothing else audited",
      env: {},
      expected: { smimeEnabled: true, certsFromIntune: true },
    },
    {
      name: "blank values are unset",
      env: { OUTLOOK_SMIME_ENABLED: "", OUTLOOK_SMIME_SIGN_ALL_MAIL: " ", OUTLOOK_LDAP_HOST: "" },
      expected: { smimeEnabled: true, certsFromIntune: true },
    },
    {
      name: "every key set",
      env: {
        OUTLOOK_SMIME_ENABLED: "false",
        OUTLOOK_SMIME_USER_CHANGE_ALLOWED: "no",
        OUTLOOK_SMIME_ENCRYPT_ALL_MAIL: "1",
        OUTLOOK_SMIME_ENCRYPT_ALL_MAIL_USER_CHANGE_ALLOWED: "false",
        OUTLOOK_SMIME_SIGN_ALL_MAIL: "TRUE",
        OUTLOOK_SMIME_SIGN_ALL_MAIL_USER_CHANGE_ALLOWED: "yes",
        OUTLOOK_SMIME_CERTS_FROM_INTUNE: "0",
        OUTLOOK_LDAP_HOST: " ldaps://directory.contoso.com:636 ",
      },
      expected: {
        smimeEnabled: false,
        smimeUserChangeAllowed: false,
        encryptAllMail: true,
        encryptAllMailUserChangeAllowed: false,
        signAllMail: true,
        signAllMailUserChangeAllowed: true,
        certsFromIntune: false,
        ldapHost: "ldaps://directory.contoso.com:636",
      },
    },
    {
      name: "a bare host:port LDAP host, as Outlook accepts it",
      env: { OUTLOOK_LDAP_HOST: "contoso.com:389" },
      expected: { smimeEnabled: true, certsFromIntune: true, ldapHost: "contoso.com:389" },
    },
  ];
  it.each(cases)("$name", ({ env, expected }) => {
    expect(parseSettings(env, CWD).outlook).toEqual(expected);
  });

  it("is frozen", () => {
    expect(Object.isFrozen(parseSettings({}, CWD).outlook)).toBe(true);
  });

  const bad: ReadonlyArray<{ name: string; env: Record<string, string>; setting: string; message: RegExp }> =
    [
      {
        name: "a flag that is not a flag",
        env: { OUTLOOK_SMIME_ENABLED: "maybe" },
        setting: "OUTLOOK_SMIME_ENABLED",
        message: /true or false/,
      },
      {
        name: "an optional flag that is not a flag",
        env: { OUTLOOK_SMIME_SIGN_ALL_MAIL_USER_CHANGE_ALLOWED: "sometimes" },
        setting: "OUTLOOK_SMIME_SIGN_ALL_MAIL_USER_CHANGE_ALLOWED",
        message: /true or false/,
      },
      {
        name: "an LDAP host with a path",
        env: { OUTLOOK_LDAP_HOST: "ldaps://contoso.com/ou=people" },
        setting: "OUTLOOK_LDAP_HOST",
        message: /host, host:port or ldap\(s\):\/\//,
      },
      {
        name: "an http URL as LDAP host",
        env: { OUTLOOK_LDAP_HOST: "https://contoso.com" },
        setting: "OUTLOOK_LDAP_HOST",
        message: /host, host:port or ldap\(s\):\/\//,
      },
    ];
  it.each(bad)("refuses $name, naming the setting", ({ env, setting, message }) => {
    let error: unknown;
    try {
      parseSettings(env, CWD);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]?.setting).toBe(setting);
    expect(issues[0]?.message).toMatch(message);
  });
});
