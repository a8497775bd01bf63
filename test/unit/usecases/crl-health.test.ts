import { describe, expect, it } from "vitest";
import type { CrlHealthRecord } from "../../../shared/contracts/rows.ts";
import type { Crl } from "../../../shared/pki/crl.ts";
import type { CrlFetchResult } from "../../../shared/pki/revocation.ts";
import { nextCrlHealth } from "../../../shared/usecases/crl-health.ts";

const URL = "http://crl.contoso.example/issuing.crl";
const NOW = new Date("2026-06-01T10:00:00Z");
const EARLIER = "2026-06-01T09:00:00.000Z";

/** The few CRL fields health reads; `size` throws like an unreadable entry list when asked to. */
function crl(o: { nextUpdate?: string; badEntries?: boolean } = {}): CrlFetchResult {
  const value = {
    issuer: { rdns: [], key: "", der: new Uint8Array() },
    thisUpdate: new Date("2026-05-25T00:00:00Z"),
    ...(o.nextUpdate !== undefined && { nextUpdate: new Date(o.nextUpdate) }),
    get size(): number {
      if (o.badEntries) throw new Error("entry 3 is not a SEQUENCE");
      return 12;
    },
  };
  return { ok: true, crl: value as unknown as Crl };
}

const unreachable: CrlFetchResult = { ok: false, reason: "timed out after 5000 ms" };

const healthy: CrlHealthRecord = {
  url: URL,
  status: "healthy",
  lastCheckedAt: EARLIER,
  lastSuccessAt: EARLIER,
  entries: 9,
};
const down: CrlHealthRecord = {
  url: URL,
  status: "unreachable",
  lastCheckedAt: EARLIER,
  lastSuccessAt: "2026-05-31T00:00:00.000Z",
  downSince: EARLIER,
  lastError: "refused",
};

interface Case {
  readonly name: string;
  readonly previous?: CrlHealthRecord;
  readonly fetched: CrlFetchResult;
  readonly status: CrlHealthRecord["status"];
  readonly change?: unknown;
}

const cases: Case[] = [
  {
    name: "first check, answers: healthy, no event",
    fetched: crl({ nextUpdate: "2026-06-08T00:00:00Z" }),
    status: "healthy",
  },
  {
    name: "first check, no answer: unreachable since now, announced",
    fetched: unreachable,
    status: "unreachable",
    change: { kind: "down", since: NOW.toISOString(), reason: "timed out after 5000 ms" },
  },
  {
    name: "healthy, then no answer: down",
    previous: healthy,
    fetched: unreachable,
    status: "unreachable",
    change: { kind: "down", since: NOW.toISOString() },
  },
  {
    name: "still down: the outage keeps its start, nothing new announced",
    previous: down,
    fetched: unreachable,
    status: "unreachable",
  },
  {
    name: "down, then answers: recovered, naming the outage's start",
    previous: down,
    fetched: crl(),
    status: "healthy",
    change: { kind: "recovered", since: EARLIER },
  },
  {
    name: "answers past its nextUpdate: stale, not an outage",
    previous: healthy,
    fetched: crl({ nextUpdate: "2026-06-01T00:00:00Z" }),
    status: "stale",
  },
  {
    name: "answers with unreadable entries: invalid, not an outage",
    previous: healthy,
    fetched: crl({ badEntries: true }),
    status: "invalid",
  },
];

describe("nextCrlHealth", () => {
  it.each(cases)("$name", ({ previous, fetched, status, change }) => {
    const next = nextCrlHealth(URL, previous, fetched, NOW);
    expect(next.record.status).toBe(status);
    expect(next.record.lastCheckedAt).toBe(NOW.toISOString());
    if (change === undefined) expect(next.change).toBeUndefined();
    else expect(next.change).toMatchObject(change as object);
  });

  it("keeps the last good fetch's facts through an outage, and the outage's start while it lasts", () => {
    const next = nextCrlHealth(URL, down, unreachable, NOW);
    expect(next.record).toMatchObject({
      downSince: EARLIER,
      lastSuccessAt: "2026-05-31T00:00:00.000Z",
      lastError: "timed out after 5000 ms",
    });
  });

  it("forgets the outage once recovered", () => {
    const next = nextCrlHealth(URL, down, crl(), NOW);
    expect(next.record.downSince).toBeUndefined();
    expect(next.record.lastError).toBeUndefined();
    expect(next.record).toMatchObject({ lastSuccessAt: NOW.toISOString(), entries: 12 });
  });
});
