/**
 * `npm ci && npm start` with no settings (issue 4, "Done when"): `smimectl serve --demo` in a child process on
 * a fresh data directory and a free port, with no GRAPH_*, LDAP_* or TRUST_STORE_PATH in its environment.
 * Within a minute of the start, over the host's own HTTP API:
 * - `GET users` lists the demo tenant's users (from the users delta), and `GET status` its Intune certificates
 *   (from the Intune sync), the ones Intune reports revoked as revoked;
 * - the demo tenant holds a users subscription whose notification URL is this host's webhook: Graph creates
 *   one only after the validation handshake against that URL succeeded;
 * - `GET events` shows `policy.drifted` for the demo's misconfigured Android Outlook policy, and readiness
 *   shows POLICY_DRIFT for users whose certificates reach Android, never for users on iOS alone.
 * Then a demo user's primary SMTP address is changed in the tenant (its change hook): the tenant posts a change
 * notification to the webhook, and the pipeline announces `user.changed` with the new address.
 *
 * What the test expects comes from the demo tenant's own dataset (shared/local/demo-tenant/dataset.ts), rebuilt
 * here from the host's data directory, so it cannot drift from what the tenant serves.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadDemoIssuer } from "../../shared/http/demo-issuer.ts";
import { openDemoCa } from "../../shared/local/demo-ca.ts";
import { buildDemoDataset, type DemoDataset } from "../../shared/local/demo-tenant/demo-data.ts";
import { cliLauncher, REPO } from "../support/cli.ts";
import { freePort, pollUntil } from "./host-process.ts";

/** The promise of the issue: everything visible within a minute of `npm start`. */
const WITHIN_MS = 60_000;
/** The demo tenant's default seed (startDemoTenant). */
const DEMO_SEED = "smime-lifecycle-demo";

const UserLine = z.object({
  userId: z.string(),
  userPrincipalName: z.string(),
  primarySmtp: z.string().optional(),
  reasons: z.array(z.string()),
});
const Users = z.object({ users: z.array(UserLine) });
const Status = z.object({
  certificates: z.object({ total: z.number(), byState: z.record(z.string(), z.number()) }),
  queues: z.record(z.string(), z.object({ active: z.number(), scheduled: z.number() }).partial()),
  lastRuns: z.record(z.string(), z.string().nullable()),
});
const Events = z.object({
  events: z.array(
    z.object({ event: z.object({ type: z.string(), data: z.record(z.string(), z.unknown()) }) }),
  ),
});
const Subscriptions = z.object({
  value: z.array(z.object({ id: z.string(), resource: z.string(), notificationUrl: z.string() })),
});
const ChangeDeliveries = z.object({ value: z.array(z.object({ kind: z.string(), status: z.number() })) });

let dataDir: string;
let url: string;
let child: ChildProcess;
let output = "";
let started: number;
let token: string;
let dataset: DemoDataset;

async function get<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
  const r = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body: unknown = await r.json();
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(body)}`);
  return schema.parse(body);
}

/** The start-up syncs done and what they published processed: the status then holds still. */
function settled(): Promise<z.infer<typeof Status>> {
  return by(started + WITHIN_MS, "the start-up syncs to be processed", async () => {
    const s = await get("/api/status", Status);
    const queue = s.queues["certificate-events"];
    const done = s.lastRuns.syncIntune && s.lastRuns.syncUsers && s.certificates.total > 0;
    return done && queue?.active === 0 && queue.scheduled === 0 ? s : undefined;
  });
}

/** Polls until `check` answers, at most until `deadline` (ms since the epoch). */
const by = <T>(deadline: number, what: string, check: () => Promise<T | undefined>): Promise<T> =>
  pollUntil(deadline, what, check, () => output.slice(-3000));

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "smime-demo-start-"));
  const port = await freePort();
  const env: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: "warn" };
  for (const name of Object.keys(env))
    if (/^(GRAPH_|LDAP_|OUTLOOK_|TRUST_STORE_PATH$|LOCAL_DATA_DIR$)/.test(name)) delete env[name];
  const launcher = await cliLauncher();
  started = Date.now();
  child = spawn(process.execPath, [launcher, "serve", "--demo", "--port", String(port), "--data", dataDir], {
    cwd: REPO,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (b: Buffer) => (output += b.toString("utf8")));
  child.stderr?.on("data", (b: Buffer) => (output += b.toString("utf8")));
  url = `http://127.0.0.1:${port}`;
  await by(started + WITHIN_MS, "the host to answer GET health", async () =>
    (await fetch(`${url}/api/health`)).status === 200 ? true : undefined,
  );
  token = await (await loadDemoIssuer(dataDir)).mint({
    role: "reader",
    userPrincipalName: "ops@contoso.test",
    now: new Date(),
  });
  const ca = await openDemoCa({ dir: join(dataDir, "demo-ca"), baseUrl: url, now: new Date() });
  dataset = await buildDemoDataset({ ca, dataDir, seed: DEMO_SEED, now: new Date() });
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((done) => child.once("exit", done));
    child.kill("SIGTERM");
    const force = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(force);
  }
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe("npm start with no settings: the demo tenant within a minute", () => {
  it("lists every demo tenant user in GET users", async () => {
    const expected = dataset.users
      .filter((u) => !u.spec.afterFirstDelta?.deleted)
      .map((u) => u.userPrincipalName.toLowerCase());
    const listed = await by(started + WITHIN_MS, "every demo user in GET users", async () => {
      const users = (await get("/api/users?limit=1000", Users)).users;
      const upns = new Set(users.map((u) => u.userPrincipalName.toLowerCase()));
      return expected.every((upn) => upns.has(upn)) ? users : undefined;
    });
    // One record per directory user: the Intune sync found the users the delta had stored.
    const upns = listed.map((u) => u.userPrincipalName.toLowerCase());
    expect(new Set(upns).size).toBe(upns.length);
  });

  it("shows the demo tenant's Intune certificates in GET status, the ones Intune revoked as revoked", async () => {
    const revokedByIntune = dataset.certificates.filter((c) => c.expect.state === "revoked").length;
    const status = await settled();
    expect(status.certificates.total).toBeGreaterThanOrEqual(dataset.users.length);
    expect(status.certificates.byState.revoked ?? 0).toBeGreaterThan(0);
    expect(status.certificates.byState.revoked ?? 0).toBeLessThanOrEqual(revokedByIntune);
  });

  it("has its users subscription validated by the demo tenant against the host's own webhook", async () => {
    const subscriptions = await by(started + WITHIN_MS, "a validated subscription", async () => {
      const r = await fetch(`${url}/demo-tenant/subscriptions`);
      const s = Subscriptions.parse(await r.json()).value;
      return s.length > 0 ? s : undefined;
    });
    expect(subscriptions).toEqual([
      expect.objectContaining({ resource: "/users", notificationUrl: `${url}/api/graph/notifications` }),
    ]);
  });

  it("reports the drift of the demo's Android Outlook policy, and POLICY_DRIFT for Android users only", async () => {
    const drifted = await by(started + WITHIN_MS, "policy.drifted in GET events", async () => {
      const events = (await get("/api/events?type=policy.drifted&limit=10", Events)).events;
      return events.length > 0 ? events.map((e) => e.event.data) : undefined;
    });
    expect(drifted.map((d) => d.platform)).toEqual(["android"]);
    const onAndroid = new Set(
      dataset.certificates.filter((c) => c.platforms.includes("android")).map((c) => c.userId),
    );
    const onIosOnly = new Set(
      dataset.users
        // A user whose certificates Intune drops after the first sync has none left, and a user with no phone
        // has certificates that name no platform: with nothing to say where, readiness judges both platforms.
        .filter(
          (u) =>
            u.devices.length > 0 && u.devices.every((d) => d.platform === "iOS") && !u.spec.afterFirstDelta,
        )
        .filter((u) => dataset.certificates.some((c) => c.userId === u.id))
        .map((u) => u.id),
    );
    await settled();
    const users = await by(started + WITHIN_MS, "POLICY_DRIFT in readiness", async () => {
      const list = (await get("/api/users?limit=1000", Users)).users;
      const drift = list.filter((u) => onAndroid.has(u.userId) && u.reasons.includes("POLICY_DRIFT"));
      return drift.length === onAndroid.size ? list : undefined;
    });
    const iosWithDrift = users.filter((u) => onIosOnly.has(u.userId) && u.reasons.includes("POLICY_DRIFT"));
    expect(iosWithDrift.map((u) => u.userPrincipalName)).toEqual([]);
  });

  it("takes a user changed in the tenant through a change notification to user.changed", async () => {
    const user = dataset.users.find((u) => !u.spec.afterFirstDelta && u.spec.accountEnabled !== false)!;
    const [local, domain] = user.userPrincipalName.split("@");
    const address = `${local}.renamed@${domain}`;
    const r = await fetch(`${url}/demo-tenant/users/${encodeURIComponent(user.userPrincipalName)}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ primarySmtp: address }),
    });
    expect(r.status).toBe(200);
    // The tenant's notification was answered 202 by the webhook before the hook returned.
    expect(ChangeDeliveries.parse(await r.json()).value).toEqual([{ kind: "notification", status: 202 }]);
    const changed = await by(Date.now() + 30_000, "user.changed with the new address", async () => {
      const events = (await get(`/api/events?type=user.changed&user=${user.id}&limit=20`, Events)).events;
      return events.find((e) => e.event.data.primarySmtp === address);
    });
    expect(changed.event.data).toMatchObject({ userId: user.id, change: "primarySmtpChanged" });
  });
});
