/**
 * `/users/delta`: a first round pages through everyone to a deltaLink; later rounds return only what
 * changed (the admin hook), disabled users as ordinary items and deleted ones as `@removed`; the demo's
 * scripted changes arrive after the first round; a deltaLink from another run is 410 resyncRequired.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { UserChange } from "../../../shared/local/demo-tenant/index.ts";
import { all, graph, type Started, startTestTenant } from "./support.ts";

const SELECT = "$select=id,userPrincipalName,mail,proxyAddresses,accountEnabled";
const DOMAIN = "demo.smime-lifecycle.local";

let s: Started;
beforeEach(async () => {
  s = await startTestTenant({ pageSize: 10 });
});
afterEach(() => s.stop());

async function firstRound(): Promise<{ items: Record<string, unknown>[]; deltaLink: string }> {
  const { items, last } = await all(s.tenant, `/v1.0/users/delta?${SELECT}`);
  expect(last["@odata.nextLink"]).toBeUndefined();
  return { items, deltaLink: String(last["@odata.deltaLink"]) };
}

describe("users delta", () => {
  it("the first round lists every user once, paged, and ends with a deltaLink keeping $select", async () => {
    const { items, deltaLink } = await firstRound();
    expect(items.length).toBe(s.tenant.dataset?.users.length);
    expect(new Set(items.map((u) => u.id)).size).toBe(items.length);
    expect(deltaLink).toContain("$deltatoken=");
    expect(deltaLink).toContain("$select=id,userPrincipalName");
  });

  it("the second round returns the scripted changes of the demo, then nothing", async () => {
    const { deltaLink } = await firstRound();
    // The scripted changes were applied as the first deltaLink was handed out.
    const second = await all(s.tenant, deltaLink);
    const byUpn = new Map(second.items.map((u) => [String(u.userPrincipalName ?? u.id), u] as const));
    const wilhelm = s.tenant.dataset?.users.find((u) => u.spec.name === "wilhelm");
    expect(second.items).toContainEqual({
      "@odata.type": "#microsoft.graph.user",
      id: wilhelm?.id,
      "@removed": { reason: "changed" },
    });
    expect(byUpn.get(`xenia@${DOMAIN}`)?.proxyAddresses).toEqual([
      `SMTP:xenia.novak@${DOMAIN}`,
      `smtp:xenia@${DOMAIN}`,
    ]);
    expect(second.items.length).toBe(2);
    const third = await all(s.tenant, String(second.last["@odata.deltaLink"]));
    expect(third.items).toEqual([]);
  });

  it.each<{ name: string; change: UserChange; expected: (u: Record<string, unknown>) => void }>([
    {
      name: "primary SMTP changed",
      change: { primarySmtp: `aino.virtanen@${DOMAIN}` },
      expected: (u) => {
        expect(u.mail).toBe(`aino.virtanen@${DOMAIN}`);
        expect(u.proxyAddresses).toEqual([`SMTP:aino.virtanen@${DOMAIN}`, `smtp:aino@${DOMAIN}`]);
      },
    },
    {
      name: "disabled",
      change: { accountEnabled: false },
      expected: (u) => expect(u.accountEnabled).toBe(false),
    },
    {
      name: "deleted",
      change: { deleted: true },
      expected: (u) => expect(u["@removed"]).toEqual({ reason: "changed" }),
    },
  ])("a user $name through the hook comes in the next round", async ({ change, expected }) => {
    const { deltaLink } = await firstRound();
    const scripted = await all(s.tenant, deltaLink);
    await s.tenant.changeUser(`aino@${DOMAIN}`, change);
    const next = await all(s.tenant, String(scripted.last["@odata.deltaLink"]));
    expect(next.items.length).toBe(1);
    const aino = s.tenant.dataset?.users.find((u) => u.spec.name === "aino");
    expect(next.items[0]?.id).toBe(aino?.id);
    expected(next.items[0] as Record<string, unknown>);
  });

  it("a deleted user is gone from /users and from lookups", async () => {
    await s.tenant.changeUser(`bertil@${DOMAIN}`, { deleted: true });
    const res = await graph(s.tenant, `/v1.0/users/bertil@${DOMAIN}`);
    expect(res.status).toBe(404);
    const { items } = await all(s.tenant, "/v1.0/users");
    expect(items.map((u) => u.userPrincipalName)).not.toContain(`bertil@${DOMAIN}`);
  });

  it("a deltaLink of another run of the tenant is 410 resyncRequired", async () => {
    const { deltaLink } = await firstRound();
    const other = await startTestTenant();
    try {
      const foreign = deltaLink.replace(s.tenant.baseUrl, other.tenant.baseUrl);
      const res = await graph(other.tenant, foreign);
      expect(res.status).toBe(410);
      expect((res.json.error as { code: string }).code).toBe("resyncRequired");
    } finally {
      await other.stop();
    }
  });

  it("changing an unknown user is refused", async () => {
    await expect(s.tenant.changeUser(`nobody@${DOMAIN}`, { accountEnabled: false })).rejects.toThrow(
      /no user/,
    );
  });
});
