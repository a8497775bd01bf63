/**
 * Shared set-up for the demo tenant tests: a demo CA in a temporary folder, a tenant on loopback at a fixed
 * date, and a tiny Graph client (bearer token, JSON, nextLink following) that speaks plain HTTP.
 */
import { rmSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDemoCa } from "../../../shared/local/demo-ca.ts";
import {
  type DemoTenant,
  type DemoTenantOptions,
  startDemoTenant,
} from "../../../shared/local/demo-tenant/index.ts";

export const NOW = new Date("2026-03-02T09:00:00Z");

export interface Started {
  readonly tenant: DemoTenant;
  readonly dir: string;
  stop(): Promise<void>;
}

/**
 * Minting the demo's ~120 certificates takes a second; it is done once per test file into a template folder,
 * and every tenant starts from a copy of it (its own CA state, the same certificates).
 */
let template: Promise<string> | undefined;
function templateDir(): Promise<string> {
  template ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), "demo-tenant-template-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const ca = await openDemoCa({ dir: join(dir, "demo-ca"), baseUrl: "http://127.0.0.1:7071", now: NOW });
    const warm = await startDemoTenant({ dataDir: dir, ca, now: NOW, clock: { now: () => NOW } });
    await warm.close();
    return dir;
  })();
  return template;
}

export async function startTestTenant(options: Partial<DemoTenantOptions> = {}): Promise<Started> {
  const dir = await mkdtemp(join(tmpdir(), "demo-tenant-"));
  const generated = options.scale !== undefined && options.scale !== "demo";
  if (!generated) await cp(await templateDir(), dir, { recursive: true });
  const ca = generated
    ? undefined
    : await openDemoCa({ dir: join(dir, "demo-ca"), baseUrl: "http://127.0.0.1:7071", now: NOW });
  const tenant = await startDemoTenant({
    dataDir: dir,
    now: NOW,
    clock: { now: () => NOW },
    ...(ca ? { ca } : {}),
    ...options,
  });
  return {
    tenant,
    dir,
    async stop() {
      await tenant.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface GraphResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

/** One Graph call with a bearer token (any token: it is the demo). `path` is absolute or under baseUrl. */
export async function graph(
  tenant: DemoTenant,
  path: string,
  init: { method?: string; body?: unknown; token?: string | null } = {},
): Promise<GraphResponse> {
  const url = path.startsWith("http") ? path : `${tenant.baseUrl}${path}`;
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? "demo-token"}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url, {
    method: init.method ?? "GET",
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Follows `@odata.nextLink` to the end; returns every item and the final page (with its deltaLink, if any). */
export async function all(
  tenant: DemoTenant,
  path: string,
): Promise<{ items: Record<string, unknown>[]; pages: number; last: Record<string, unknown> }> {
  const items: Record<string, unknown>[] = [];
  let next: string | undefined = path;
  let pages = 0;
  let last: Record<string, unknown> = {};
  while (next) {
    const page = await graph(tenant, next);
    if (page.status !== 200) throw new Error(`${next}: ${page.status} ${JSON.stringify(page.json)}`);
    pages += 1;
    items.push(...(page.json.value as Record<string, unknown>[]));
    last = page.json;
    next = page.json["@odata.nextLink"] as string | undefined;
  }
  return { items, pages, last };
}
