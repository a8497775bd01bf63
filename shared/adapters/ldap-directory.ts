/**
 * The Directory port over LDAP (`ldapts`): finds a user's entry by address and reads the certificates
 * published on it, the way a recipient's mail client does before encrypting (DESIGN.md rule 7).
 *
 * One connection per adapter, opened and bound on the first lookup and reused for the rest of a run
 * (a sweep over thousands of users must not bind thousands of times); any failure drops it, so the next
 * lookup starts clean. Every wait is bounded: the TCP and TLS connect, each operation, and the server's own
 * time and size limits, so an unreachable directory fails fast with a retryable error instead of hanging
 * a timer invocation.
 */
import type { ConnectionOptions } from "node:tls";
import { Client } from "ldapts";
import { PermanentError, RetryableError } from "../errors.ts";
import type { Directory, DirectoryCertificates, DirectoryUser } from "../ports.ts";
import { BUFFER_ATTRIBUTES, CERTIFICATE_ATTRIBUTES, entryCertificates } from "./ldap-certificates.ts";
import { classifyLdapError } from "./ldap-errors.ts";
import { userEntryFilter } from "./ldap-filter.ts";

export interface LdapDirectoryOptions {
  /** `ldap://host:389` or `ldaps://host:636` (LDAP_URL). */
  readonly url: string;
  /** Where entries are searched, with subtree scope (LDAP_BASE_DN). */
  readonly baseDn: string;
  /** Simple bind (LDAP_BIND_DN, LDAP_BIND_PASSWORD); anonymous when absent. */
  readonly bind?: { readonly dn: string; readonly password: string };
  /** PEM of the CA certificates that issue the server's TLS certificate (LDAP_TLS_CA); the system's otherwise. */
  readonly caCertificates?: string;
  /** TCP and TLS connect, default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Each bind or search, default 10 s (LDAP_TIMEOUT_MS). */
  readonly operationTimeoutMs?: number;
  /** Most entries read for one user, default 10: more than one is already "several". */
  readonly sizeLimit?: number;
}

const DEFAULT_CONNECT_MS = 5_000;
const DEFAULT_OPERATION_MS = 10_000;
const DEFAULT_SIZE_LIMIT = 10;

/** A Directory over one LDAP server. Nothing connects until the first lookup. */
export function createLdapDirectory(options: LdapDirectoryOptions): Directory {
  const operationMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_MS;
  let session: Promise<Client> | undefined;

  const open = async (): Promise<Client> => {
    const client = new Client({
      url: options.url,
      connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_MS,
      timeout: operationMs,
      ...(options.caCertificates !== undefined && { tlsOptions: tlsOptionsOf(options.caCertificates) }),
    });
    if (!options.bind) return client;
    try {
      await client.bind(options.bind.dn, options.bind.password);
      return client;
    } catch (e) {
      await client.unbind().catch(() => undefined);
      throw classifyLdapError({ bind: options.bind.dn }, e);
    }
  };

  const drop = async () => {
    const current = session;
    session = undefined;
    const client = await current?.catch(() => undefined);
    await client?.unbind().catch(() => undefined);
  };

  return {
    async certificatesFor(user: DirectoryUser): Promise<DirectoryCertificates> {
      const filter = userEntryFilter(user);
      if (filter === undefined) return { found: "none" };
      session ??= open();
      try {
        const client = await session;
        const { searchEntries } = await client.search(options.baseDn, {
          scope: "sub",
          filter,
          attributes: CERTIFICATE_ATTRIBUTES,
          explicitBufferAttributes: BUFFER_ATTRIBUTES,
          sizeLimit: options.sizeLimit ?? DEFAULT_SIZE_LIMIT,
          timeLimit: Math.max(1, Math.ceil(operationMs / 1000)),
        });
        return lookupResult(searchEntries);
      } catch (e) {
        await drop();
        if (e instanceof PermanentError || e instanceof RetryableError) throw e;
        throw classifyLdapError({ search: options.baseDn }, e);
      }
    },
    close: drop,
  };
}

function lookupResult(entries: readonly unknown[]): DirectoryCertificates {
  if (entries.length === 0) return { found: "none" };
  const read = entries.map(entryCertificates);
  const [only] = read;
  if (read.length > 1 || !only) return { found: "several", dns: read.map((e) => e.dn) };
  return { found: "one", dn: only.dn, certificates: only.certificates, unreadable: only.unreadable };
}

/** Verifies the server against the given CAs only (and its name, as Node always does). */
function tlsOptionsOf(caCertificates: string): ConnectionOptions {
  return { ca: caCertificates, rejectUnauthorized: true, minVersion: "TLSv1.2" };
}
