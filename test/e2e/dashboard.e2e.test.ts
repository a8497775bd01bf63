/**
 * The ops dashboard in a real browser (issue 5, "Done when"): `smimectl serve --demo` in a child process on
 * a free port and a temporary data directory, Debian's headless Chromium driven by playwright-core. The page
 * loads with a Reader token in its URL fragment, shows the numbers `GET /api/status` gives the test, filters
 * the not-ready users by UPN, asks nothing of any other origin, shows a hostile UPN as text, asks again for
 * a token the API refuses, and leaves a screenshot in reports/dashboard.png.
 *
 * About 20-40 s (host start, the demo tenant's first syncs, Chromium). On failure, the host's log tail is in
 * the error.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadDemoIssuer } from "../../shared/http/demo-issuer.ts";
import { type Chromium, launchChromium } from "../support/chromium.ts";
import { cliLauncher, REPO } from "../support/cli.ts";
import { freePort, type HostProcess, sleep, startHost, tail } from "./host-process.ts";

const SCREENSHOT = join(REPO, "reports", "dashboard.png");

const Status = z.object({
  certificates: z.object({ total: z.number(), byState: z.record(z.string(), z.number()) }),
  queues: z.record(
    z.string(),
    z.union([z.object({ deadLetter: z.number(), active: z.number() }), z.object({ error: z.string() })]),
  ),
  lastRuns: z.record(z.string(), z.string().nullable()),
});
type Status = z.infer<typeof Status>;
const Users = z.object({ users: z.array(z.object({ userPrincipalName: z.string() })) });

let root: string;
let host: HostProcess;
let token: string;
let browser: Chromium;

async function api<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  const response = await fetch(`${host.url}/api/${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return schema.parse(await response.json());
}

/** `serve --demo` through the same launcher: host-process.ts starts `serve --port --data` only. */
async function demoLauncher(dir: string): Promise<string> {
  const wrapper = join(dir, "smimectl-demo.mjs");
  const real = pathToFileURL(await cliLauncher()).href;
  await writeFile(wrapper, `process.argv.push("--demo");\nawait import(${JSON.stringify(real)});\n`);
  return wrapper;
}

const settledKey = (s: Status) => JSON.stringify([s.certificates, s.queues]);

/**
 * Until the demo tenant's first syncs have been processed: the Intune sync ran, certificates are counted,
 * the certificate-events queue is empty and two readings a second apart agree.
 */
async function waitForDemoData(timeoutMs = 90_000): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  let previous = "";
  while (Date.now() < deadline) {
    const status = await api("status", Status);
    const events = status.queues["certificate-events"];
    const idle = events !== undefined && "active" in events && events.active === 0;
    const key = settledKey(status);
    if (status.lastRuns["syncIntune"] && status.certificates.total > 0 && idle && key === previous)
      return status;
    previous = key;
    await sleep(1_000);
  }
  throw new Error(`the demo data did not settle in ${timeoutMs} ms\n${tail(host.logFile)}`);
}

/** How the state chart's title names each state's count: "Valid 3". */
const stateLabels = (s: Status) =>
  (
    [
      ["valid", "Valid"],
      ["expiring", "Expiring"],
      ["discovered", "Discovered"],
      ["invalid", "Invalid"],
      ["expired", "Expired"],
      ["revoked", "Revoked"],
      ["removed", "Removed"],
    ] as const
  ).map(([state, label]) => `${label} ${s.certificates.byState[state] ?? 0}`);

const metric = (page: Page, name: string) => page.locator(`[data-metric="${name}"]`).first().textContent();

async function openDashboard(page: Page, bearer = token): Promise<void> {
  await page.goto(`${host.url}/api/dashboard#token=${encodeURIComponent(bearer)}`);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "smime-dashboard-"));
  const dataDir = join(root, "data");
  await mkdir(dataDir);
  const port = await freePort();
  host = await startHost({
    launcher: await demoLauncher(root),
    port,
    dataDir,
    logFile: join(root, "host.log"),
  });
  token = await (await loadDemoIssuer(dataDir)).mint({
    role: "reader",
    userPrincipalName: "ops@demo.smime-lifecycle.local",
    now: new Date(),
  });
  await waitForDemoData();
  browser = await launchChromium();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("the dashboard in headless Chromium, on the demo tenant", () => {
  it("shows the numbers GET /api/status gives, as charts and tiles, asking nothing of any other origin", async () => {
    const page = await browser.context.newPage();
    const origins = new Set<string>();
    page.on("request", (request) => origins.add(new URL(request.url()).origin));
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    // The numbers move only when the demo tenant does; read both sides until they agree on one snapshot.
    let shown: { total: string | null; states: string } | undefined;
    let status: Status | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      await openDashboard(page);
      // The page shows its data only once every read has been rendered.
      await page.locator("#dashboard").waitFor({ state: "visible" });
      status = await api("status", Status);
      shown = {
        total: await metric(page, "certificates.total"),
        states: (await page.locator("#chart-states svg title").textContent()) ?? "",
      };
      if (
        shown.total === String(status.certificates.total) &&
        stateLabels(status).every((l) => shown?.states.includes(l))
      )
        break;
    }
    const s = status!;
    expect(shown?.total).toBe(String(s.certificates.total));
    for (const label of stateLabels(s)) expect(shown?.states).toContain(label);
    const deadLetters = Object.values(s.queues).reduce(
      (n, q) => n + ("deadLetter" in q ? q.deadLetter : 0),
      0,
    );
    expect(await metric(page, "queues.deadLetter")).toBe(String(deadLetters));
    const notReady = await api("users?state=notReady&limit=1000", Users);
    expect(await metric(page, "users.notReady")).toBe(String(notReady.users.length));
    expect(await page.locator("#users-body tr[data-upn]").count()).toBe(notReady.users.length);
    for (const id of ["chart-states", "chart-expiry", "chart-crls", "chart-queues"])
      expect(await page.locator(`#${id} svg[role="img"] rect`).count(), id).toBeGreaterThan(0);
    expect(await page.locator("#events-body tr").count()).toBeGreaterThan(0);
    expect([...origins]).toEqual([host.url]);
    expect(errors).toEqual([]);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });

  it("filters the not-ready users by UPN as one types, and shows them all again when cleared", async () => {
    const page = await browser.context.newPage();
    await openDashboard(page);
    await page.locator("#users-body tr[data-upn]").first().waitFor();
    const all = await page
      .locator("#users-body tr[data-upn]")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-upn") ?? ""));
    expect(all.length).toBeGreaterThan(1);
    const query = all[0]!.split("@")[0]!.toUpperCase();
    const expected = all.filter((upn) => upn.toLowerCase().includes(query.toLowerCase()));
    await page.getByLabel("Search by UPN").fill(query);
    const shown = await page
      .locator("#users-body tr[data-upn]")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-upn") ?? ""));
    expect(shown).toEqual(expected);
    expect(shown.length).toBeLessThan(all.length);
    expect(await metric(page, "users.shown")).toBe(String(expected.length));
    await page.getByLabel("Search by UPN").fill("no-such-user-anywhere");
    expect(await page.locator("#users-body").textContent()).toContain("No users match.");
    await page.getByLabel("Search by UPN").fill("");
    expect(await page.locator("#users-body tr[data-upn]").count()).toBe(all.length);
    await page.close();
  });

  it("shows a hostile UPN from the API as text, and runs none of it", async () => {
    const page = await browser.context.newPage();
    const hostile = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>@evil.test`;
    await page.route("**/api/users?*", (route) =>
      route.fulfill({
        contentType: "application/json",
        body: JSON.stringify({ users: [{ userPrincipalName: hostile, reasons: ["<b>EXPIRED</b>"] }] }),
      }),
    );
    await openDashboard(page);
    await page.locator("#users-body td.upn").waitFor();
    expect(await page.locator("#users-body td.upn").textContent()).toBe(hostile);
    expect(await page.locator("#users-body img, #users-body script, #users-body b").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.close();
  });

  it("asks for a token again when the API refuses the one it has", async () => {
    const page = await browser.context.newPage();
    await openDashboard(page, "not-a-token");
    await page.locator("#token-form").waitFor({ state: "visible" });
    expect(await page.locator("#token-message").textContent()).toContain("refused");
    expect(await page.locator("#dashboard").isVisible()).toBe(false);
    expect(page.url()).not.toContain("token=");
    await page.getByLabel("Bearer token (SmimeLifecycle.Reader)").fill(token);
    await page.getByRole("button", { name: "Show the dashboard" }).click();
    await page.locator("#dashboard").waitFor({ state: "visible" });
    await page.close();
  });
});
