/**
 * The users subscription: the pure plan as a table, then manageSubscription and handleGraphLifecycle
 * together on Azurite with fakes of Graph's subscriptions and users delta.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GraphRequestError, GraphUnavailableError } from "../../../shared/adapters/graph/errors.ts";
import {
  type LifecycleSignal,
  planSubscription,
  RENEW_BEFORE_MS,
  type SubscriptionState,
  subscriptionExpiry,
  USERS_SUBSCRIPTION_MAX_MINUTES,
} from "../../../shared/usecases/graph-subscription-plan.ts";
import { SubscriptionCursors } from "../../../shared/usecases/graph-subscription-state.ts";
import { handleGraphLifecycle } from "../../../shared/usecases/handle-graph-lifecycle.ts";
import {
  type ManageSubscriptionDeps,
  manageSubscription,
} from "../../../shared/usecases/manage-subscription.ts";
import { type Harness, harness } from "../../integration/usecases/harness.ts";
import { FakeDirectory, FakeSubscriptions } from "./users-fixtures.ts";

const NOW = new Date("2026-11-28T12:00:00.000Z");
const DAY = 86_400_000;
const URLS = {
  notificationUrl: "https://smime.contoso.com/api/graph/notifications",
  lifecycleNotificationUrl: "https://smime.contoso.com/api/graph/lifecycle",
};
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const state = (over: Partial<SubscriptionState> = {}): SubscriptionState => ({
  id: "sub-1",
  expirationDateTime: at(20 * DAY),
  ...URLS,
  ...over,
});
const signal = (event: LifecycleSignal["event"], subscriptionId = "sub-1"): LifecycleSignal => ({
  event,
  subscriptionId,
  receivedAt: at(-60_000),
});

describe("planSubscription", () => {
  const cases: readonly {
    name: string;
    state: SubscriptionState | undefined;
    signals?: readonly LifecycleSignal[];
    live?: boolean;
    urls?: typeof URLS;
    expected: { action: string; resync: boolean; replaces?: string };
  }[] = [
    { name: "none yet → create", state: undefined, expected: { action: "create", resync: false } },
    { name: "healthy → nothing", state: state(), expected: { action: "none", resync: false } },
    {
      name: "subscriptionRemoved for ours → create and resync",
      state: state(),
      signals: [signal("subscriptionRemoved")],
      expected: { action: "create", resync: true },
    },
    {
      name: "subscriptionRemoved for an old one → nothing",
      state: state(),
      signals: [signal("subscriptionRemoved", "sub-0")],
      expected: { action: "none", resync: false },
    },
    {
      name: "expired → create and resync",
      state: state({ expirationDateTime: at(-1) }),
      expected: { action: "create", resync: true },
    },
    {
      name: "Graph no longer lists it → create and resync",
      state: state(),
      live: false,
      expected: { action: "create", resync: true },
    },
    {
      name: "Graph lists it → nothing",
      state: state(),
      live: true,
      expected: { action: "none", resync: false },
    },
    {
      name: "the host moved → create, then delete the old one",
      state: state(),
      urls: { ...URLS, notificationUrl: "https://smime2.contoso.com/api/graph/notifications" },
      expected: { action: "create", resync: false, replaces: "sub-1" },
    },
    {
      name: "within three days of expiry → renew",
      state: state({ expirationDateTime: at(RENEW_BEFORE_MS) }),
      expected: { action: "renew", resync: false },
    },
    {
      name: "three days and a second → nothing yet",
      state: state({ expirationDateTime: at(RENEW_BEFORE_MS + 1000) }),
      expected: { action: "none", resync: false },
    },
    {
      name: "reauthorizationRequired for ours → reauthorize",
      state: state(),
      signals: [signal("reauthorizationRequired")],
      expected: { action: "reauthorize", resync: false },
    },
    {
      name: "reauthorizationRequired when renewal is due anyway → renew (it reauthorizes too)",
      state: state({ expirationDateTime: at(DAY) }),
      signals: [signal("reauthorizationRequired")],
      expected: { action: "renew", resync: false },
    },
    {
      name: "reauthorizationRequired for an old one → nothing",
      state: state(),
      signals: [signal("reauthorizationRequired", "sub-0")],
      expected: { action: "none", resync: false },
    },
    {
      name: "missed → resync",
      state: state(),
      signals: [signal("missed")],
      expected: { action: "none", resync: true },
    },
    {
      name: "missed and reauthorization → both",
      state: state(),
      signals: [signal("missed"), signal("reauthorizationRequired")],
      expected: { action: "reauthorize", resync: true },
    },
  ];
  it.each(cases)("$name", ({ state: s, signals = [], live, urls = URLS, expected }) => {
    const plan = planSubscription({
      state: s,
      signals,
      ...(live !== undefined && { live }),
      now: NOW,
      ...urls,
    });
    expect({
      action: plan.action,
      resync: plan.resync,
      ...(plan.replaces && { replaces: plan.replaces }),
    }).toEqual(expected);
  });

  it("asks for an expiry within Graph's 41,760-minute maximum for users", () => {
    const minutes = (Date.parse(subscriptionExpiry(NOW)) - NOW.getTime()) / 60_000;
    expect(minutes).toBeLessThanOrEqual(USERS_SUBSCRIPTION_MAX_MINUTES);
    expect(minutes).toBeGreaterThan(USERS_SUBSCRIPTION_MAX_MINUTES - 120);
  });
});

describe("manageSubscription with lifecycle notifications", () => {
  const SECRET = "client-state-secret-0123456789";
  let h: Harness;
  let subscriptions: FakeSubscriptions;
  let directory: FakeDirectory;
  let deps: ManageSubscriptionDeps;
  let files = 0;

  beforeEach(async () => {
    h = await harness(`usersubs${++files}`);
    subscriptions = new FakeSubscriptions(h.clock);
    directory = new FakeDirectory([
      { id: "u-1", userPrincipalName: "ann@contoso.com", accountEnabled: true },
    ]);
    const graph = {
      create: subscriptions.create.bind(subscriptions),
      renew: subscriptions.renew.bind(subscriptions),
      reauthorize: subscriptions.reauthorize.bind(subscriptions),
      remove: subscriptions.remove.bind(subscriptions),
      list: subscriptions.list.bind(subscriptions),
      usersDelta: directory.usersDelta.bind(directory),
    };
    deps = { ...h.deps, graph, webhook: { ...URLS, clientState: SECRET } };
  });
  afterEach(() => h.close());

  const later = (ms: number) => h.clock.set(new Date(h.clock.now().getTime() + ms));
  const lifecycle = (event: string, subscriptionId: string, clientState = SECRET) =>
    handleGraphLifecycle(
      { ...h.deps, clientState: SECRET },
      {
        notifications: [
          {
            subscriptionId,
            subscriptionExpirationDateTime: "2026-12-20T11:00:00.0000000+00:00",
            tenantId: "8f3a9c1e-2b4d-4e6f-9a0b-1c2d3e4f5a6b",
            clientState,
            lifecycleEvent: event,
          },
        ],
      },
    );

  it("creates the users subscription with both URLs, the clientState and an allowed expiry, and keeps it", async () => {
    const result = await manageSubscription(deps);
    expect(result).toMatchObject({ action: "create", subscriptionId: "sub-1" });
    expect(subscriptions.live.get("sub-1")).toMatchObject({
      resource: "/users",
      changeType: "updated,deleted",
      ...URLS,
      clientState: SECRET,
      expirationDateTime: subscriptionExpiry(h.clock.now()),
    });
    const kept = JSON.parse((await h.stores.cursors.get(SubscriptionCursors.subscription))!.value);
    expect(kept).toMatchObject({ id: "sub-1", ...URLS });
    expect((await manageSubscription(deps)).action).toBe("none");
    expect(subscriptions.calls).toEqual(["create sub-1"]);
  });

  it("renews before it expires, and creates anew (with a resync) after it expired", async () => {
    await manageSubscription(deps);
    later(27 * DAY);
    expect(await manageSubscription(deps)).toMatchObject({ action: "renew", subscriptionId: "sub-1" });
    later(40 * DAY);
    const result = await manageSubscription(deps);
    expect(result).toMatchObject({ action: "create", subscriptionId: "sub-2", resync: { mode: "full" } });
    expect(subscriptions.calls).toEqual(["create sub-1", "renew sub-1", "create sub-2"]);
  });

  it("a subscription Graph dropped without a word is recreated, with a resync", async () => {
    await manageSubscription(deps);
    subscriptions.live.delete("sub-1");
    later(60_000);
    const result = await manageSubscription(deps);
    expect(result).toMatchObject({ action: "create", subscriptionId: "sub-2", resync: { mode: "full" } });
  });

  it("a renewal Graph refuses for good (403) falls back to a new subscription and a resync", async () => {
    await manageSubscription(deps);
    later(27 * DAY);
    deps = {
      ...deps,
      graph: {
        ...deps.graph,
        renew: async () => {
          throw new GraphRequestError(403, "Forbidden", "insufficient privileges to renew");
        },
      },
    };
    const result = await manageSubscription(deps);
    expect(result).toMatchObject({
      action: "create",
      subscriptionId: "sub-2",
      reason: expect.stringMatching(/^renew refused/),
    });
    expect(result.resync).toBeDefined();
  });

  it("a renewal Graph cannot do now (throttled) fails the run and is tried again", async () => {
    await manageSubscription(deps);
    later(27 * DAY);
    const renew = deps.graph.renew;
    deps = {
      ...deps,
      graph: {
        ...deps.graph,
        renew: async () => {
          throw new GraphUnavailableError("throttled", 5000, 429);
        },
      },
    };
    await expect(manageSubscription(deps)).rejects.toThrow("throttled");
    deps = { ...deps, graph: { ...deps.graph, renew } };
    expect(await manageSubscription(deps)).toMatchObject({ action: "renew", subscriptionId: "sub-1" });
  });

  const events = [
    { event: "reauthorizationRequired", calls: ["create sub-1", "reauthorize sub-1"], resynced: false },
    { event: "subscriptionRemoved", calls: ["create sub-1", "create sub-2"], resynced: true },
    { event: "missed", calls: ["create sub-1"], resynced: true },
  ];
  it.each(events)(
    "$event is recorded by the route and acted on by the next run",
    async ({ event, calls, resynced }) => {
      await manageSubscription(deps);
      later(60_000);
      if (event === "subscriptionRemoved") subscriptions.live.delete("sub-1");
      expect(await lifecycle(event, "sub-1")).toEqual({ accepted: 1, forged: 0, ignored: 0 });
      expect(subscriptions.calls).toEqual(["create sub-1"]); // nothing done in the request
      later(60_000);
      const result = await manageSubscription(deps);
      expect(subscriptions.calls).toEqual(calls);
      expect(result.resync !== undefined).toBe(resynced);
      expect(directory.rounds).toHaveLength(resynced ? 1 : 0);
      // Acted on once: the next run has nothing to do.
      later(60_000);
      expect(await manageSubscription(deps)).toMatchObject({ action: "none" });
      expect(directory.rounds).toHaveLength(resynced ? 1 : 0);
    },
  );

  it("a lifecycle notification with a wrong clientState is never acted on", async () => {
    await manageSubscription(deps);
    later(60_000);
    expect(await lifecycle("subscriptionRemoved", "sub-1", "wrong-state-0123456789")).toMatchObject({
      accepted: 0,
      forged: 1,
    });
    later(60_000);
    expect(await manageSubscription(deps)).toMatchObject({ action: "none" });
    expect(subscriptions.calls).toEqual(["create sub-1"]);
  });

  it("a resync that fails leaves the notification pending for the next run", async () => {
    await manageSubscription(deps);
    later(60_000);
    await lifecycle("missed", "sub-1");
    const usersDelta = deps.graph.usersDelta;
    deps = {
      ...deps,
      graph: {
        ...deps.graph,
        usersDelta: () => {
          throw new GraphUnavailableError("unavailable", undefined, 503);
        },
      },
    };
    await expect(manageSubscription(deps)).rejects.toThrow("unavailable");
    deps = { ...deps, graph: { ...deps.graph, usersDelta } };
    expect((await manageSubscription(deps)).resync).toBeDefined();
  });

  it("without a clientState no subscription is made", async () => {
    const result = await manageSubscription({ ...deps, webhook: { ...URLS, clientState: undefined } });
    expect(result.action).toBe("disabled");
    expect(subscriptions.calls).toEqual([]);
  });
});
