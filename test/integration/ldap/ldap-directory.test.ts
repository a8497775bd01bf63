/**
 * The LDAP Directory adapter against a real OpenLDAP slapd: lookups by mail, SMTP proxy address and UPN,
 * certificates from userCertificate;binary and from userSMIMECertificate (PKCS#7), none, several entries,
 * LDAPS, a refused bind, an unreachable or silent server, and filter values that try to widen the search.
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLdapDirectory, type LdapDirectoryOptions } from "../../../shared/adapters/ldap-directory.ts";
import { PermanentError, RetryableError } from "../../../shared/errors.ts";
import type { DirectoryCertificates, DirectoryUser } from "../../../shared/ports.ts";
import { toP7b } from "../../support/containers.ts";
import { type Minted, mintLeaf, mintRoot } from "../../support/pki.ts";
import { PEOPLE_DN, type Slapd, startSlapd } from "../../support/slapd.ts";

let slapd: Slapd;
let ca: Minted;
const leaves: Record<string, Minted> = {};

const hex = (der: Uint8Array) => Buffer.from(der).toString("hex");
const dnOf = (uid: string) => `uid=${uid},${PEOPLE_DN}`;

beforeAll(async () => {
  slapd = await startSlapd();
  ca = await mintRoot();
  for (const name of ["alice", "bob", "bob2", "carol", "dave", "erin", "frank"])
    leaves[name] = await mintLeaf({ issuer: ca, email: `${name}@contoso.com`, subject: `CN=${name}` });
  const leaf = (name: string) => (leaves[name] as Minted).der;
  await slapd.addPerson({ uid: "alice", mail: "alice@contoso.com", userCertificate: [leaf("alice")] });
  await slapd.addPerson({
    uid: "bob",
    mail: "bob@contoso.com",
    userCertificate: [leaf("bob"), leaf("bob2")],
    userSMIMECertificate: [toP7b([leaf("bob2"), ca.der])],
  });
  await slapd.addPerson({
    uid: "carol",
    mail: "carol@contoso.com",
    userSMIMECertificate: [toP7b([leaf("carol")])],
  });
  // Dave's address is also on a shared mailbox's entry: the directory is ambiguous.
  await slapd.addPerson({ uid: "dave", mail: "dave@contoso.com", userCertificate: [leaf("dave")] });
  await slapd.addPerson({
    uid: "dave-shared",
    mail: "shared@contoso.com",
    proxyAddresses: ["smtp:dave@contoso.com"],
  });
  // Erin is found by her primary SMTP proxy address only, Frank by his UPN only.
  await slapd.addPerson({
    uid: "erin",
    mail: "erin.old@contoso.com",
    proxyAddresses: ["SMTP:erin@contoso.com", "smtp:erin.old@contoso.com"],
    userCertificate: [leaf("erin")],
  });
  await slapd.addPerson({
    uid: "frank",
    userPrincipalName: "frank@corp.contoso.com",
    userCertificate: [leaf("frank")],
  });
  // Addresses holding filter syntax: IA5String allows them, and a lookup must match them literally.
  await slapd.addPerson({ uid: "star", mail: "we*ird@contoso.com" });
  await slapd.addPerson({ uid: "paren", mail: "o(brien)@contoso.com" });
  // Three entries share one address: more than a size limit of 2.
  for (const uid of ["team1", "team2", "team3"])
    await slapd.addPerson({ uid, mail: `${uid}@contoso.com`, proxyAddresses: ["smtp:team@contoso.com"] });
});

afterAll(async () => {
  await slapd?.stop();
});

const options = (more: Partial<LdapDirectoryOptions> = {}): LdapDirectoryOptions => ({
  url: slapd.url,
  baseDn: slapd.baseDn,
  bind: slapd.reader,
  ...more,
});

/** What a lookup found, in a form a table can state: the DNs and each certificate's attribute and bytes. */
function summary(result: DirectoryCertificates) {
  if (result.found === "none") return { found: "none" };
  if (result.found === "several") return { found: "several", dns: [...result.dns].sort() };
  return {
    found: "one",
    dn: result.dn,
    certificates: result.certificates.map((c) => `${c.attribute}:${hex(c.der)}`).sort(),
    unreadable: result.unreadable,
  };
}

const user = (upn: string, primarySmtp?: string): DirectoryUser => ({
  userPrincipalName: upn,
  ...(primarySmtp && { primarySmtp }),
});

describe("certificatesFor against slapd", () => {
  const cert = (attribute: string, name: string) => () => `${attribute}:${hex((leaves[name] as Minted).der)}`;
  const cases: ReadonlyArray<{
    name: string;
    user: DirectoryUser;
    expected: () => ReturnType<typeof summary>;
  }> = [
    {
      name: "one entry by mail, its certificate from userCertificate;binary",
      user: user("alice@contoso.com", "alice@contoso.com"),
      expected: () => ({
        found: "one",
        dn: dnOf("alice"),
        certificates: [cert("userCertificate", "alice")()],
        unreadable: [],
      }),
    },
    {
      name: "the certificate from userSMIMECertificate (PKCS#7)",
      user: user("carol@contoso.com", "carol@contoso.com"),
      expected: () => ({
        found: "one",
        dn: dnOf("carol"),
        certificates: [cert("userSMIMECertificate", "carol")()],
        unreadable: [],
      }),
    },
    {
      name: "several certificates on one entry: each once, the PKCS#7's chain included",
      user: user("bob@contoso.com", "bob@contoso.com"),
      expected: () => ({
        found: "one",
        dn: dnOf("bob"),
        certificates: [
          cert("userCertificate", "bob")(),
          cert("userCertificate", "bob2")(),
          `userSMIMECertificate:${hex(ca.der)}`,
        ].sort(),
        unreadable: [],
      }),
    },
    {
      name: "no entry for the address",
      user: user("nobody@contoso.com", "nobody@contoso.com"),
      expected: () => ({ found: "none" }),
    },
    {
      name: "two entries answer for one address: several, both named",
      user: user("dave@corp.contoso.com", "dave@contoso.com"),
      expected: () => ({ found: "several", dns: [dnOf("dave"), dnOf("dave-shared")].sort() }),
    },
    {
      name: "found by the primary SMTP proxy address (case-insensitive prefix)",
      user: user("erin@corp.contoso.com", "erin@contoso.com"),
      expected: () => ({
        found: "one",
        dn: dnOf("erin"),
        certificates: [cert("userCertificate", "erin")()],
        unreadable: [],
      }),
    },
    {
      name: "found by the user principal name",
      user: user("Frank@Corp.Contoso.com"),
      expected: () => ({
        found: "one",
        dn: dnOf("frank"),
        certificates: [cert("userCertificate", "frank")()],
        unreadable: [],
      }),
    },
  ];

  for (const c of cases)
    it(c.name, async () => {
      const directory = createLdapDirectory(options());
      try {
        expect(summary(await directory.certificatesFor(c.user))).toEqual(c.expected());
      } finally {
        await directory.close();
      }
    });

  it("more entries than the size limit: several, as many as the limit, no error", async () => {
    const directory = createLdapDirectory(options({ sizeLimit: 2 }));
    try {
      const result = await directory.certificatesFor(user("team@corp.contoso.com", "team@contoso.com"));
      expect({ found: result.found, count: result.found === "several" ? result.dns.length : 0 }).toEqual({
        found: "several",
        count: 2,
      });
    } finally {
      await directory.close();
    }
  });

  it("reuses one bound connection for a run of lookups, and reconnects after close", async () => {
    const directory = createLdapDirectory(options());
    const found = [];
    for (const name of ["alice", "carol", "alice"])
      found.push((await directory.certificatesFor(user(`${name}@contoso.com`, `${name}@contoso.com`))).found);
    await directory.close();
    found.push((await directory.certificatesFor(user("alice@contoso.com", "alice@contoso.com"))).found);
    await directory.close();
    expect(found).toEqual(["one", "one", "one", "one"]);
  });
});

describe("filter values cannot widen the search", () => {
  const cases: ReadonlyArray<{ name: string; address: string; expected: string[] }> = [
    { name: "a bare wildcard", address: "*", expected: [] },
    { name: "a wildcard suffix", address: "alice@*", expected: [] },
    { name: "a closed component and a presence test", address: "x)(mail=*", expected: [] },
    { name: "an OR smuggled after a real address", address: "alice@contoso.com)(|(mail=*", expected: [] },
    { name: "a backslash escape written by the caller", address: "\\2a", expected: [] },
    { name: "a NUL byte", address: "alice@contoso.com\u0000", expected: [] },
    {
      name: "a literal * matches only its own entry",
      address: "we*ird@contoso.com",
      expected: [dnOf("star")],
    },
    {
      name: "literal parentheses match only their entry",
      address: "o(brien)@contoso.com",
      expected: [dnOf("paren")],
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const directory = createLdapDirectory(options());
      try {
        const result = await directory.certificatesFor({ userPrincipalName: c.address, mail: c.address });
        const dns = result.found === "none" ? [] : result.found === "one" ? [result.dn] : [...result.dns];
        expect(dns).toEqual(c.expected);
      } finally {
        await directory.close();
      }
    });
});

describe("LDAPS", () => {
  it("finds the certificate over ldaps:// when the server's CA is given", async () => {
    const directory = createLdapDirectory(options({ url: slapd.ldapsUrl, caCertificates: slapd.caPem }));
    try {
      const result = await directory.certificatesFor(user("alice@contoso.com", "alice@contoso.com"));
      expect(summary(result)).toMatchObject({ found: "one", dn: dnOf("alice") });
    } finally {
      await directory.close();
    }
  });

  it("refuses a server certificate the given CA did not issue: permanent, naming LDAP_TLS_CA", async () => {
    const other = await mintRoot({ subject: "CN=Some Other CA" });
    const directory = createLdapDirectory(options({ url: slapd.ldapsUrl, caCertificates: other.pem }));
    const error = await directory.certificatesFor(user("alice@contoso.com")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(
      /^LDAP bind as cn=reader,dc=contoso,dc=test failed: .*LDAP_TLS_CA/,
    );
  });
});

describe("failures", () => {
  it("a wrong bind password is a clear permanent error that never shows the password", async () => {
    const directory = createLdapDirectory(
      options({ bind: { dn: slapd.reader.dn, password: "wrong-password" } }),
    );
    const error = await directory.certificatesFor(user("alice@contoso.com")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).not.toBeInstanceOf(RetryableError);
    expect((error as Error).message).toBe(
      "LDAP bind as cn=reader,dc=contoso,dc=test failed: invalid credentials",
    );
    expect(JSON.stringify({ m: (error as Error).message, s: (error as Error).stack })).not.toContain(
      "wrong-password",
    );
  });

  it("a bind DN that does not exist is refused the same way", async () => {
    const dn = `cn=ghost,${slapd.baseDn}`;
    const directory = createLdapDirectory(options({ bind: { dn, password: "whatever" } }));
    const error = await directory.certificatesFor(user("alice@contoso.com")).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`LDAP bind as ${dn} failed: invalid credentials`);
  });

  it("a base DN that does not exist is permanent and named", async () => {
    const directory = createLdapDirectory(options({ baseDn: "ou=missing,dc=contoso,dc=test" }));
    const error = await directory.certificatesFor(user("alice@contoso.com")).catch((e: unknown) => e);
    await directory.close();
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe(
      "LDAP search under ou=missing,dc=contoso,dc=test failed: no such object",
    );
  });

  it("a closed port is retryable", async () => {
    const closed = await closedPort();
    const directory = createLdapDirectory(options({ url: `ldap://127.0.0.1:${closed}` }));
    const error = await directory.certificatesFor(user("alice@contoso.com")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  it("an address that never completes the TCP handshake is retryable", async () => {
    // TEST-NET-1 (RFC 5737) is never routed: the connect times out, or the network refuses it at once.
    const directory = createLdapDirectory(options({ url: "ldap://192.0.2.1:389", connectTimeoutMs: 300 }));
    const error = await directory.certificatesFor(user("alice@contoso.com")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
  });

  it("a server that accepts and never answers is retryable once the operation timeout passes", async () => {
    const silent = await silentServer();
    try {
      const directory = createLdapDirectory(
        options({ url: `ldap://127.0.0.1:${silent.port}`, operationTimeoutMs: 200, connectTimeoutMs: 200 }),
      );
      const error = await directory.certificatesFor(user("alice@contoso.com")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetryableError);
      expect((error as Error).message).toMatch(/timed out/i);
    } finally {
      await silent.close();
    }
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 1));
    });
  });
}

/** A TCP server that accepts connections and never writes a byte. */
function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : 0,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
