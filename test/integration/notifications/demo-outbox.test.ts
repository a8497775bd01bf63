/**
 * Issue 5's "done when" for notifications: on the demo tenant, notices for its expiring and revoked users
 * appear in its outbox, in each user's language, once each and within the limits.
 *
 * The whole local host (`smimectl serve --demo`) runs in this process on its own data directory: the demo
 * tenant, Azurite, the durable bus, the consumers and the timers. After the start-up syncs are processed, the
 * expiry sweep runs (the timer function, as its schedule would run it); then every sweep and sync runs again
 * and the outbox must not grow. What is expected comes from the demo dataset, not from the pipeline's wording.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvocationContext, type Timer } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCrls } from "../../../functions/check-crls.ts";
import { checkDirectory } from "../../../functions/check-directory.ts";
import { scanExpiry } from "../../../functions/scan-expiry.ts";
import { syncIntune } from "../../../functions/sync-intune.ts";
import { syncUsers } from "../../../functions/sync-users.ts";
import { COMPANY_PORTAL_LIMITS } from "../../../shared/domain/notification-messages.ts";
import {
  DEMO_NOTICES_MAILBOX,
  type DemoUserRecord,
  type OutboxEntry,
} from "../../../shared/local/demo-tenant/index.ts";
import { type RunningHost, startLocalHost } from "../../../shared/local/host.ts";
import { CursorNames } from "../../../shared/usecases/deps.ts";

/** No MAIL_SENDER is set, as with `npm start`: the demo's own notices mailbox sends. */
const SENDER = DEMO_NOTICES_MAILBOX;
const HOUR = 3_600_000;

let host: RunningHost;
let dataDir: string;
const saved: Record<string, string | undefined> = {};

function setEnv(values: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(values)) {
    saved[name] ??= process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every queue empty (nothing active or scheduled) on several looks in a row: the pipeline is at rest. */
async function quiet(what: string, limitMs = 120_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  let calm = 0;
  while (calm < 4) {
    if (Date.now() > deadline) throw new Error(`the pipeline did not come to rest: ${what}`);
    const depths = await Promise.all(
      (["certificateEvents", "notifications"] as const).map((q) => host.runtime.deps.queueStats.depth(q)),
    );
    calm = depths.every((d) => d.active === 0 && d.scheduled === 0) ? calm + 1 : 0;
    await sleep(250);
  }
}

async function until(what: string, check: () => Promise<boolean>, limitMs = 120_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within the time: ${what}`);
    await sleep(250);
  }
}

/** A timer function run now, as a late (past-due) run: no jitter. */
async function runTimer(name: string, run: (timer: Timer, context: InvocationContext) => Promise<void>) {
  const now = new Date().toISOString();
  await run(
    {
      isPastDue: true,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: now, next: now, lastUpdated: now },
    },
    new InvocationContext({ functionName: name, invocationId: `${name}-${Date.now()}` }),
  );
}

const outbox = (): readonly OutboxEntry[] => host.demoTenant?.outbox() ?? [];
const dataset = () => {
  const d = host.demoTenant?.dataset;
  if (!d) throw new Error("the demo tenant has no dataset");
  return d;
};

/** Users who stay enabled and in the directory, with a certificate the dataset says is expiring or revoked. */
function usersToTell(state: "expiring" | "revoked"): DemoUserRecord[] {
  const { users, certificates } = dataset();
  return users.filter((u) => {
    if (u.spec.accountEnabled === false || u.spec.afterFirstDelta) return false;
    const mine = certificates.filter((c) => c.userId === u.id);
    return mine.some(
      (c) =>
        c.expect.state === state &&
        // An expiring certificate whose successor is already delivered asks nothing of the user.
        !(state === "expiring" && mine.some((o) => o.purpose === c.purpose && o.expect.state === "valid")),
    );
  });
}

const swedish = (u: DemoUserRecord) => u.spec.language.startsWith("sv");
/** The words each reason's title has in each language (the dataset's language decides which). */
const TITLE = {
  expiring: { sv: /^S\/MIME-certifikatet går ut om \d+ dag/, en: /^S\/MIME certificate expires in \d+ day/ },
  revoked: { sv: /^Ditt S\/MIME-certifikat har spärrats$/, en: /^Your S\/MIME certificate was revoked$/ },
} as const;

function noticesOf(u: DemoUserRecord) {
  const entries = outbox();
  return {
    portal: entries.filter(
      (e): e is Extract<OutboxEntry, { kind: "companyPortal" }> =>
        e.kind === "companyPortal" && e.userPrincipalName === u.userPrincipalName,
    ),
    mail: entries.filter(
      (e): e is Extract<OutboxEntry, { kind: "mail" }> => e.kind === "mail" && e.to.includes(u.primarySmtp),
    ),
  };
}

let afterFirstRound: readonly OutboxEntry[];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "smime-demo-outbox-"));
  setEnv({
    NOTIFY_CHANNEL: "companyPortal",
    MAIL_SENDER: undefined,
    DRY_RUN: undefined,
    LOG_LEVEL: "error",
    TRUST_STORE_PATH: undefined,
    GRAPH_TENANT_ID: undefined,
    GRAPH_CLIENT_ID: undefined,
    GRAPH_BASE_URL: undefined,
    LDAP_URL: undefined,
  });
  host = await startLocalHost({ port: 0, dataDir, demo: true });
  const cursors = host.runtime.deps.cursors;
  await until("the start-up syncs and sweeps", async () => {
    const runs = await Promise.all(
      [
        CursorNames.syncUsersLastRun,
        CursorNames.syncIntuneLastRun,
        CursorNames.scanExpiryLastRun,
        CursorNames.checkCrlsLastRun,
      ].map((n) => cursors.get(n)),
    );
    return runs.every((r) => r !== undefined);
  });
  await quiet("after the start-up");
  // The next users delta brings the demo's scripted changes (a user deleted, an address changed, a device
  // retired): their notices belong to the first round too.
  await runTimer("syncUsers", syncUsers);
  await quiet("after the second users delta");
  // The bytes of the imported encryption certificates come from the directory: until checkDirectory has run
  // (its start-up run keeps no cursor to wait for), a certificate revoked on the CRL has no verdict yet.
  await runTimer("checkDirectory", checkDirectory);
  await quiet("after the directory check");
  // The daily sweep, now that the inventory holds the demo's certificates.
  await runTimer("scanExpiry", scanExpiry);
  await quiet("after the expiry sweep");
  afterFirstRound = outbox();
}, 300_000);

afterAll(async () => {
  await host?.stop();
  setEnv(saved);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe("notices on the demo tenant", () => {
  it.each([{ state: "expiring" as const }, { state: "revoked" as const }])(
    "every $state user is told, in their language, on Company Portal or (without a phone) by e-mail",
    ({ state }) => {
      const users = usersToTell(state);
      expect(users.some(swedish)).toBe(true);
      expect(users.some((u) => !swedish(u))).toBe(true);
      const missing: string[] = [];
      for (const u of users) {
        const { portal, mail } = noticesOf(u);
        const title = TITLE[state][swedish(u) ? "sv" : "en"];
        if (u.devices.length > 0) {
          // Company Portal on every one of the user's phones, no e-mail (NOTIFY_CHANNEL=companyPortal).
          for (const device of u.devices)
            if (!portal.some((e) => e.deviceId === device.id && title.test(e.notificationTitle)))
              missing.push(`${u.spec.name}: Company Portal on ${device.platform}`);
          expect(mail).toEqual([]);
        } else {
          const told = mail.find((e) => title.test(e.subject));
          if (!told) missing.push(`${u.spec.name}: e-mail`);
          else
            expect(told).toMatchObject({
              from: SENDER,
              format: "mime",
              text: expect.stringContaining(swedish(u) ? "Hej " : "Hello "),
              html: expect.stringContaining(swedish(u) ? "<p>Hej " : "<p>Hello "),
            });
        }
      }
      expect(missing).toEqual([]);
    },
  );

  it("tells nobody whose renewal is already delivered about the old certificate's end", () => {
    const { users, certificates } = dataset();
    const renewed = users.filter((u) => {
      const mine = certificates.filter((c) => c.userId === u.id);
      return (
        !usersToTell("expiring").includes(u) &&
        mine.some((c) => c.expect.state === "expiring") &&
        mine.some((c) => c.expect.state === "valid")
      );
    });
    expect(renewed.length).toBeGreaterThan(0);
    for (const u of renewed) {
      const { portal, mail } = noticesOf(u);
      const titles = [...portal.map((e) => e.notificationTitle), ...mail.map((e) => e.subject)];
      expect(titles.filter((t) => TITLE.expiring.sv.test(t) || TITLE.expiring.en.test(t))).toEqual([]);
    }
  });

  it("includes a user with no iOS or Android device, told by e-mail", () => {
    const deviceless = [...usersToTell("expiring"), ...usersToTell("revoked")].filter(
      (u) => u.devices.length === 0,
    );
    expect(deviceless.length).toBeGreaterThan(0);
    for (const u of deviceless) expect(noticesOf(u).mail.length).toBeGreaterThan(0);
  });

  it("sends each notice once: one Company Portal entry per device for each notice sent, one e-mail per ledger key", async () => {
    const audit = host.runtime.deps.audit;
    for (const u of [...usersToTell("expiring"), ...usersToTell("revoked")]) {
      const sent = await audit.list({ type: "notification.sent", userId: u.id, limit: 200 });
      const byChannel = (channel: string) =>
        sent.filter((r) => (r.event.data as { channel?: string }).channel === channel).length;
      const { portal, mail } = noticesOf(u);
      for (const device of u.devices)
        expect(
          portal.filter((e) => e.deviceId === device.id).length,
          `${u.spec.name} ${device.platform}`,
        ).toBe(byChannel("companyPortal"));
      expect(mail.length, u.spec.name).toBe(byChannel("email"));
    }
    const ids = outbox().flatMap((e) => (e.kind === "mail" && e.messageId ? [e.messageId] : []));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps within Company Portal's limits: title ≤ 50, body ≤ 500, at most 10 per device in any hour", () => {
    const portal = outbox().filter((e) => e.kind === "companyPortal");
    expect(portal.length).toBeGreaterThan(0);
    for (const e of portal) {
      expect([...e.notificationTitle].length).toBeLessThanOrEqual(COMPANY_PORTAL_LIMITS.title);
      expect([...e.notificationBody].length).toBeLessThanOrEqual(COMPANY_PORTAL_LIMITS.body);
    }
    const times = new Map<string, number[]>();
    for (const e of portal) times.set(e.deviceId, [...(times.get(e.deviceId) ?? []), Date.parse(e.at)]);
    for (const [deviceId, at] of times)
      for (const start of at)
        expect(at.filter((t) => t >= start && t < start + HOUR).length, deviceId).toBeLessThanOrEqual(10);
  });

  it("adds nothing when every sync and sweep runs again", async () => {
    await runTimer("syncUsers", syncUsers);
    await runTimer("syncIntune", syncIntune);
    await runTimer("scanExpiry", scanExpiry);
    await runTimer("checkCrls", checkCrls);
    await quiet("after the second round");
    expect(outbox().filter((e) => e.kind !== "syncDevice")).toEqual(
      afterFirstRound.filter((e) => e.kind !== "syncDevice"),
    );
  }, 180_000);
});
