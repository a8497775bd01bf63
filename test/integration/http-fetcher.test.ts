import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpFetcher } from "../../shared/adapters/http-fetcher.ts";
import type { FetchResult } from "../../shared/ports.ts";
import { mintTlsIdentity } from "../support/tls-identity.ts";

const CRL_BYTES = new Uint8Array([0x30, 0x82, 0x01, 0x00, 1, 2, 3, 4, 5]);
const ETAG = '"crl-v7"';
const LAST_MODIFIED = "Sat, 28 Nov 2026 09:00:00 GMT";
const FIFTY_MB = 50 * 1024 * 1024;

/** A loopback server that counts connections and requests, and can answer or hang on purpose. */
interface TestServer {
  readonly base: string;
  readonly port: number;
  connections: number;
  readonly requests: http.IncomingMessage[];
  /** Bytes the /huge routes managed to write before the client went away. */
  hugeBytesWritten: number;
  /** Resolves when a connection to /hang or /stall has been closed by the client. */
  hangClosed: Promise<void>;
  close(): Promise<void>;
}

function startServer(): Promise<TestServer> {
  let signalHangClosed: () => void = () => {};
  const state = {
    connections: 0,
    requests: [] as http.IncomingMessage[],
    hugeBytesWritten: 0,
    hangClosed: new Promise<void>((resolve) => {
      signalHangClosed = resolve;
    }),
  };
  const server = http.createServer((req, res) => {
    state.requests.push(req);
    const path = req.url ?? "/";
    const redirect = (to: string) => res.writeHead(302, { location: to }).end();
    if (path === "/crl") return serveCrl(req, res);
    if (path === "/missing") return res.writeHead(404).end("no");
    if (path === "/gzipped") return res.writeHead(200, { "content-encoding": "gzip" }).end(CRL_BYTES);
    if (path === "/a") return redirect("/b");
    if (path === "/b") return redirect(`http://127.0.0.1:${port()}/c`);
    if (path === "/c") return redirect("/crl");
    if (path === "/loop") return redirect("/loop");
    if (path === "/to-metadata") return redirect("http://169.254.169.254/latest/meta-data/iam/");
    if (path === "/to-ldap") return redirect("ldap://ldap.example.com/cn=CA?certificateRevocationList");
    if (path === "/no-location") return res.writeHead(301).end();
    if (path === "/huge-chunked") return streamHuge(res, state, false);
    if (path === "/huge-declared") return streamHuge(res, state, true);
    if (path === "/stall") {
      res.writeHead(200, { "content-length": "1000" }).write("partial");
      return req.socket.once("close", signalHangClosed);
    }
    if (path === "/hang") return req.socket.once("close", signalHangClosed);
    res.writeHead(500).end();
  });
  server.on("connection", () => state.connections++);
  const port = () => (server.address() as AddressInfo).port;
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve(
        Object.assign(state, {
          base: `http://127.0.0.1:${port()}`,
          port: port(),
          close: () =>
            new Promise<void>((done) => {
              server.closeAllConnections();
              server.close(() => done());
            }),
        }),
      );
    });
  });
}

function serveCrl(req: http.IncomingMessage, res: http.ServerResponse) {
  const validators = { etag: ETAG, "last-modified": LAST_MODIFIED };
  const matchesEtag = req.headers["if-none-match"] === ETAG;
  const matchesDate = !req.headers["if-none-match"] && req.headers["if-modified-since"] === LAST_MODIFIED;
  if (matchesEtag || matchesDate) return res.writeHead(304, validators).end();
  res.writeHead(200, { ...validators, "content-type": "application/pkix-crl" }).end(CRL_BYTES);
}

/** Writes 50 MB in 64 KiB chunks, respecting back-pressure, until done or the client disconnects. */
function streamHuge(res: http.ServerResponse, state: { hugeBytesWritten: number }, declareLength: boolean) {
  res.writeHead(200, declareLength ? { "content-length": String(FIFTY_MB) } : {});
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  let closed = false;
  res.on("close", () => {
    closed = true;
  });
  const pump = () => {
    while (!closed && state.hugeBytesWritten < FIFTY_MB) {
      state.hugeBytesWritten += chunk.length;
      if (!res.write(chunk)) return void res.once("drain", pump);
    }
    if (!closed) res.end();
  };
  pump();
}

/** A raw TCP server that sends `reply` verbatim to every connection, then optionally closes. */
function startRawServer(reply: Buffer, end: boolean): Promise<{ base: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("data", () => {
      socket.write(reply);
      if (end) socket.end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        base: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

function expectFailure(result: FetchResult, kind: string): string {
  if (result.ok) throw new Error(`expected a ${kind} failure, got status ${result.status}`);
  expect(result.kind).toBe(kind);
  return result.reason;
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

describe("http fetcher against loopback servers (private network allowed)", () => {
  const fetcher = () => createHttpFetcher({ allowPrivateNetwork: true, timeoutMs: 5000 });

  it("returns a 200 body with its validators", async () => {
    const result = await fetcher().get({ url: `${server.base}/crl` });
    expect(result).toEqual({
      ok: true,
      status: 200,
      body: expect.any(Uint8Array),
      etag: ETAG,
      lastModified: LAST_MODIFIED,
      finalUrl: `${server.base}/crl`,
    });
    if (result.ok) expect([...result.body]).toEqual([...CRL_BYTES]);
  });

  it("sends a user agent and no credentials from the URL", async () => {
    const before = server.requests.length;
    await createHttpFetcher({ allowPrivateNetwork: true, userAgent: "probe/1" }).get({
      url: `http://user:secret@127.0.0.1:${server.port}/crl`,
    });
    const seen = server.requests[before];
    expect(seen?.headers["user-agent"]).toBe("probe/1");
    expect(seen?.headers.authorization).toBeUndefined();
  });

  it("reports a 404 as http-status with the status", async () => {
    const reason = expectFailure(await fetcher().get({ url: `${server.base}/missing` }), "http-status");
    expect(reason).toContain("HTTP 404 Not Found");
  });

  it("follows a chain of three redirects (the limit)", async () => {
    const result = await fetcher().get({ url: `${server.base}/a` });
    expect(result.ok && result.status).toBe(200);
    expect(result.ok && result.finalUrl).toBe(`${server.base}/crl`);
  });

  it("gives up on a redirect loop after maxRedirects, having made exactly 1 + maxRedirects requests", async () => {
    const before = server.requests.filter((r) => r.url === "/loop").length;
    const reason = expectFailure(await fetcher().get({ url: `${server.base}/loop` }), "http-status");
    expect(reason).toContain("too many redirects");
    expect(server.requests.filter((r) => r.url === "/loop").length - before).toBe(4);
  });

  it("refuses a redirect to 169.254.169.254 without connecting to it, even with the private network allowed", async () => {
    // A 60 s deadline: a connection attempt to the metadata address would end in a timeout, not a refusal.
    const reason = expectFailure(
      await createHttpFetcher({ allowPrivateNetwork: true, timeoutMs: 60_000 }).get({
        url: `${server.base}/to-metadata`,
      }),
      "refused",
    );
    expect(reason).toBe(
      "refused: 169.254.169.254 is the cloud instance metadata endpoint " +
        "(after a redirect to http://169.254.169.254/latest/meta-data/iam/)",
    );
  });

  it("refuses a redirect to ldap:// as a bad URL", async () => {
    const reason = expectFailure(await fetcher().get({ url: `${server.base}/to-ldap` }), "bad-url");
    expect(reason).toContain("only http and https are fetched, not ldap");
  });

  it("refuses a compressed body it did not ask for", async () => {
    const reason = expectFailure(await fetcher().get({ url: `${server.base}/gzipped` }), "http-status");
    expect(reason).toBe(`${server.base}/gzipped sent a gzip-encoded body, which was not asked for`);
    expect(server.requests.at(-1)?.headers["accept-encoding"]).toBeUndefined();
  });

  it("reports a redirect without a Location", async () => {
    const reason = expectFailure(await fetcher().get({ url: `${server.base}/no-location` }), "http-status");
    expect(reason).toContain("without a Location");
  });

  it("times out on an endpoint that accepts and never answers, and closes the connection", async () => {
    const reason = expectFailure(
      await createHttpFetcher({ allowPrivateNetwork: true, timeoutMs: 300 }).get({
        url: `${server.base}/hang`,
      }),
      "timeout",
    );
    expect(reason).toBe(`timed out after 300 ms fetching ${server.base}/hang`);
    await server.hangClosed;
  });

  it("times out on a body that stalls half-way (the deadline covers the body)", async () => {
    const reason = expectFailure(
      await createHttpFetcher({ allowPrivateNetwork: true, timeoutMs: 300 }).get({
        url: `${server.base}/stall`,
      }),
      "timeout",
    );
    expect(reason).toContain("timed out after 300 ms");
  });

  it("aborts a streamed 50 MB body at the default 32 MiB cap without reading it all", async () => {
    server.hugeBytesWritten = 0;
    const reason = expectFailure(await fetcher().get({ url: `${server.base}/huge-chunked` }), "too-large");
    expect(reason).toBe(`${server.base}/huge-chunked sent more than the 32 MiB limit`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.hugeBytesWritten).toBeLessThan(FIFTY_MB);
  });

  it("refuses a declared 50 MB body at once, from its Content-Length", async () => {
    server.hugeBytesWritten = 0;
    const small = createHttpFetcher({ allowPrivateNetwork: true, maxBytes: 1024 * 1024 });
    const reason = expectFailure(await small.get({ url: `${server.base}/huge-declared` }), "too-large");
    expect(reason).toBe(`${server.base}/huge-declared is 50 MiB, over the 1 MiB limit`);
    expect(server.hugeBytesWritten).toBeLessThan(FIFTY_MB);
  });

  it.each([
    { name: "ETag", request: { etag: ETAG }, validators: { etag: ETAG, lastModified: LAST_MODIFIED } },
    {
      name: "Last-Modified",
      request: { lastModified: LAST_MODIFIED },
      validators: { etag: ETAG, lastModified: LAST_MODIFIED },
    },
  ])("revalidates with $name and gets 304 with an empty body", async ({ request, validators }) => {
    const result = await fetcher().get({ url: `${server.base}/crl`, ...request });
    expect(result).toEqual({
      ok: true,
      status: 304,
      body: new Uint8Array(0),
      ...validators,
      finalUrl: `${server.base}/crl`,
    });
  });

  it("gets the full body when the ETag no longer matches", async () => {
    const result = await fetcher().get({ url: `${server.base}/crl`, etag: '"crl-v6"' });
    expect(result.ok && result.status).toBe(200);
    expect(server.requests.at(-1)?.headers["if-none-match"]).toBe('"crl-v6"');
  });

  it("connects to the address its resolver checked (custom resolver)", async () => {
    const resolving = createHttpFetcher({
      allowPrivateNetwork: true,
      resolve: async () => [{ address: "127.0.0.1", family: 4 }],
    });
    const result = await resolving.get({ url: `http://crl.pki.example:${server.port}/crl` });
    expect(result.ok && result.status).toBe(200);
    expect(server.requests.at(-1)?.headers.host).toBe(`crl.pki.example:${server.port}`);
  });
});

describe("http fetcher with the default policy (no private network)", () => {
  const strict = createHttpFetcher({ timeoutMs: 60_000 });

  it.each([
    {
      name: "literal loopback",
      path: (port: number) => `http://127.0.0.1:${port}/crl`,
      says: "127.0.0.1 is a loopback",
    },
    {
      name: "literal IPv6 loopback",
      path: (port: number) => `http://[::1]:${port}/crl`,
      says: "::1 is the loopback",
    },
    {
      name: "localhost (resolves to loopback)",
      path: (port: number) => `http://localhost:${port}/crl`,
      says: "localhost resolves to",
    },
    {
      name: "IPv4-mapped loopback",
      path: (port: number) => `http://[::ffff:127.0.0.1]:${port}/crl`,
      says: "IPv4-mapped",
    },
    {
      name: "hex form of 127.0.0.1",
      path: (port: number) => `http://0x7f.0.0.1:${port}/crl`,
      says: "127.0.0.1 is a loopback",
    },
    {
      name: "integer form of 127.0.0.1",
      path: (port: number) => `http://2130706433:${port}/crl`,
      says: "127.0.0.1 is a loopback",
    },
  ])("refuses $name without connecting", async ({ path, says }) => {
    const before = server.connections;
    const reason = expectFailure(await strict.get({ url: path(server.port) }), "refused");
    expect(reason).toContain(says);
    expect(reason).toContain("private network access is not allowed");
    expect(server.connections).toBe(before);
  });

  it.each([
    { name: "resolver answering the metadata address", answer: ["169.254.169.254"], says: "metadata" },
    {
      name: "resolver mixing public and private answers",
      answer: ["93.184.216.34", "10.1.2.3"],
      says: "10.1.2.3",
    },
    { name: "resolver answering an IPv4-mapped loopback", answer: ["::ffff:127.0.0.1"], says: "IPv4-mapped" },
  ])("refuses a $name", async ({ answer, says }) => {
    const fetcher = createHttpFetcher({
      timeoutMs: 60_000,
      resolve: async () => answer.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
    });
    const reason = expectFailure(await fetcher.get({ url: "http://crl.pki.example/root.crl" }), "refused");
    expect(reason).toContain(`refused: crl.pki.example resolves to`);
    expect(reason).toContain(says);
  });

  it("reports a name that does not resolve as a network failure", async () => {
    const fetcher = createHttpFetcher({
      resolve: () => Promise.reject(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" })),
    });
    const reason = expectFailure(await fetcher.get({ url: "http://crl.pki.example/root.crl" }), "network");
    expect(reason).toBe("cannot resolve crl.pki.example (ENOTFOUND)");
  });
});

describe("URLs that are not http(s)", () => {
  it.each([
    { url: "ftp://ftp.example.com/ca.crl", says: "not ftp" },
    { url: "file:///etc/passwd", says: "not file" },
    { url: "ldap://ldap.example.com/cn=CA,o=Example?certificateRevocationList;binary", says: "not ldap" },
    { url: "data:application/pkix-crl;base64,MAA=", says: "not data" },
    { url: "not a url", says: "not a valid URL" },
    { url: "", says: "not a valid URL" },
    { url: "http://user:hunter2@[zz::1]/x?token=abc", says: 'not a valid URL: "http://…@[zz::1]/x?…"' },
  ])("$url is a bad URL", async ({ url, says }) => {
    const reason = expectFailure(await createHttpFetcher().get({ url }), "bad-url");
    expect(reason).toContain(says);
  });
});

describe("servers that lie about Content-Length", () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const raw = async (reply: string | Buffer, end: boolean) => {
    const started = await startRawServer(Buffer.isBuffer(reply) ? reply : Buffer.from(reply, "latin1"), end);
    servers.push(started);
    return started;
  };
  const fetcher = createHttpFetcher({ allowPrivateNetwork: true, timeoutMs: 5000, maxBytes: 1024 });

  it("declares 1000 bytes, sends 10 and closes: a network failure, not a short body", async () => {
    const { base } = await raw("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789", true);
    const reason = expectFailure(await fetcher.get({ url: `${base}/crl` }), "network");
    expect(reason).toContain("closed the connection");
  });

  it("declares 100 bytes and sends 1 MiB: a malformed response, not a bigger body", async () => {
    const reply = Buffer.concat([
      Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"),
      Buffer.alloc(1 << 20, 1),
    ]);
    const { base } = await raw(reply, true);
    const reason = expectFailure(await fetcher.get({ url: `${base}/crl` }), "network");
    expect(reason).toBe(`${base}/crl sent a malformed HTTP response (HPE_INVALID_CONSTANT)`);
  });

  it("declares both a length and chunked encoding (smuggling): refused by the parser", async () => {
    const { base } = await raw(
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      true,
    );
    const reason = expectFailure(await fetcher.get({ url: `${base}/crl` }), "network");
    expect(reason).toContain("malformed HTTP response");
  });

  it("declares nothing and streams past the cap: too large", async () => {
    const reply = Buffer.concat([
      Buffer.from("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"),
      Buffer.alloc(4096, 1),
    ]);
    const { base } = await raw(reply, true);
    expectFailure(await fetcher.get({ url: `${base}/crl` }), "too-large");
  });
});

describe("addresses refused even with the private network allowed", () => {
  const lenient = createHttpFetcher({ allowPrivateNetwork: true, timeoutMs: 60_000 });
  it.each([
    {
      url: "http://169.254.169.254/latest/meta-data/",
      says: "169.254.169.254 is the cloud instance metadata endpoint",
    },
    { url: "http://168.63.129.16/machine?comp=goalstate", says: "Azure wire server" },
    { url: "http://[fd00:ec2::254]/latest/meta-data/", says: "AWS instance metadata endpoint (IPv6)" },
    { url: "http://[::ffff:a9fe:a9fe]/", says: "IPv4-mapped address of 169.254.169.254" },
    { url: "http://0.0.0.0/", says: "the unspecified address" },
    { url: "http://224.0.0.1/", says: "multicast" },
  ])("$url", async ({ url, says }) => {
    const reason = expectFailure(await lenient.get({ url }), "refused");
    expect(reason).toContain(says);
    expect(reason).not.toContain("private network access is not allowed");
  });
});

describe("https", () => {
  let tls: { cert: string; key: string };
  let secure: https.Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    tls = await mintTlsIdentity("crl.pki.example");
    secure = https.createServer(tls, (_req, res) => res.writeHead(200).end(CRL_BYTES));
    secure.on("connection", () => connections++);
    await new Promise<void>((resolve) => secure.listen(0, "127.0.0.1", resolve));
    port = (secure.address() as AddressInfo).port;
  });
  afterAll(async () => {
    secure.closeAllConnections();
    await new Promise<void>((resolve) => secure.close(() => resolve()));
  });
  const toLoopback = async () => [{ address: "127.0.0.1", family: 4 as const }];

  it("fetches over TLS through the guarded lookup when the server is trusted", async () => {
    const fetcher = createHttpFetcher({
      allowPrivateNetwork: true,
      extraTrustedRoots: [tls.cert],
      resolve: toLoopback,
    });
    const result = await fetcher.get({ url: `https://crl.pki.example:${port}/ca.crl` });
    expect(result.ok && [...result.body]).toEqual([...CRL_BYTES]);
  });

  it("reports an untrusted server certificate as a network failure in words", async () => {
    const fetcher = createHttpFetcher({ allowPrivateNetwork: true, resolve: toLoopback });
    const reason = expectFailure(
      await fetcher.get({ url: `https://crl.pki.example:${port}/ca.crl` }),
      "network",
    );
    expect(reason).toContain("self-signed certificate");
  });

  it("refuses https://localhost without connecting when the private network is not allowed", async () => {
    const before = connections;
    const reason = expectFailure(
      await createHttpFetcher().get({ url: `https://localhost:${port}/ca.crl` }),
      "refused",
    );
    expect(reason).toContain("localhost resolves to");
    expect(connections).toBe(before);
  });
});
