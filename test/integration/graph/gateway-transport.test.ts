/**
 * The gateway's transport against a real HTTP server on loopback: paging, $select, the bearer token,
 * throttling and retries (waits asserted through an injected clock, never waited), errors that decide retry,
 * bounded concurrency, and payloads that do not fit their schema.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createGraphGateway,
  type GraphGatewayOptions,
  GraphPayloadError,
  GraphRequestError,
  GraphUnavailableError,
  staticToken,
} from "../../../shared/adapters/graph/index.ts";
import { USER_PFX_CERTIFICATE_SELECT, USER_SELECT } from "../../../shared/contracts/graph.ts";
import { PermanentError, RetryableError } from "../../../shared/errors.ts";
import type { GraphPage } from "../../../shared/ports.ts";
import { paged, pfx, TOKEN } from "./fixtures.ts";
import { fakeTime, type GraphServer, graphError, json, startGraphServer } from "./graph-server.ts";

let server: GraphServer;
beforeAll(async () => {
  server = await startGraphServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

function gateway(options: Partial<GraphGatewayOptions> = {}) {
  const time = fakeTime();
  const gw = createGraphGateway({
    baseUrl: server.base,
    credential: staticToken(TOKEN),
    sleep: time.sleep,
    now: time.now,
    random: () => 0.5,
    timeoutMs: 5_000,
    ...options,
  });
  return { gw, time };
}

async function collect<T>(pages: AsyncIterable<GraphPage<T>>): Promise<{ items: T[]; rejected: Error[] }> {
  const items: T[] = [];
  const rejected: Error[] = [];
  for await (const page of pages) {
    items.push(...page.items);
    rejected.push(...page.rejected);
  }
  return { items, rejected };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setImmediate(r));
  if (!condition()) throw new Error("condition never became true");
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

describe("paging", () => {
  it("follows @odata.nextLink across 25 pages, in order, with $select and the token on every request", async () => {
    const items = Array.from({ length: 100 }, (_, i) => pfx(i));
    server.handle(paged(server.base, items, 4));
    const { gw } = gateway();
    const { items: read, rejected } = await collect(gw.pfxCertificates());
    expect(read.map((c) => c.id)).toEqual(items.map((c) => c.id));
    expect(rejected).toEqual([]);
    expect(server.requests).toHaveLength(25);
    for (const request of server.requests) {
      expect(request.path).toBe("/beta/deviceManagement/userPfxCertificates");
      expect(request.query.get("$select")).toBe(USER_PFX_CERTIFICATE_SELECT.join(","));
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    }
  });

  it("yields page by page: the first page arrives before the second is requested", async () => {
    server.handle(
      paged(
        server.base,
        Array.from({ length: 6 }, (_, i) => pfx(i)),
        3,
      ),
    );
    const { gw } = gateway();
    const iterator = gw.pfxCertificates()[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(server.requests).toHaveLength(1);
    await iterator.return?.();
  });

  it("refuses a nextLink to another host: the token never leaves the base URL", async () => {
    server.handle(() =>
      json({ value: [pfx(1)], "@odata.nextLink": "https://elsewhere.example/beta/x?$skiptoken=2" }),
    );
    const { gw } = gateway();
    const error = await failure(collect(gw.pfxCertificates()));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain("https://elsewhere.example/beta/x");
    expect(server.requests).toHaveLength(1);
  });

  it("stops on a nextLink that repeats itself instead of looping", async () => {
    server.handle((request) =>
      json({ value: [pfx(1)], "@odata.nextLink": `${server.base}${request.path}?$skiptoken=same` }),
    );
    const { gw } = gateway();
    const error = await failure(collect(gw.pfxCertificates()));
    expect(error).toBeInstanceOf(GraphPayloadError);
    expect(server.requests).toHaveLength(2);
  });
});

describe("throttling and retries", () => {
  it.each([
    {
      name: "429 with Retry-After in seconds",
      first: graphError(429, "TooManyRequests", "slow down", { "retry-after": "7" }),
      waits: [7000],
    },
    {
      name: "429 with Retry-After as an HTTP date",
      first: graphError(429, "TooManyRequests", "slow down", {
        "retry-after": "Sat, 28 Nov 2026 12:00:30 GMT",
      }),
      waits: [30_000],
    },
    {
      name: "503 with Retry-After",
      first: graphError(503, "ServiceUnavailable", "busy", { "retry-after": "2" }),
      waits: [2000],
    },
    // Full jitter: random 0.5 of the first ceiling (500 ms).
    {
      name: "503 without Retry-After: jittered back-off",
      first: graphError(503, "ServiceUnavailable", "busy"),
      waits: [250],
    },
    {
      name: "504 with an HTML body",
      first: { status: 504, text: "<html>Gateway Timeout</html>" },
      waits: [250],
    },
    { name: "a dropped connection", first: { drop: true } as const, waits: [250] },
  ])("$name, then success: waits $waits", async ({ first, waits }) => {
    let calls = 0;
    server.handle(() => (calls++ === 0 ? first : json({ value: [pfx(1)] })));
    const { gw, time } = gateway();
    const { items } = await collect(gw.pfxCertificates());
    expect(items).toHaveLength(1);
    expect(time.sleeps).toEqual(waits);
    expect(server.requests).toHaveLength(2);
  });

  it("gives up after the bounded attempts with a RetryableError carrying the last wait", async () => {
    server.handle(() => graphError(503, "ServiceUnavailable", "still busy"));
    const { gw, time } = gateway({ retry: { maxAttempts: 4 } });
    const error = await failure(collect(gw.pfxCertificates()));
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toBeInstanceOf(GraphUnavailableError);
    expect((error as GraphUnavailableError).status).toBe(503);
    expect((error as RetryableError).retryAfterMs).toBe(2000); // 0.5 × the 4th ceiling (4000 ms)
    expect(error.message).toContain("gave up after 4 attempts");
    expect(server.requests).toHaveLength(4);
    expect(time.sleeps).toEqual([250, 500, 1000]);
  });

  it("does not sleep through a Retry-After longer than the limit: fails at once with it", async () => {
    server.handle(() => graphError(429, "TooManyRequests", "come back later", { "retry-after": "300" }));
    const { gw, time } = gateway();
    const error = await failure(gw.syncDevice("d1"));
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterMs).toBe(300_000);
    expect(server.requests).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it("pauses every call of the gateway while a Retry-After runs, not only the throttled one", async () => {
    let throttled = false;
    server.handle((request) => {
      if (request.path.endsWith("/d1/syncDevice") && !throttled) {
        throttled = true;
        return graphError(429, "TooManyRequests", "slow down", { "retry-after": "5" });
      }
      return { status: 204 };
    });
    // Sleeps that last until released, so the second call starts while the first is still waiting.
    let now = Date.parse("2026-11-28T12:00:00Z");
    const pending: { ms: number; release: () => void }[] = [];
    const sleep = (ms: number) => new Promise<void>((release) => pending.push({ ms, release }));
    const { gw } = gateway({ sleep, now: () => new Date(now) });
    const first = gw.syncDevice("d1");
    await until(() => pending.length === 1);
    const second = gw.syncDevice("d2");
    await until(() => pending.length === 2);
    expect(pending.map((p) => p.ms)).toEqual([5000, 5000]);
    expect(server.requests).toHaveLength(1);
    now += 5000;
    for (const p of pending) p.release();
    await Promise.all([first, second]);
    expect(server.requests.map((r) => r.path).sort()).toEqual([
      "/v1.0/deviceManagement/managedDevices/d1/syncDevice",
      "/v1.0/deviceManagement/managedDevices/d1/syncDevice",
      "/v1.0/deviceManagement/managedDevices/d2/syncDevice",
    ]);
  });

  it("times an attempt out and retries it", async () => {
    let calls = 0;
    server.handle(() => (calls++ === 0 ? { hang: true } : { status: 204 }));
    const { gw, time } = gateway({ timeoutMs: 100 });
    await gw.syncDevice("d1");
    expect(server.requests).toHaveLength(2);
    expect(time.sleeps).toEqual([250]);
  });
});

describe("errors that do not retry", () => {
  it.each([
    { status: 404, code: "ResourceNotFound", message: "device not found" },
    { status: 400, code: "BadRequest", message: "Invalid filter clause" },
    { status: 403, code: "Authorization_RequestDenied", message: "Insufficient privileges" },
  ])("$status → PermanentError with Graph's code, tried once", async ({ status, code, message }) => {
    server.handle(() => graphError(status, code, message));
    const { gw, time } = gateway();
    const error = await failure(gw.syncDevice("d1"));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect((error as GraphRequestError).code).toBe(code);
    expect((error as GraphRequestError).status).toBe(status);
    expect(error.message).toContain(message);
    expect(error.message).not.toContain(TOKEN);
    expect(server.requests).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it("a user Graph does not know is undefined, not an error", async () => {
    server.handle(() => graphError(404, "Request_ResourceNotFound", "Resource 'x' does not exist"));
    const { gw } = gateway();
    expect(await gw.getUser("nobody@contoso.com")).toBeUndefined();
    expect(server.requests[0]?.path).toBe("/v1.0/users/nobody%40contoso.com");
    expect(server.requests[0]?.query.get("$select")).toBe(USER_SELECT.join(","));
  });
});

describe("payloads that do not fit", () => {
  it("sets aside the bad item of a page, named with its index, id and field, and keeps the rest", async () => {
    server.handle(() =>
      json({ value: [pfx(1), pfx(2, { thumbprint: "not-hex" }), pfx(3, { intendedPurpose: 5 })] }),
    );
    const { gw } = gateway();
    const { items, rejected } = await collect(gw.pfxCertificates());
    expect(items.map((i) => i.id)).toEqual(["pfx-1"]);
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toBeInstanceOf(GraphPayloadError);
    expect(rejected[0]?.message).toMatch(/userPfxCertificates value\[1\] \(id pfx-2\).*thumbprint/);
    expect(rejected[1]?.message).toMatch(/value\[2\] \(id pfx-3\).*intendedPurpose/);
  });

  it.each([
    { name: "a page without value", body: { items: [] }, field: "value" },
    { name: "a body that is not JSON", body: undefined, field: "not JSON" },
  ])("throws for $name, naming it", async ({ body, field }) => {
    server.handle(() => (body === undefined ? { status: 200, text: "<html>" } : json(body)));
    const { gw } = gateway();
    const error = await failure(collect(gw.pfxCertificates()));
    expect(error).toBeInstanceOf(GraphPayloadError);
    expect(error.message).toContain("userPfxCertificates");
    expect(error.message).toContain(field);
  });

  it("a user without userPrincipalName is a named error", async () => {
    server.handle(() => json({ id: "u1", mail: "a@contoso.com" }));
    const { gw } = gateway();
    const error = await failure(gw.getUser("u1"));
    expect(error).toBeInstanceOf(GraphPayloadError);
    expect(error.message).toMatch(/Graph user .*userPrincipalName/);
  });
});

describe("bounded rate", () => {
  it("starts no more requests per window than allowed: the fourth in a second waits for the first to age out", async () => {
    server.handle(() => ({ status: 204 }));
    const { gw, time } = gateway({ requestWindow: { limit: 3, windowMs: 1000 } });
    for (const d of ["d1", "d2", "d3", "d4", "d5"]) await gw.syncDevice(d);
    expect(server.requests).toHaveLength(5);
    // The clock only moves by the waits: d1-d3 at 0 ms, d4 waits until 1000 ms, d5 fits beside it.
    expect(time.sleeps).toEqual([1000]);
  });
});

describe("bounded concurrency", () => {
  it("never has more requests in flight than the bound, however many calls run at once", async () => {
    server.handle(() => ({ status: 204, delayMs: 15 }));
    const { gw } = gateway({ maxConcurrency: 3 });
    server.resetInFlight();
    await Promise.all(Array.from({ length: 20 }, (_, i) => gw.syncDevice(`d${i}`)));
    expect(server.requests).toHaveLength(20);
    // At the bound, never above it: the calls did overlap, three at a time.
    expect(server.maxInFlight).toBe(3);
  });
});

describe("calls that must not happen twice", () => {
  const mail = {
    message: {
      subject: "S/MIME",
      body: { contentType: "text" as const, content: "Renew your certificate." },
      toRecipients: [{ emailAddress: { address: "alice@contoso.com" } }],
    },
  };

  it.each([
    { name: "500", first: graphError(500, "InternalServerError", "oops") },
    { name: "504", first: graphError(504, "GatewayTimeout", "upstream timed out") },
    { name: "a dropped connection", first: { drop: true } as const },
  ])("sendMail after $name is not retried here (Graph may have sent it)", async ({ first }) => {
    server.handle(() => first);
    const { gw, time } = gateway();
    const error = await failure(gw.sendMail("pipeline@contoso.com", mail));
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain("not retried");
    expect(server.requests).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it.each([
    {
      name: "429",
      first: graphError(429, "TooManyRequests", "slow down", { "retry-after": "1" }),
      waits: [1000],
    },
    { name: "503", first: graphError(503, "ServiceUnavailable", "busy"), waits: [250] },
  ])("sendMail turned away with $name is retried (Graph did not act on it)", async ({ first, waits }) => {
    let calls = 0;
    server.handle(() => (calls++ === 0 ? first : { status: 202 }));
    const { gw, time } = gateway();
    await gw.sendMail("pipeline@contoso.com", mail);
    expect(server.requests).toHaveLength(2);
    expect(time.sleeps).toEqual(waits);
  });

  it("tells the logger of each retry, without the token", async () => {
    let calls = 0;
    server.handle(() => (calls++ === 0 ? graphError(503, "ServiceUnavailable", "busy") : { status: 204 }));
    const warnings: Record<string, unknown>[] = [];
    const logger = {
      info: () => {},
      error: () => {},
      warn: (_message: string, fields?: Record<string, unknown>) => void warnings.push(fields ?? {}),
      child: () => logger,
    };
    const { gw } = gateway({ logger });
    await gw.syncDevice("d1");
    expect(warnings).toEqual([
      {
        request: "Graph POST v1.0/deviceManagement/managedDevices/d1/syncDevice",
        reason: "HTTP 503 ServiceUnavailable: busy",
        attempt: 1,
        waitMs: 250,
      },
    ]);
    expect(JSON.stringify(warnings)).not.toContain(TOKEN);
  });
});

describe("the token", () => {
  it("is asked of the credential once, by concurrent first calls too, and reused until near its expiry", async () => {
    server.handle(() => ({ status: 204 }));
    let asked = 0;
    const credential = {
      getToken: async () => {
        asked++;
        return { token: TOKEN, expiresOnTimestamp: Date.parse("2026-11-28T13:00:00Z") };
      },
    };
    const { gw } = gateway({ credential });
    await Promise.all(["d1", "d2", "d3"].map((d) => gw.syncDevice(d)));
    await gw.syncDevice("d4");
    expect(asked).toBe(1);
    expect(server.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it.each([
    {
      name: "a credential that cannot work here",
      errorName: "CredentialUnavailableError",
      kind: PermanentError,
    },
    { name: "a token endpoint that failed", errorName: "AuthenticationError", kind: RetryableError },
  ])("$name: the error says so, and nothing is sent", async ({ errorName, kind }) => {
    const credential = {
      getToken: async () => {
        throw Object.assign(new Error("no managed identity endpoint"), { name: errorName });
      },
    };
    const { gw } = gateway({ credential });
    const error = await failure(gw.syncDevice("d1"));
    expect(error).toBeInstanceOf(kind);
    expect(error.message).toContain("Graph credential");
    expect(server.requests).toHaveLength(0);
  });
});
