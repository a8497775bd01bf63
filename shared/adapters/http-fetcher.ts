/**
 * The guarded HTTP GET behind the Fetcher port: CRLs and AIA issuer certificates.
 *
 * The URLs come from certificates, which anyone can mint, so every fetch is treated as hostile input:
 * only http(s); every address is checked after DNS resolution, inside the socket's own `lookup` hook, so the
 * connection goes to exactly the address that was checked (no DNS-rebinding window between check and
 * connect); every redirect target is checked again before anything connects to it; one deadline covers the
 * whole fetch (redirects and body); the body is capped while it streams. Failures are answers, not throws:
 * each becomes a CRL_UNREACHABLE problem whose message is the `reason`.
 */
import { lookup as systemLookup } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { rootCertificates } from "node:tls";
import type { Fetcher, FetchRequest, FetchResult } from "../ports.ts";
import { classifyAddress, isAddressAllowed } from "./address-policy.ts";

/** One resolved address, as `dns.lookup` with `all: true` gives it. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export interface HttpFetcherOptions {
  /** Allow loopback, private, link-local and similar addresses (never cloud metadata). Default false. */
  readonly allowPrivateNetwork?: boolean;
  /** Deadline for the whole fetch: DNS, connect, redirects and body. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Largest body accepted. Default 32 MiB (a 100,000-entry CRL is about 4 MiB). */
  readonly maxBytes?: number;
  /** Redirects followed before giving up. Default 3. */
  readonly maxRedirects?: number;
  readonly userAgent?: string;
  /** PEM roots trusted for https in addition to Node's bundled ones (an internal CA, tests). */
  readonly extraTrustedRoots?: readonly string[];
  /** Resolves a host name to every address; default the system resolver. For tests and custom DNS. */
  readonly resolve?: (hostname: string) => Promise<readonly ResolvedAddress[]>;
}

type FetchFailure = Extract<FetchResult, { ok: false }>;
type Settings = Required<HttpFetcherOptions>;
/** One request's outcome: a final answer, or a Location to follow. */
type Hop = { readonly result: FetchResult } | { readonly location: string };

const DEFAULTS: Settings = {
  allowPrivateNetwork: false,
  timeoutMs: 5000,
  maxBytes: 32 * 1024 * 1024,
  maxRedirects: 3,
  userAgent: "smime-lifecycle (CRL and AIA fetcher)",
  extraTrustedRoots: [],
  resolve: resolveWithSystem,
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Builds the Fetcher used for CRL distribution points and AIA caIssuers. */
export function createHttpFetcher(options: HttpFetcherOptions = {}): Fetcher {
  const settings: Settings = { ...DEFAULTS, ...definedOnly(options) };
  return { get: (request) => fetchGuarded(request, settings) };
}

async function fetchGuarded(request: FetchRequest, settings: Settings): Promise<FetchResult> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), settings.timeoutMs);
  try {
    return await followRedirects(request, settings, deadline.signal);
  } catch (error) {
    // Unreachable by design; kept so that the port's "never throws" holds even for a bug here.
    return failure("network", `unexpected failure: ${messageOf(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

async function followRedirects(request: FetchRequest, settings: Settings, signal: AbortSignal) {
  let target = parseTarget(request.url);
  for (let redirects = 0; ; redirects++) {
    if (!(target instanceof URL)) return target;
    const via = redirects === 0 ? "" : ` (after a redirect to ${display(target)})`;
    const refusal = checkLiteralAddress(target, settings.allowPrivateNetwork);
    if (refusal) return failure("refused", `refused: ${refusal}${via}`);
    const hop = await requestOnce(target, request, settings, signal, via);
    if ("result" in hop) return hop.result;
    if (redirects >= settings.maxRedirects) {
      return failure("http-status", `too many redirects: gave up after ${settings.maxRedirects}${via}`);
    }
    target = parseTarget(hop.location, target);
  }
}

/** http(s) URLs only; credentials are dropped so that they are neither sent nor shown. */
function parseTarget(text: string, base?: URL): URL | FetchFailure {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    return failure("bad-url", `not a valid URL: ${JSON.stringify(redactRaw(text))}`);
  }
  const where = base ? `redirected to ${display(url)}` : display(url);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return failure(
      "bad-url",
      `${where}: only http and https are fetched, not ${url.protocol.replace(/:$/, "")}`,
    );
  }
  url.username = "";
  url.password = "";
  return url;
}

/** Literal IPs never reach the lookup hook (Node connects to them directly), so they are checked here. */
function checkLiteralAddress(url: URL, allowPrivateNetwork: boolean): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) === 0) return undefined;
  const classification = classifyAddress(host);
  if (isAddressAllowed(classification, allowPrivateNetwork)) return undefined;
  return `${host} is ${classification.description}${hint(classification.scope)}`;
}

function requestOnce(url: URL, request: FetchRequest, settings: Settings, signal: AbortSignal, via: string) {
  return new Promise<Hop>((resolve) => {
    let req: http.ClientRequest | undefined;
    let settled = false;
    const finish = (hop: Hop) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      // Closes the socket too (no agent: one connection per fetch), so nothing is left reading or dangling.
      req?.destroy();
      resolve(hop);
    };
    const fail = (kind: FetchFailure["kind"], reason: string) =>
      finish({ result: failure(kind, reason + via) });
    const onAbort = () =>
      fail("timeout", `timed out after ${settings.timeoutMs} ms fetching ${display(url)}`);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      req = (url.protocol === "https:" ? https : http).request(url, {
        method: "GET",
        agent: false,
        headers: requestHeaders(request, settings.userAgent),
        lookup: guardedLookup(settings),
        ...(settings.extraTrustedRoots.length > 0
          ? { ca: [...rootCertificates, ...settings.extraTrustedRoots] }
          : {}),
      });
    } catch (error) {
      return fail("bad-url", `cannot request ${display(url)}: ${messageOf(error)}`);
    }
    // Stays attached after settling: a late socket error must not become an unhandled 'error' event.
    let brokenBody: (() => void) | undefined;
    req.on("error", (error) =>
      brokenBody && !isMalformed(error) ? brokenBody() : fail(...describeError(error, url)),
    );
    req.on("response", (res) => {
      const answer = answerFromHeaders(res, url, request, settings);
      if (answer) finish(answer);
      else brokenBody = readBody(res, url, settings, finish, fail);
    });
    req.end();
  });
}

/** Decides from the status line and headers alone; undefined means "read the body". */
function answerFromHeaders(res: http.IncomingMessage, url: URL, request: FetchRequest, settings: Settings) {
  const status = res.statusCode ?? 0;
  if (REDIRECTS.has(status)) {
    const location = res.headers.location;
    if (location) return { location };
    return {
      result: failure("http-status", `HTTP ${status} redirect without a Location from ${display(url)}`),
    };
  }
  if (status === 304 && (request.etag || request.lastModified)) {
    const result: FetchResult = {
      ok: true,
      status: 304,
      body: new Uint8Array(0),
      etag: res.headers.etag ?? request.etag,
      lastModified: res.headers["last-modified"] ?? request.lastModified,
      finalUrl: url.href,
    };
    return { result };
  }
  if (status !== 200) {
    const text = res.statusMessage ? ` ${res.statusMessage}` : "";
    return { result: failure("http-status", `HTTP ${status}${text} from ${display(url)}`) };
  }
  // No Accept-Encoding is sent, so a compressed body is a server fault; say so rather than let it fail to parse.
  const encoding = res.headers["content-encoding"];
  if (encoding && encoding.toLowerCase() !== "identity") {
    return {
      result: failure(
        "http-status",
        `${display(url)} sent a ${encoding}-encoded body, which was not asked for`,
      ),
    };
  }
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > settings.maxBytes) {
    const reason = `${display(url)} is ${bytes(declared)}, over the ${bytes(settings.maxBytes)} limit`;
    return { result: failure("too-large", reason) };
  }
  return undefined;
}

/**
 * Collects a 200 body, aborting (socket destroyed by `finish`) as soon as it passes the cap. Returns the
 * handler for a connection that breaks mid-body, which may surface on the request rather than the response.
 */
function readBody(
  res: http.IncomingMessage,
  url: URL,
  settings: Settings,
  finish: (hop: Hop) => void,
  fail: (kind: FetchFailure["kind"], reason: string) => void,
): () => void {
  const chunks: Buffer[] = [];
  let received = 0;
  res.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received > settings.maxBytes) {
      fail("too-large", `${display(url)} sent more than the ${bytes(settings.maxBytes)} limit`);
    } else {
      chunks.push(chunk);
    }
  });
  res.on("end", () => {
    const { etag, "last-modified": lastModified } = res.headers;
    const body = Buffer.concat(chunks, received);
    finish({ result: { ok: true, status: 200, body, etag, lastModified, finalUrl: url.href } });
  });
  // A connection that breaks mid-body surfaces as 'error' (ECONNRESET) or as a 'close' before the end.
  const broken = () =>
    fail("network", `${display(url)} closed the connection after ${bytes(received)} of the body`);
  res.on("error", broken);
  res.on("close", () => {
    if (!res.complete) broken();
  });
  return broken;
}

function requestHeaders(request: FetchRequest, userAgent: string): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = { "user-agent": userAgent, accept: "*/*" };
  if (request.etag) headers["if-none-match"] = request.etag;
  if (request.lastModified) headers["if-modified-since"] = request.lastModified;
  return headers;
}

/** Thrown into the socket by the lookup hook; carries the reason to the request's 'error' handler. */
class AddressRefused extends Error {}

/**
 * The socket's DNS hook: resolve, refuse the whole name if any of its addresses is refused (a resolver
 * that mixes public and private answers is exactly what a rebinding attack looks like), then hand the
 * socket the checked addresses — it connects to nothing else.
 */
function guardedLookup(settings: Settings): LookupFunction {
  return (hostname, options, callback) => {
    const answer = (addresses: readonly ResolvedAddress[]) => {
      const refused = addresses
        .map((a) => classifyAddress(a.address))
        .find((c) => !isAddressAllowed(c, settings.allowPrivateNetwork));
      const usable = addresses.filter((a) => !options.family || a.family === options.family);
      const first = usable[0];
      if (refused) {
        const reason = `refused: ${hostname} resolves to ${refused.address}, ${refused.description}${hint(refused.scope)}`;
        callback(new AddressRefused(reason), "", 0);
      } else if (!first) {
        callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 0);
      } else if (options.all) {
        callback(
          null,
          usable.map((a) => ({ address: a.address, family: a.family })),
        );
      } else {
        callback(null, first.address, first.family);
      }
    };
    settings.resolve(hostname).then(answer, (error: NodeJS.ErrnoException) => callback(error, "", 0));
  };
}

function resolveWithSystem(hostname: string): Promise<readonly ResolvedAddress[]> {
  return new Promise((resolve, reject) => {
    systemLookup(hostname, { all: true }, (error, addresses) => {
      if (error) return reject(error);
      resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    });
  });
}

/** A socket or TLS error in words; DNS and connection codes get a sentence of their own. */
function describeError(error: Error, url: URL): [FetchFailure["kind"], string] {
  if (error instanceof AddressRefused) return ["refused", error.message];
  const code = (error as NodeJS.ErrnoException).code;
  const host = url.host;
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NODATA":
    case "EAI_NONAME":
      return ["network", `cannot resolve ${url.hostname} (${code})`];
    case "ECONNREFUSED":
      return ["network", `connection refused by ${host}`];
    case "ECONNRESET":
      return ["network", `connection reset by ${host}`];
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return ["network", `${host} is unreachable (${code})`];
    default:
      if (isMalformed(error)) return ["network", `${display(url)} sent a malformed HTTP response (${code})`];
      return ["network", `${display(url)}: ${messageOf(error)}${code ? ` (${code})` : ""}`];
  }
}

/** llhttp's codes: a response that breaks HTTP framing (extra bytes, both Content-Length and chunked…). */
function isMalformed(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code?.startsWith("HPE_") === true;
}

function hint(scope: string): string {
  return scope === "private-network" ? "; private network access is not allowed" : "";
}

/** A URL fit for a message: no credentials, and a query (which may hold a token) elided. */
function display(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? "?…" : ""}`;
}

/** The same for text that did not parse as a URL: credentials and query elided, length capped. */
function redactRaw(text: string): string {
  return text
    .replace(/\/\/[^/?#]*@/, "//…@")
    .replace(/\?.*$/s, "?…")
    .slice(0, 200);
}

function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, "")} KiB`;
  return `${n} bytes`;
}

function failure(kind: FetchFailure["kind"], reason: string): FetchFailure {
  return { ok: false, kind, reason };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function definedOnly(options: HttpFetcherOptions): Partial<Settings> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
