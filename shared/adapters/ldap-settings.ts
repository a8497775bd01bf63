/**
 * The LDAP adapter's options from the settings (LDAP_URL, LDAP_BASE_DN, LDAP_BIND_DN, LDAP_BIND_PASSWORD,
 * LDAP_TLS_CA, LDAP_TIMEOUT_MS). LDAP_TLS_CA holds the PEM itself (a Key Vault reference or an app setting)
 * or names a PEM file deployed with the app; a file that cannot be read is a permanent error naming it.
 */
import { readFile } from "node:fs/promises";
import type { LdapSettings } from "../config.ts";
import { PermanentError } from "../errors.ts";
import type { Directory } from "../ports.ts";
import { createLdapDirectory, type LdapDirectoryOptions } from "./ldap-directory.ts";

const PEM_BEGIN = "-----BEGIN ";

/** The CA PEM: the setting's text, or the file it names. @throws PermanentError for an unreadable file */
async function caCertificatesOf(tlsCa: string): Promise<string> {
  if (tlsCa.includes(PEM_BEGIN)) return tlsCa;
  try {
    const text = await readFile(tlsCa, "utf8");
    if (!text.includes(PEM_BEGIN)) throw new Error("no PEM block in it");
    return text;
  } catch (e) {
    throw new PermanentError(`LDAP_TLS_CA: cannot read ${tlsCa}: ${(e as Error).message}`, { cause: e });
  }
}

/** The adapter's options for these settings. */
export async function ldapOptionsFrom(settings: LdapSettings): Promise<LdapDirectoryOptions> {
  return {
    url: settings.url,
    baseDn: settings.baseDn,
    operationTimeoutMs: settings.timeoutMs,
    connectTimeoutMs: Math.min(settings.timeoutMs, 5_000),
    ...(settings.bind && { bind: settings.bind }),
    ...(settings.tlsCa !== undefined && { caCertificates: await caCertificatesOf(settings.tlsCa) }),
  };
}

/** A Directory for these settings; it connects on its first lookup. */
export async function ldapDirectoryFrom(settings: LdapSettings): Promise<Directory> {
  return createLdapDirectory(await ldapOptionsFrom(settings));
}
