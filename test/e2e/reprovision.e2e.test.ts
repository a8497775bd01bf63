/**
 * Re-provisioning on the demo tenant, through the real local host (issue 5, "Done when"): `smimectl serve
 * --demo` in a child process; an admin token from the demo issuer; `POST admin/reprovision` for a demo user
 * whose imported encryption certificate expired. onReprovision asks the user's iPhone to sync; the demo tenant
 * installs a new encryption PFX from its demo CA a few seconds later (as the device's check-in would); an
 * Intune sync run by hand (`POST /admin/functions/syncIntune`, what the half-hourly timer would do) finds it,
 * and the operation's next look ends it `completed`. The directory check then supplies the new certificate's
 * bytes, and the user can encrypt again. A demo user with no iOS or Android device ends `failed`, naming that.
 *
 * What the test expects comes from the demo tenant's dataset (shared/local/demo-tenant/dataset.ts): the
 * users are picked by their stories' names, and their UPNs from the tenant's own domain.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadDemoIssuer } from "../../shared/http/demo-issuer.ts";
import { DEMO_TENANT_DOMAIN } from "../../shared/local/demo-tenant/dataset.ts";
import { cliLauncher } from "../support/cli.ts";
import { apiClient, type UserLine } from "./api-client.ts";
import { freePort, type HostProcess, pollUntil, startHost, tail } from "./host-process.ts";

/** From the request to the end of the operation: well under a minute. */
const WITHIN_MS = 45_000;
/** The encryption PFX expired 10 days ago and nothing replaced it (dataset.ts "gabriel"). */
const EXPIRED_ENCRYPTION = `gabriel@${DEMO_TENANT_DOMAIN}`;
/** No enrolled iOS or Android device (dataset.ts "nils"). */
const NO_DEVICE = `nils@${DEMO_TENANT_DOMAIN}`;

const Operation = z.object({
  operationId: z.string(),
  status: z.enum(["requested", "running", "completed", "failed"]),
  error: z.string().optional(),
  steps: z.array(z.object({ at: z.string(), message: z.string() })),
});
const Status = z.object({
  lastRuns: z.record(z.string(), z.string().nullable()),
  queues: z.record(z.string(), z.object({ active: z.number(), scheduled: z.number() }).partial()),
});
const Installed = z.object({
  value: z.array(z.object({ userPrincipalName: z.string(), purpose: z.string(), thumbprint: z.string() })),
});

let root: string;
let host: HostProcess;
let token: string;

const headers = () => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });

async function getJson<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
  const r = await fetch(`${host.url}${path}`, { headers: headers() });
  const body: unknown = await r.json();
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(body)}`);
  return schema.parse(body);
}

/** Polls until `check` answers, at most until `deadline` (ms since the epoch). */
const by = <T>(deadline: number, what: string, check: () => Promise<T | undefined>): Promise<T> =>
  pollUntil(deadline, what, check, () => tail(host.logFile, 30));

async function reprovision(userPrincipalName: string, purpose: string): Promise<string> {
  const r = await fetch(`${host.url}/api/admin/reprovision`, {
    method: "POST",
    headers: headers(),
    body: JSON.stringify({ userPrincipalName, purpose, reason: "end-to-end check" }),
  });
  const body = (await r.json()) as { operationId?: string };
  expect(r.status).toBe(202);
  return z.string().parse(body.operationId);
}

const operation = (id: string) => getJson(`/api/admin/operations/${id}`, Operation);

/** Runs a timer function now, as an admin would on the Functions host. */
async function runNow(functionName: string): Promise<void> {
  const r = await fetch(`${host.url}/admin/functions/${functionName}`, {
    method: "POST",
    headers: headers(),
    body: JSON.stringify({ input: "" }),
  });
  expect(r.status).toBe(202);
}

async function userLine(upn: string): Promise<UserLine | undefined> {
  const users = await apiClient(host.url, token).users({ limit: 1000 });
  return users.find((u) => u.userPrincipalName.toLowerCase() === upn);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "smime-reprovision-e2e-"));
  const dataDir = join(root, "data");
  host = await startHost({
    launcher: await cliLauncher(),
    port: await freePort(),
    dataDir,
    demo: true,
    env: { LOG_LEVEL: "info" },
    logFile: join(root, "host.log"),
  });
  token = await (await loadDemoIssuer(dataDir)).mint({
    role: "admin",
    userPrincipalName: "admin@contoso.test",
    now: new Date(),
  });
  // The start-up runs done and what they published processed.
  await by(Date.now() + 90_000, "the start-up syncs to be processed", async () => {
    const s = await getJson("/api/status", Status);
    const queue = s.queues["certificate-events"];
    const done = s.lastRuns.syncIntune && s.lastRuns.syncUsers;
    return done && queue?.active === 0 && queue.scheduled === 0 ? true : undefined;
  });
}, 150_000);

afterAll(async () => {
  await host?.stop();
  await rm(root, { recursive: true, force: true });
}, 60_000);

describe("re-provisioning on the demo tenant through the local host", () => {
  it("a user whose encryption PFX expired: the device sync installs a new one, the operation completes, the user can encrypt", async () => {
    const before = await by(Date.now() + 30_000, "the user's readiness", () => userLine(EXPIRED_ENCRYPTION));
    expect(before.encryptionReady).toBe(false);
    const started = Date.now();
    const id = await reprovision(EXPIRED_ENCRYPTION, "encryption");
    const running = await by(started + WITHIN_MS, "the operation to run", async () => {
      const op = await operation(id);
      return op.status === "running" ? op : undefined;
    });
    expect(running.steps.map((s) => s.message).join("\n")).toMatch(
      /asked .*iPhone \(iOS\) to sync with Intune/,
    );
    // The iPhone checks in a few seconds later; Intune then lists the new PFX.
    const installed = await by(started + WITHIN_MS, "the demo tenant to install the PFX", async () => {
      const list = (await getJson("/demo-tenant/installed", Installed)).value;
      return list.find((c) => c.userPrincipalName === EXPIRED_ENCRYPTION);
    });
    expect(installed.purpose).toBe("encryption");
    await runNow("syncIntune");
    const done = await by(started + WITHIN_MS, "the operation to complete", async () => {
      const op = await operation(id);
      return op.status === "completed" || op.status === "failed" ? op : undefined;
    });
    expect(done.status).toBe("completed");
    expect(done.steps.at(-1)?.message).toBe(`new certificate(s) installed: ${installed.thumbprint}`);
    expect(Date.now() - started).toBeLessThan(WITHIN_MS);

    // The directory publishes the new certificate: its bytes reach the engine, and the user is ready again.
    await runNow("checkDirectory");
    const after = await by(Date.now() + 30_000, "the user to be able to encrypt", async () => {
      const line = await userLine(EXPIRED_ENCRYPTION);
      return line?.encryptionReady ? line : undefined;
    });
    expect(after.reasons).not.toContain("EXPIRED");
  });

  it("a user with no iOS or Android device: failed, with the reason", async () => {
    const started = Date.now();
    const id = await reprovision(NO_DEVICE, "both");
    const done = await by(started + WITHIN_MS, "the operation to end", async () => {
      const op = await operation(id);
      return op.status === "completed" || op.status === "failed" ? op : undefined;
    });
    expect(done).toMatchObject({
      status: "failed",
      error: `${NO_DEVICE} has no enrolled iOS or Android device`,
    });
  });

  it("running a function by hand needs an admin token and a timer function that runs here", async () => {
    const post = (path: string, authorization?: string) =>
      fetch(`${host.url}${path}`, {
        method: "POST",
        headers: authorization ? { authorization } : {},
      }).then((r) => r.status);
    expect(await post("/admin/functions/syncIntune")).toBe(401);
    const reader = await (await loadDemoIssuer(join(root, "data"))).mint({
      role: "reader",
      userPrincipalName: "ops@contoso.test",
      now: new Date(),
    });
    expect(await post("/admin/functions/syncIntune", `Bearer ${reader}`)).toBe(403);
    expect(await post("/admin/functions/onReprovision", `Bearer ${token}`)).toBe(404);
  });
});
