import { describe, expect, it } from "vitest";
import { createCachedFetch } from "../../../shared/pki/cached-fetch.ts";
import type { Clock, Fetcher, FetchRequest, FetchResult } from "../../../shared/ports.ts";

const URL_A = "http://crl.pki.example/issuing-ca.crl";
const URL_B = "http://crl.pki.example/root.crl";
const T0 = Date.parse("2026-11-28T12:00:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A parsed "CRL": its text and its nextUpdate, encoded in the body as `text|ISO date` (or just `text`). */
interface Value {
  readonly text: string;
  readonly nextUpdate?: Date;
}

function parse(bytes: Uint8Array): Value {
  const [text, date] = new TextDecoder().decode(bytes).split("|");
  if (!text || text === "garbage") throw new Error("not a CRL: garbage");
  return date ? { text, nextUpdate: new Date(date) } : { text };
}

function fakeClock(start = T0) {
  let now = start;
  const clock: Clock = { now: () => new Date(now) };
  return { clock, advance: (ms: number) => (now += ms) };
}

/** A fetcher whose answers are scripted per call; records every request; can hold answers until released. */
function fakeFetcher(answer: (request: FetchRequest, call: number) => FetchResult) {
  const requests: FetchRequest[] = [];
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => {};
  const fetcher: Fetcher = {
    async get(request) {
      requests.push(request);
      const call = requests.length;
      await gate;
      return answer(request, call);
    },
  };
  return {
    fetcher,
    requests,
    hold: () => {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release: () => open(),
  };
}

const body = (text: string): FetchResult => ({
  ok: true,
  status: 200,
  body: new TextEncoder().encode(text),
  etag: `"${text.split("|")[0]}"`,
  lastModified: "Sat, 28 Nov 2026 11:00:00 GMT",
  finalUrl: URL_A,
});
const notModified: FetchResult = { ok: true, status: 304, body: new Uint8Array(0), finalUrl: URL_A };
const unreachable: FetchResult = { ok: false, kind: "timeout", reason: "timed out after 5000 ms" };
const inTwoHours = new Date(T0 + 2 * HOUR).toISOString();

function cache(fetcher: Fetcher, clock: Clock, parser: (bytes: Uint8Array) => Value = parse) {
  return createCachedFetch<Value>({ fetcher, clock, parse: parser, freshUntil: (v) => v.nextUpdate });
}

describe("createCachedFetch", () => {
  it("shares one fetch and one parse among 100 concurrent callers", async () => {
    const fake = fakeFetcher(() => body(`v1|${inTwoHours}`));
    let parses = 0;
    const cached = cache(fake.fetcher, fakeClock().clock, (bytes) => {
      parses++;
      return parse(bytes);
    });
    fake.hold();
    const all = Promise.all(Array.from({ length: 100 }, () => cached.get(URL_A)));
    fake.release();
    const results = await all;
    expect(fake.requests).toHaveLength(1);
    expect(parses).toBe(1);
    expect(new Set(results.map((r) => r.ok && r.value)).size).toBe(1);
    expect(results.every((r) => r.ok && r.value.text === "v1")).toBe(true);
  });

  it("keeps URLs apart", async () => {
    const fake = fakeFetcher((request) => body(request.url === URL_A ? "a" : "b"));
    const cached = cache(fake.fetcher, fakeClock().clock);
    const [a, b] = await Promise.all([cached.get(URL_A), cached.get(URL_B)]);
    expect(a.ok && a.value.text).toBe("a");
    expect(b.ok && b.value.text).toBe("b");
    expect(fake.requests.map((r) => r.url)).toEqual([URL_A, URL_B]);
  });

  it.each([
    { name: "just before nextUpdate: served from cache", after: 2 * HOUR - 1, fetches: 1, fromCache: true },
    { name: "at nextUpdate: fetched again", after: 2 * HOUR, fetches: 2, fromCache: false },
  ])("$name", async ({ after, fetches, fromCache }) => {
    const fake = fakeFetcher(() => body(`v1|${inTwoHours}`));
    const { clock, advance } = fakeClock();
    const cached = cache(fake.fetcher, clock);
    expect(await cached.get(URL_A)).toMatchObject({ ok: true, fromCache: false });
    advance(after);
    expect(await cached.get(URL_A)).toMatchObject({ ok: true, fromCache });
    expect(fake.requests).toHaveLength(fetches);
  });

  it.each([
    { name: "no nextUpdate: the default TTL (5 min)", text: "aia-cert", fresh: 5 * MINUTE },
    {
      name: "nextUpdate already past: the minimum TTL (1 min)",
      text: `old|${new Date(T0 - HOUR).toISOString()}`,
      fresh: MINUTE,
    },
    {
      name: "nextUpdate a month away: capped at the maximum TTL (24 h)",
      text: `long|${new Date(T0 + 30 * 24 * HOUR).toISOString()}`,
      fresh: 24 * HOUR,
    },
  ])("freshness for $name", async ({ text, fresh }) => {
    const fake = fakeFetcher(() => body(text));
    const { clock, advance } = fakeClock();
    const cached = cache(fake.fetcher, clock);
    await cached.get(URL_A);
    advance(fresh - 1);
    await cached.get(URL_A);
    expect(fake.requests).toHaveLength(1);
    advance(1);
    await cached.get(URL_A);
    expect(fake.requests).toHaveLength(2);
  });

  it("revalidates a stale value with its validators and keeps it on 304, without parsing again", async () => {
    const fake = fakeFetcher((_request, call) => (call === 1 ? body(`v1|${inTwoHours}`) : notModified));
    const { clock, advance } = fakeClock();
    let parses = 0;
    const cached = cache(fake.fetcher, clock, (bytes) => {
      parses++;
      return parse(bytes);
    });
    const first = await cached.get(URL_A);
    advance(2 * HOUR);
    const second = await cached.get(URL_A);
    expect(fake.requests[1]).toEqual({
      url: URL_A,
      etag: '"v1"',
      lastModified: "Sat, 28 Nov 2026 11:00:00 GMT",
    });
    expect(second).toEqual({ ok: true, value: first.ok && first.value, fromCache: true });
    expect(parses).toBe(1);
    // Revalidated while already past nextUpdate: kept for the minimum TTL, not asked again per caller.
    advance(MINUTE - 1);
    await cached.get(URL_A);
    expect(fake.requests).toHaveLength(2);
  });

  it("sends no validators on the first fetch", async () => {
    const fake = fakeFetcher(() => body("v1"));
    await cache(fake.fetcher, fakeClock().clock).get(URL_A);
    expect(fake.requests[0]).toEqual({ url: URL_A, etag: undefined, lastModified: undefined });
  });

  it("replaces the value when revalidation brings a new body", async () => {
    const fake = fakeFetcher((_r, call) => body(call === 1 ? `v1|${inTwoHours}` : "v2"));
    const { clock, advance } = fakeClock();
    const cached = cache(fake.fetcher, clock);
    await cached.get(URL_A);
    advance(2 * HOUR);
    expect(await cached.get(URL_A)).toMatchObject({ ok: true, value: { text: "v2" }, fromCache: false });
  });

  it("reports a body that does not parse, and remembers that briefly", async () => {
    const fake = fakeFetcher((_r, call) => body(call === 1 ? "garbage" : "fixed"));
    const { clock, advance } = fakeClock();
    const cached = cache(fake.fetcher, clock);
    const failed = {
      ok: false,
      kind: "parse",
      reason: "the response could not be parsed: not a CRL: garbage",
    };
    expect(await cached.get(URL_A)).toEqual(failed);
    advance(MINUTE - 1);
    expect(await cached.get(URL_A)).toEqual(failed);
    expect(fake.requests).toHaveLength(1);
    advance(1);
    expect(await cached.get(URL_A)).toMatchObject({ ok: true, value: { text: "fixed" } });
  });

  it("remembers an unreachable URL for the failure TTL: 10,000 leaves cost one attempt", async () => {
    const fake = fakeFetcher(() => unreachable);
    const { clock, advance } = fakeClock();
    const cached = cache(fake.fetcher, clock);
    const results = [];
    for (let leaf = 0; leaf < 10_000; leaf++) results.push(await cached.get(URL_A));
    expect(fake.requests).toHaveLength(1);
    expect(
      results.every((r) => !r.ok && r.kind === "timeout" && r.reason === "timed out after 5000 ms"),
    ).toBe(true);
    advance(MINUTE);
    await cached.get(URL_A);
    expect(fake.requests).toHaveLength(2);
  });

  it("does not serve a stale value when revalidation fails, but revives it on a later 304", async () => {
    const answers = [body(`v1|${inTwoHours}`), unreachable, notModified];
    const fake = fakeFetcher((_r, call) => answers[call - 1] ?? unreachable);
    const { clock, advance } = fakeClock();
    const cached = cache(fake.fetcher, clock);
    await cached.get(URL_A);
    advance(2 * HOUR);
    expect(await cached.get(URL_A)).toMatchObject({ ok: false, kind: "timeout" });
    advance(MINUTE);
    expect(await cached.get(URL_A)).toMatchObject({ ok: true, value: { text: "v1" }, fromCache: true });
    expect(fake.requests[2]?.etag).toBe('"v1"');
  });

  it("treats a 304 with nothing cached as a failure", async () => {
    const fake = fakeFetcher(() => notModified);
    expect(await cache(fake.fetcher, fakeClock().clock).get(URL_A)).toMatchObject({
      ok: false,
      kind: "http-status",
    });
  });

  it("turns a fetcher that throws into a failure instead of a rejection", async () => {
    const throwing: Fetcher = {
      get: () => Promise.reject(new Error("socket exploded")),
    };
    expect(await cache(throwing, fakeClock().clock).get(URL_A)).toEqual({
      ok: false,
      kind: "network",
      reason: "fetch failed: socket exploded",
    });
  });

  it("forgets the least recently used URL beyond maxEntries", async () => {
    const fake = fakeFetcher((request) => body(`${request.url.slice(-1)}|${inTwoHours}`));
    const cached = createCachedFetch<Value>({
      fetcher: fake.fetcher,
      clock: fakeClock().clock,
      parse,
      freshUntil: (v) => v.nextUpdate,
      maxEntries: 2,
    });
    const [u1, u2, u3] = ["http://x.example/1", "http://x.example/2", "http://x.example/3"];
    await cached.get(u1);
    await cached.get(u2);
    await cached.get(u1); // u1 is now the most recently used
    await cached.get(u3); // evicts u2
    await cached.get(u1);
    expect(fake.requests.map((r) => r.url)).toEqual([u1, u2, u3]);
    await cached.get(u2);
    expect(fake.requests.map((r) => r.url)).toEqual([u1, u2, u3, u2]);
  });
});
