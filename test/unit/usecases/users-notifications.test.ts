/**
 * The change-notification path: handleGraphNotifications (check, enqueue, nothing else) and the refresh
 * the certificate-events processor does for each event (processUserRefreshRequested), on Azurite and the
 * in-process bus, with the fake Graph directory.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PipelineEvent } from "../../../shared/contracts/events.ts";
import { RetryableError } from "../../../shared/errors.ts";
import { processUserRefreshRequested } from "../../../shared/usecases/graph-refresh-user.ts";
import {
  type HandleGraphNotificationsDeps,
  handleGraphNotifications,
} from "../../../shared/usecases/handle-graph-notifications.ts";
import { processCertificateEvent } from "../../../shared/usecases/process-certificate-event.ts";
import { syncUsers } from "../../../shared/usecases/sync-users.ts";
import { type Harness, harness, messageOf } from "../../integration/usecases/harness.ts";
import { FakeDirectory, type FakeUser } from "./users-fixtures.ts";

const SECRET = "client-state-secret-0123456789";
const SUBSCRIPTION = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07";

let h: Harness;
let deps: HandleGraphNotificationsDeps;
let publishCalls: number;
let files = 0;

beforeEach(async () => {
  h = await harness(`usernotify${++files}`);
  publishCalls = 0;
  const publishMany = h.bus.publishMany.bind(h.bus);
  h.bus.publishMany = (queue, events) => {
    publishCalls++;
    return publishMany(queue, events);
  };
  deps = { ...h.deps, clientState: SECRET };
});
afterEach(() => h.close());

/** A change notification as Graph posts it for a user. */
const notification = (userId: string, over: Record<string, unknown> = {}) => ({
  id: `n-${userId}`,
  subscriptionId: SUBSCRIPTION,
  subscriptionExpirationDateTime: "2026-12-20T11:00:00.0000000+00:00",
  clientState: SECRET,
  changeType: "updated",
  resource: `Users/${userId}`,
  resourceData: {
    "@odata.type": "#Microsoft.Graph.User",
    "@odata.id": `Users/${userId}`,
    id: userId,
    organizationId: "8f3a9c1e-2b4d-4e6f-9a0b-1c2d3e4f5a6b",
  },
  tenantId: "8f3a9c1e-2b4d-4e6f-9a0b-1c2d3e4f5a6b",
  ...over,
});

const queued = () => h.bus.ofType("user.refreshRequested");

describe("handleGraphNotifications", () => {
  it("a batch becomes one user.refreshRequested per notification, in the user's session, in one publish", async () => {
    const result = await handleGraphNotifications(deps, {
      notifications: ["u-1", "u-2", "u-3"].map((id) => notification(id)),
    });
    expect(result).toEqual({ accepted: 3, forged: 0, ignored: 0, published: 3 });
    expect(publishCalls).toBe(1);
    expect(queued().map((e) => [e.userid, e.data])).toMatchObject([
      ["u-1", { userId: "u-1", changeType: "updated", subscriptionId: SUBSCRIPTION, resource: "Users/u-1" }],
      ["u-2", { userId: "u-2" }],
      ["u-3", { userId: "u-3" }],
    ]);
    expect(h.bus.published.every((p) => p.queue === "certificateEvents")).toBe(true);
  });

  const forgeries = [
    { name: "a wrong clientState", clientState: "guessed-state-0123456789" },
    { name: "a clientState one character short", clientState: SECRET.slice(0, -1) },
    { name: "a clientState one character longer", clientState: `${SECRET}x` },
    { name: "no clientState", clientState: null },
    { name: "the secret in another case", clientState: SECRET.toUpperCase() },
  ];
  it.each(forgeries)(
    "$name is never processed, counted and logged without the values",
    async ({ clientState }) => {
      const result = await handleGraphNotifications(deps, {
        notifications: [notification("u-1", { clientState }), notification("u-2")],
      });
      expect(result).toMatchObject({ accepted: 1, forged: 1, published: 1 });
      expect(queued().map((e) => e.userid)).toEqual(["u-2"]);
      const warning = h.logger.lines.find((l) => l.message.includes("wrong clientState"));
      expect(warning?.fields).toMatchObject({ count: 1, subscriptionIds: [SUBSCRIPTION] });
      const logged = JSON.stringify(h.logger.lines);
      expect(logged).not.toContain(SECRET);
      if (clientState) expect(logged).not.toContain(clientState);
    },
  );

  it("without a configured clientState every notification is refused", async () => {
    const result = await handleGraphNotifications(
      { ...deps, clientState: undefined },
      { notifications: [notification("u-1"), notification("u-2", { clientState: "" })] },
    );
    expect(result).toMatchObject({ accepted: 0, forged: 2, published: 0 });
    expect(queued()).toEqual([]);
  });

  it("Graph's retries of one notification make one event, in one batch or across deliveries", async () => {
    const same = notification("u-1");
    await handleGraphNotifications(deps, { notifications: [same, same, same] });
    await handleGraphNotifications(deps, { notifications: [same] });
    h.clock.set(new Date(h.clock.now().getTime() + 30_000)); // a retry half a minute later
    await handleGraphNotifications(deps, { notifications: [same] });
    const ids = new Set(queued().map((e) => e.id));
    expect(ids.size).toBe(1);
    expect(await h.inProcessBus.depth("certificateEvents")).toMatchObject({ active: 1 });
  });

  it("answers after the queue alone; the processor records the event before it acts, once however often delivered", async () => {
    const ledger = () => h.stores.audit.list({ type: "user.refreshRequested", limit: 10 });
    await handleGraphNotifications(deps, { notifications: [notification("u-1")] });
    expect(await ledger()).toEqual([]);
    const event = queued()[0];
    const throttled = {
      getUser: async () => {
        throw new RetryableError("Graph answered 429");
      },
    };
    const first = processCertificateEvent({ ...h.deps, graph: throttled }, messageOf(event));
    await expect(first).rejects.toBeInstanceOf(RetryableError);
    expect((await ledger()).map((l) => l.event.id)).toEqual([event?.id]);
    const redelivered = messageOf(event, 2);
    await processCertificateEvent({ ...h.deps, graph: new FakeDirectory([]) }, redelivered);
    expect((await ledger()).map((l) => l.event.id)).toEqual([event?.id]);
  });

  const distinct = [
    { name: "notification ids", a: { id: "n-1" }, b: { id: "n-2" } },
    {
      name: "etags (no notification id)",
      a: { id: undefined, resourceData: { id: "u-1", "@odata.etag": 'W/"1"' } },
      b: { id: undefined, resourceData: { id: "u-1", "@odata.etag": 'W/"2"' } },
    },
    { name: "change types", a: { changeType: "updated" }, b: { changeType: "deleted" } },
    { name: "subscriptions", a: { subscriptionId: "sub-a" }, b: { subscriptionId: "sub-b" } },
  ];
  it.each(distinct)("two notifications of one user differing in $name make two events", async ({ a, b }) => {
    await handleGraphNotifications(deps, { notifications: [notification("u-1", a), notification("u-1", b)] });
    expect(new Set(queued().map((e) => e.id)).size).toBe(2);
  });

  const ignored = [
    { name: "a resource that is no user", item: notification("u-1", { resource: "Groups/g-1" }) },
    { name: "a user's sub-resource", item: notification("u-1", { resource: "Users/u-1/messages/m-1" }) },
    { name: "an unknown change type", item: notification("u-1", { changeType: "moved" }) },
    { name: "no subscription id", item: notification("u-1", { subscriptionId: undefined }) },
    { name: "not an object", item: "hello" },
    { name: "an id that is no object id", item: notification("u/../1", { resourceData: undefined }) },
  ];
  it.each(ignored)("$name is ignored, the rest of the batch still enqueued", async ({ item }) => {
    const result = await handleGraphNotifications(deps, { notifications: [item, notification("u-2")] });
    expect(result).toMatchObject({ accepted: 1, ignored: 1 });
    expect(queued().map((e) => e.userid)).toEqual(["u-2"]);
  });

  it("the user id comes from the resource path when resourceData is absent", async () => {
    await handleGraphNotifications(deps, { notifications: [notification("u-9", { resourceData: null })] });
    expect(queued().map((e) => e.userid)).toEqual(["u-9"]);
  });

  it("a burst of 1,000 notifications is one publish and 1,000 events", async () => {
    const notifications = Array.from({ length: 1000 }, (_, i) => notification(`u-${i}`));
    const result = await handleGraphNotifications(deps, { notifications });
    expect(result).toMatchObject({ accepted: 1000, published: 1000 });
    expect(publishCalls).toBe(1);
    expect(await h.inProcessBus.depth("certificateEvents")).toMatchObject({ active: 1000 });
  });

  it("carries the caller's trace", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await handleGraphNotifications(deps, { notifications: [notification("u-1")], traceparent });
    expect(queued()[0]?.traceparent).toBe(traceparent);
  });
});

describe("processUserRefreshRequested", () => {
  const alice: FakeUser = {
    id: "u-alice",
    userPrincipalName: "alice@contoso.com",
    proxyAddresses: ["SMTP:alice@contoso.com"],
    accountEnabled: true,
  };
  let directory: FakeDirectory;

  beforeEach(async () => {
    directory = new FakeDirectory([alice]);
    await syncUsers({ ...h.deps, graph: directory });
  });

  async function refresh() {
    await handleGraphNotifications(deps, {
      notifications: [notification(alice.id, { id: `n-${Math.random()}` })],
    });
    const event = queued().at(-1) as PipelineEvent & { type: "user.refreshRequested" };
    return processUserRefreshRequested({ ...h.deps, graph: directory }, event);
  }

  const cases = [
    {
      name: "a new primary address",
      act: () => directory.update(alice.id, { proxyAddresses: ["SMTP:alice.w@contoso.com"] }),
      change: "primarySmtpChanged",
    },
    {
      name: "a disabled account",
      act: () => directory.update(alice.id, { accountEnabled: false }),
      change: "disabled",
    },
    { name: "a user Graph no longer finds (404)", act: () => directory.remove(alice.id), change: "deleted" },
  ];
  it.each(cases)("$name: read from Graph, announced as user.changed", async ({ act, change }) => {
    act();
    const outcome = await refresh();
    expect(outcome).toMatchObject({ type: "user.refreshRequested", result: "changed", published: 1 });
    expect(directory.reads).toEqual([alice.id]);
    expect(h.events("user.changed").map((e) => (e.data as { change: string }).change)).toEqual([change]);
  });

  it("nothing changed: nothing announced", async () => {
    const outcome = await refresh();
    expect(outcome).toMatchObject({ result: "unchanged", published: 0 });
    expect(h.events("user.changed")).toEqual([]);
  });
});
