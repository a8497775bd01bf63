/**
 * A real OpenLDAP `slapd` (Debian package `slapd`) for the LDAP tests: its own temporary directory, a
 * generated slapd.conf (schemas core, cosine, inetorgperson, plus Active Directory's `proxyAddresses` and
 * `userPrincipalName` as an auxiliary class), an mdb database under `dc=contoso,dc=test`, the root DN for
 * seeding and a read-only service account the adapter binds as, listening on 127.0.0.1 on free ports for
 * ldap:// and for ldaps:// with a server certificate from a CA minted here.
 *
 * Started per test file (`beforeAll`) and stopped after it; it runs in the foreground (`-d 0`) as our child,
 * so it never outlives the test run. Nothing of the system's slapd (its config, database or service) is used.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { webcrypto } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Attribute, Change, Client } from "ldapts";
import { toPem } from "./containers.ts";
import { mintLeaf, mintRoot } from "./pki.ts";

const SLAPD_CANDIDATES = ["/usr/sbin/slapd", "/usr/local/sbin/slapd", "/usr/local/libexec/slapd"];
const SCHEMA_DIR = "/etc/ldap/schema";
const MODULE_DIR = "/usr/lib/ldap";

export const BASE_DN = "dc=contoso,dc=test";
export const PEOPLE_DN = `ou=people,${BASE_DN}`;

export interface Credentials {
  readonly dn: string;
  readonly password: string;
}

/** A person entry to seed; certificates as DER (userCertificate) or PKCS#7 (userSMIMECertificate). */
export interface PersonSpec {
  readonly uid: string;
  readonly mail?: string | readonly string[];
  readonly proxyAddresses?: readonly string[];
  readonly userPrincipalName?: string;
  readonly userCertificate?: readonly Uint8Array[];
  readonly userSMIMECertificate?: readonly Uint8Array[];
}

export interface Slapd {
  /** ldap://127.0.0.1:port */
  readonly url: string;
  /** ldaps://127.0.0.1:port, its certificate issued by `caPem` for IP 127.0.0.1 */
  readonly ldapsUrl: string;
  readonly caPem: string;
  readonly baseDn: string;
  readonly admin: Credentials;
  /** A service account that may read people (what LDAP_BIND_DN names in production). */
  readonly reader: Credentials;
  /** Adds a person under ou=people; returns the DN. */
  addPerson(person: PersonSpec): Promise<string>;
  /** Replaces an entry's certificate attribute (an empty list removes it). */
  setCertificates(
    dn: string,
    attribute: "userCertificate;binary" | "userSMIMECertificate",
    values: readonly Uint8Array[],
  ): Promise<void>;
  stop(): Promise<void>;
}

/** The slapd binary, or a clear error saying how to install it. */
export function slapdBinary(): string {
  const found = SLAPD_CANDIDATES.find((p) => existsSync(p));
  if (!found || !existsSync(join(SCHEMA_DIR, "inetorgperson.schema")))
    throw new Error(
      "OpenLDAP slapd is not installed: the LDAP tests start a real one. " +
        "Install it with `apt-get install -y slapd ldap-utils` (Debian; .ci/run does this).",
    );
  return found;
}

// Active Directory's attributes, under a UUID-derived OID arc (2.25, ITU-T X.667) that needs no registration.
const AD_SCHEMA = `
attributetype ( 2.25.68590268771379258675510926751799530137.1 NAME 'userPrincipalName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 2.25.68590268771379258675510926751799530137.2 NAME 'proxyAddresses'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
objectclass ( 2.25.68590268771379258675510926751799530137.3 NAME 'adMailUser' SUP top AUXILIARY
  MAY ( userPrincipalName $ proxyAddresses ) )
`;

function slapdConf(dir: string, admin: Credentials): string {
  return `
include ${SCHEMA_DIR}/core.schema
include ${SCHEMA_DIR}/cosine.schema
include ${SCHEMA_DIR}/inetorgperson.schema
include ${join(dir, "ad.schema")}
pidfile ${join(dir, "slapd.pid")}
modulepath ${MODULE_DIR}
moduleload back_mdb
TLSCACertificateFile ${join(dir, "ca.pem")}
TLSCertificateFile ${join(dir, "server.pem")}
TLSCertificateKeyFile ${join(dir, "server.key")}
database mdb
maxsize 67108864
suffix "${BASE_DN}"
rootdn "${admin.dn}"
rootpw ${admin.password}
directory ${join(dir, "db")}
access to attrs=userPassword by anonymous auth by * none
access to * by users read by anonymous auth by * none
`;
}

/** A port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The server certificate and key for 127.0.0.1, and the CA that issued it, valid around the real now (TLS checks it). */
async function serverTls(): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  const now = Date.now();
  const validity = { notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 86_400_000) };
  const ca = await mintRoot({ subject: "CN=Test LDAP CA, O=Contoso Test", ...validity });
  const server = await mintLeaf({
    issuer: ca,
    subject: "CN=127.0.0.1",
    email: null,
    altNames: [{ ip: "127.0.0.1" }, { dns: "localhost" }],
    eku: ["1.3.6.1.5.5.7.3.1"],
    ...validity,
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", server.keys.privateKey);
  return { caPem: ca.pem, certPem: server.pem, keyPem: toPem(new Uint8Array(pkcs8), "PRIVATE KEY") };
}

async function waitUntilListening(child: ChildProcess, ports: number[], output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}:\n${output()}`);
    const up = await Promise.all(ports.map(canConnect));
    if (up.every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`slapd did not listen within 15 s:\n${output()}`);
}

/** Starts slapd with an empty directory holding the base entry, ou=people and the reader account. */
export async function startSlapd(): Promise<Slapd> {
  const binary = slapdBinary();
  const dir = await mkdtemp(join(tmpdir(), "slapd-test-"));
  await mkdir(join(dir, "db"));
  const admin = { dn: `cn=admin,${BASE_DN}`, password: "admin-secret" };
  const reader = { dn: `cn=reader,${BASE_DN}`, password: "reader-secret" };
  const tls = await serverTls();
  await Promise.all([
    writeFile(join(dir, "ad.schema"), AD_SCHEMA),
    writeFile(join(dir, "ca.pem"), tls.caPem),
    writeFile(join(dir, "server.pem"), tls.certPem),
    writeFile(join(dir, "server.key"), tls.keyPem, { mode: 0o600 }),
    writeFile(join(dir, "slapd.conf"), slapdConf(dir, admin)),
  ]);
  const [port, tlsPort] = [await freePort(), await freePort()];
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = `ldaps://127.0.0.1:${tlsPort}`;
  const child = spawn(binary, ["-f", join(dir, "slapd.conf"), "-h", `${url}/ ${ldapsUrl}/`, "-d", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (b: Buffer) => {
    output += b.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitUntilListening(child, [port, tlsPort], () => output);

  const asAdmin = async <T>(work: (c: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ url, timeout: 5_000, connectTimeout: 5_000 });
    try {
      await client.bind(admin.dn, admin.password);
      return await work(client);
    } finally {
      await client.unbind();
    }
  };
  await asAdmin(async (c) => {
    await c.add(BASE_DN, { objectClass: ["dcObject", "organization"], dc: "contoso", o: "Contoso" });
    await c.add(PEOPLE_DN, { objectClass: "organizationalUnit", ou: "people" });
    await c.add(reader.dn, {
      objectClass: ["organizationalRole", "simpleSecurityObject"],
      cn: "reader",
      userPassword: reader.password,
    });
  });

  return {
    url,
    ldapsUrl,
    caPem: tls.caPem,
    baseDn: BASE_DN,
    admin,
    reader,
    addPerson: (person) => asAdmin(async (c) => addPerson(c, person)),
    setCertificates: (dn, attribute, values) =>
      asAdmin((c) =>
        c.modify(
          dn,
          new Change({
            operation: "replace",
            modification: new Attribute({ type: attribute, values: values.map((v) => Buffer.from(v)) }),
          }),
        ),
      ),
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(killer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function addPerson(client: Client, p: PersonSpec): Promise<string> {
  const dn = `uid=${p.uid},${PEOPLE_DN}`;
  const ad = p.proxyAddresses !== undefined || p.userPrincipalName !== undefined;
  const text = (type: string, values: readonly string[]) => new Attribute({ type, values: [...values] });
  const binary = (type: string, values: readonly Uint8Array[]) =>
    new Attribute({ type, values: values.map((v) => Buffer.from(v)) });
  const mail = p.mail === undefined ? [] : typeof p.mail === "string" ? [p.mail] : p.mail;
  const attributes = [
    text("objectClass", ["inetOrgPerson", ...(ad ? ["adMailUser"] : [])]),
    text("uid", [p.uid]),
    text("cn", [p.uid]),
    text("sn", [p.uid]),
    ...(mail.length > 0 ? [text("mail", mail)] : []),
    ...(p.proxyAddresses?.length ? [text("proxyAddresses", p.proxyAddresses)] : []),
    ...(p.userPrincipalName ? [text("userPrincipalName", [p.userPrincipalName])] : []),
    ...(p.userCertificate?.length ? [binary("userCertificate;binary", p.userCertificate)] : []),
    ...(p.userSMIMECertificate?.length ? [binary("userSMIMECertificate", p.userSMIMECertificate)] : []),
  ];
  await client.add(dn, attributes);
  return dn;
}
