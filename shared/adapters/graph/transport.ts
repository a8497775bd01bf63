/**
 * One way to talk to Graph: the Microsoft Graph client builds and sends each request; this module adds what
 * Graph asks of a polite caller and what the pipeline needs of every call:
 * - a bearer token from the credential (never logged, never in an error);
 * - `$select` on reads (the caller's field list);
 * - a per-request timeout;
 * - a semaphore shared by every call of the gateway (bounded concurrency), and a sliding window on how many
 *   requests start per 20 s (Intune's limit is about 1,000 per app);
 * - retries of 429/5xx/network failures: `Retry-After` honoured (and, while it runs, every other call of the
 *   gateway holds off too: a throttled app that keeps sending only extends its penalty), else exponential
 *   back-off with jitter, bounded; then a RetryableError with the wait Graph asked for;
 * - any other 4xx a PermanentError with Graph's error code and message;
 * - `@odata.nextLink` followed page by page (an async iterator), only within the configured base URL, so the
 *   token never travels to another host.
 * Responses are read raw (status, headers, text) so that every status is decided here, not by the SDK.
 */
import type { TokenCredential } from "@azure/identity";
import { Client, HTTPMessageHandler, ResponseType } from "@microsoft/microsoft-graph-client";
import type { z } from "zod";
import { GraphErrorBody } from "../../contracts/graph.ts";
import { PermanentError, RetryableError } from "../../errors.ts";
import type { Logger } from "../../ports.ts";
import { GraphPayloadError, GraphRequestError, GraphUnavailableError } from "./errors.ts";
import { type ParsedPage, parsePage } from "./parse.ts";
import { RequestWindow } from "./request-window.ts";
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
} from "./retry-policy.ts";
import { Semaphore } from "./semaphore.ts";

/** Graph's API version for a resource; each resource module says which and why. */
export type GraphVersion = "v1.0" | "beta";

/** One Graph call. */
export interface GraphCall {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  readonly version: GraphVersion;
  /** Relative to the version root, with any query, e.g. "users/delta" or "users?$skiptoken=…"; ids encoded. */
  readonly path: string;
  /** What is being read or done, for messages: "userPfxCertificates". */
  readonly resource: string;
  /** `$select`: required on every GET that names a resource (not on a nextLink, which carries its own). */
  readonly select?: readonly string[];
  readonly body?: unknown;
  /** The body's media type when it is not JSON (a string body is sent as it is): sendMail's MIME form. */
  readonly contentType?: string;
  /** Statuses answered as a result instead of an error (e.g. 404 for "no such user"). */
  readonly accept?: readonly number[];
  /**
   * Whether sending it twice does no harm. Default: every method but POST. A call that is not idempotent
   * (sendMail) is retried here only when Graph surely did not act on it (429, 503: turned away at the door);
   * after a timeout, a dropped connection or another 5xx it may have been done, so the caller decides.
   */
  readonly idempotent?: boolean;
}

/** A settled response: its status and its JSON body (undefined when empty). */
export interface GraphResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface GraphTransportOptions {
  /** GRAPH_BASE_URL: "https://graph.microsoft.com", or the demo tenant's loopback URL. */
  readonly baseUrl: string;
  readonly credential: TokenCredential;
  /** Default: "{origin of baseUrl}/.default". */
  readonly scope?: string;
  /** Requests in flight at once, for the whole gateway. Default 6. */
  readonly maxConcurrency?: number;
  /**
   * Requests started per window, for the whole gateway. Default 900 per 20 s: under Intune's limit of about
   * 1,000 per 20 s per app, with room for a second instance's stragglers.
   */
  readonly requestWindow?: { readonly limit: number; readonly windowMs: number };
  /** Per attempt: connect, send and read the body. Default 30 s. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Injected for tests: waits `ms`. Default a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
  /** In [0, 1): the back-off jitter. */
  readonly random?: () => number;
  /** Told of every retry (throttling shows here first); never of tokens or queries. */
  readonly logger?: Logger;
}

/** Statuses that prove the request was turned away before Graph acted on it. */
const NOT_PROCESSED = new Set([401, 429, 503]);

const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/** The transport every resource module sends through. */
export class GraphTransport {
  private readonly client: Client;
  private readonly base: URL;
  private readonly scope: string;
  private readonly semaphore: Semaphore;
  private readonly window: RequestWindow;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;
  private readonly random: () => number;
  /** The token being fetched or held: concurrent first calls share one request to the token endpoint. */
  private token: Promise<{ value: string; refreshAt: number }> | undefined;
  /** While Graph's Retry-After runs, no call of this gateway is sent. */
  private pausedUntil = 0;

  private readonly options: GraphTransportOptions;

  constructor(options: GraphTransportOptions) {
    this.options = options;
    this.base = new URL(`${options.baseUrl.replace(/\/+$/, "")}/`);
    this.scope = options.scope ?? `${this.base.origin}/.default`;
    // No SDK retry, redirect or auth middleware: retries and the token are handled here, where the clock,
    // the semaphore and the error classes are.
    this.client = Client.initWithMiddleware({
      baseUrl: this.base.href.replace(/\/$/, ""),
      middleware: new HTTPMessageHandler(),
    });
    this.semaphore = new Semaphore(options.maxConcurrency ?? 6);
    const window = options.requestWindow ?? { limit: 900, windowMs: 20_000 };
    this.window = new RequestWindow(window.limit, window.windowMs);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  /** Sends one call with retries. @throws GraphRequestError, GraphUnavailableError, GraphPayloadError */
  async send(call: GraphCall): Promise<GraphResponse> {
    for (let attempt = 1; ; attempt++) {
      await this.waitOutThrottle();
      const outcome = await this.semaphore.run(async () => {
        await this.pace();
        return this.attempt(call);
      });
      if ("response" in outcome) return outcome.response;
      const wait = outcome.retryAfterMs ?? backoffDelay(this.policy, attempt, this.random());
      const stop = !mayRepeat(call, outcome.status)
        ? "not retried: Graph may have acted on it"
        : attempt >= this.policy.maxAttempts || wait > this.policy.maxRetryAfterMs
          ? `gave up after ${attempt} attempt${attempt === 1 ? "" : "s"}`
          : undefined;
      if (stop)
        throw new GraphUnavailableError(
          `${describe(call)}: ${outcome.reason} (${stop})`,
          wait,
          outcome.status,
        );
      this.options.logger?.warn("graph request retried", {
        request: describe(call),
        reason: outcome.reason,
        attempt,
        waitMs: wait,
      });
      if (outcome.retryAfterMs !== undefined) {
        this.pausedUntil = Math.max(this.pausedUntil, this.now().getTime() + wait);
      } else {
        await this.sleep(wait);
      }
    }
  }

  /** Every page of a listing, parsed item by item, following `@odata.nextLink` to the end. */
  async *pages<S extends z.ZodType>(call: GraphCall, schema: S): AsyncGenerator<ParsedPage<z.output<S>>> {
    let next: GraphCall = call;
    let previousLink: string | undefined;
    for (;;) {
      const { body } = await this.send(next);
      const page = parsePage(schema, call.resource, body);
      yield page;
      if (!page.nextLink) return;
      if (page.nextLink === previousLink) {
        throw new GraphPayloadError(call.resource, "@odata.nextLink", ["repeats the previous page's link"]);
      }
      previousLink = page.nextLink;
      next = { ...this.fromLink(page.nextLink, call.resource), method: "GET", resource: call.resource };
    }
  }

  /**
   * A nextLink or deltaLink as a call: it must lie under the base URL (the token goes nowhere else), and it
   * carries its own query ($select, $skiptoken, $deltatoken).
   */
  fromLink(link: string, resource: string): Pick<GraphCall, "version" | "path"> {
    let url: URL;
    try {
      url = new URL(link, this.base);
    } catch {
      throw new GraphPayloadError(resource, "link", [`not a URL: ${JSON.stringify(link.slice(0, 200))}`]);
    }
    if (url.origin !== this.base.origin || !url.pathname.startsWith(this.base.pathname)) {
      throw new PermanentError(
        `Graph ${resource}: a link to ${url.origin}${url.pathname} leaves ${this.base.href}; not followed`,
      );
    }
    const [version, ...segments] = url.pathname.slice(this.base.pathname.length).split("/");
    if (version !== "v1.0" && version !== "beta") {
      throw new GraphPayloadError(resource, "link", [`no API version in ${url.pathname}`]);
    }
    return { version, path: `${segments.join("/")}${url.search}` };
  }

  /** Waits until the request window has room, then takes it (no await between the check and the record). */
  private async pace(): Promise<void> {
    for (let delay = this.window.delayAt(this.now().getTime()); delay > 0; ) {
      await this.sleep(delay);
      delay = this.window.delayAt(this.now().getTime());
    }
    this.window.record(this.now().getTime());
  }

  private async waitOutThrottle(): Promise<void> {
    const wait = this.pausedUntil - this.now().getTime();
    if (wait > 0) await this.sleep(wait);
  }

  /** One HTTP exchange: a response, or why it should be tried again. Permanent failures throw. */
  private async attempt(call: GraphCall): Promise<Attempt> {
    const token = await this.accessToken();
    const outcome = await this.exchange(call, token);
    // A token Graph no longer accepts (revoked, or expired early): drop it, so the retry gets a fresh one.
    if (!("response" in outcome) && outcome.status === 401) this.token = undefined;
    return outcome;
  }

  private async exchange(call: GraphCall, token: string): Promise<Attempt> {
    let response: Response;
    let text: string;
    try {
      const signal = AbortSignal.timeout(this.timeoutMs);
      let request = this.client
        .api(call.path)
        .version(call.version)
        .responseType(ResponseType.RAW)
        .header("Authorization", `Bearer ${token}`)
        .options({ signal });
      if (call.select) request = request.select([...call.select]);
      if (call.contentType) request = request.header("Content-Type", call.contentType);
      response = await dispatch(request, call);
      text = await response.text();
    } catch (error) {
      return { reason: networkReason(error, this.timeoutMs) };
    }
    return this.settle(call, response, text);
  }

  private settle(call: GraphCall, response: Response, text: string): Attempt {
    const { status } = response;
    if ((status >= 200 && status < 300) || call.accept?.includes(status)) {
      return { response: { status, body: parseJson(call, status, text) } };
    }
    const graphError = GraphErrorBody.safeParse(safeJson(text));
    const code = graphError.success ? graphError.data.error.code : `HTTP${status}`;
    const message = graphError.success ? graphError.data.error.message : response.statusText;
    const reason = `HTTP ${status} ${code}${message ? `: ${message}` : ""}`;
    if (isRetryableStatus(status) || status === 401) {
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), this.now());
      return { reason, status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    throw new GraphRequestError(status, code, `${describe(call)}: ${reason}`);
  }

  private async accessToken(): Promise<string> {
    const current = this.token;
    if (current) {
      const held = await current.catch(() => undefined);
      if (held && this.now().getTime() < held.refreshAt) return held.value;
      // Another call started the refresh while this one waited: share it.
      if (this.token !== current) return this.accessToken();
    }
    // No await between the check above and this assignment, so concurrent callers never fetch twice.
    const fetching = this.fetchToken();
    this.token = fetching;
    try {
      return (await fetching).value;
    } catch (error) {
      if (this.token === fetching) this.token = undefined;
      throw error;
    }
  }

  private async fetchToken(): Promise<{ value: string; refreshAt: number }> {
    let token: Awaited<ReturnType<TokenCredential["getToken"]>>;
    try {
      token = await this.options.credential.getToken(this.scope);
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      const message = `Graph credential: ${error instanceof Error ? error.message : String(error)}`;
      // A credential that cannot work here (no managed identity, bad secret) will not start working by itself.
      if (name === "CredentialUnavailableError" || name === "AuthenticationRequiredError") {
        throw new PermanentError(message, { cause: error });
      }
      throw new RetryableError(message, undefined, { cause: error });
    }
    if (!token) throw new RetryableError("Graph credential: no token was issued");
    return { value: token.token, refreshAt: token.expiresOnTimestamp - TOKEN_REFRESH_MARGIN_MS };
  }
}

type Attempt =
  | { readonly response: GraphResponse }
  | { readonly reason: string; readonly status?: number; readonly retryAfterMs?: number };

type GraphRequestBuilder = ReturnType<Client["api"]>;

function mayRepeat(call: GraphCall, status: number | undefined): boolean {
  const idempotent = call.idempotent ?? call.method !== "POST";
  return idempotent || (status !== undefined && NOT_PROCESSED.has(status));
}

function dispatch(request: GraphRequestBuilder, call: GraphCall): Promise<Response> {
  switch (call.method) {
    case "GET":
      return request.get();
    case "POST":
      return request.post(call.body ?? {});
    case "PATCH":
      return request.patch(call.body ?? {});
    case "DELETE":
      return request.delete();
  }
}

function parseJson(call: GraphCall, status: number, text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new GraphPayloadError(call.resource, "", [`HTTP ${status} body is not JSON`]);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The SDK wraps fetch's failure in a GraphError whose `code` is the original error's name. */
function networkReason(error: unknown, timeoutMs: number): string {
  const names = [error instanceof Error ? error.name : "", (error as { code?: unknown })?.code];
  if (names.some((n) => n === "TimeoutError" || n === "AbortError")) return `timed out after ${timeoutMs} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `network failure (${error instanceof Error ? error.message || error.name : String(error)}${cause})`;
}

/** "GET beta deviceManagement/userPfxCertificates" — the path without its query (which may hold tokens). */
function describe(call: GraphCall): string {
  return `Graph ${call.method} ${call.version}/${call.path.split("?")[0]}`;
}
