/**
 * The dashboard document and its route (shared/http/dashboard/page.ts, shared/http/routes/dashboard.ts):
 * self-contained, its one script and style allowed by hash and nothing else, the script well-formed, and
 * the script's start-up (token from the fragment, bearer reads of the API) run against a stand-in window.
 */
import { createHash } from "node:crypto";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { dashboardPage, dashboardScript } from "../../../shared/http/dashboard/page.ts";
import { dashboardRoute } from "../../../shared/http/routes/dashboard.ts";

const inline = (html: string, tag: "script" | "style") => {
  const found = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html);
  if (!found?.[1]) throw new Error(`no inline ${tag}`);
  return found[1];
};
const hash = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

describe("the dashboard document", () => {
  const { html, contentSecurityPolicy } = dashboardPage();

  it("allows exactly its inline script and style, by hash, and nothing from elsewhere", () => {
    const policy = Object.fromEntries(
      contentSecurityPolicy.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1).join(" ")]),
    );
    expect(policy).toEqual({
      "default-src": "'none'",
      "script-src": hash(inline(html, "script")),
      "style-src": hash(inline(html, "style")),
      "img-src": "data:",
      "connect-src": "'self'",
      "base-uri": "'none'",
      "form-action": "'none'",
      "frame-ancestors": "'none'",
    });
  });

  it.each([
    ["an external script", /<script[^>]+src=/i],
    ["an external stylesheet", /<link[^>]+stylesheet/i],
    ["a CSS import or url()", /@import|url\(/i],
    ["a font from elsewhere", /fonts\.(googleapis|gstatic)|@font-face/i],
    ["an inline event handler attribute", /\son[a-z]+="/i],
  ])("holds no %s", (_name, pattern) => {
    expect(html).not.toMatch(pattern);
  });

  it("labels every input and names its language", () => {
    expect(html).toContain('<html lang="en">');
    for (const id of [...html.matchAll(/<input id="([^"]+)"/g)].map((m) => m[1]))
      expect(html).toContain(`<label for="${id}">`);
  });

  it("has a script that parses and cannot end its own element early", () => {
    const script = dashboardScript();
    expect(() => new Function(script)).not.toThrow();
    expect(script).not.toMatch(/<\/script|<!--/i);
  });
});

describe("GET /api/dashboard", () => {
  it("is anonymous, HTML, never cached, framed or sniffed, and sends its policy", async () => {
    const route = dashboardRoute();
    expect([route.method, route.path, route.access]).toEqual(["GET", "dashboard", "anonymous"]);
    const response = await route.handle({} as Parameters<typeof route.handle>[0]);
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": dashboardPage().contentSecurityPolicy,
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "referrer-policy": "no-referrer",
    });
    expect(response.body).toBe(dashboardPage().html);
  });
});

/** A stand-in for the few window members the script uses: elements by id, storage, fetch, history. */
function standInWindow(hash: string, answers: Record<string, unknown>, answerStatus = 200) {
  const elements = new Map<
    string,
    { innerHTML: string; textContent: string; hidden: boolean; value: string }
  >();
  const element = (id: string) => {
    const found = elements.get(id) ?? { innerHTML: "", textContent: "", hidden: true, value: "" };
    elements.set(id, found);
    return Object.assign(found, { addEventListener: () => undefined });
  };
  const storage = new Map<string, string>();
  const requests: { url: string; authorization: string }[] = [];
  const intervals: number[] = [];
  const location = { hash, pathname: "/api/dashboard", search: "" };
  const window = {
    document: { getElementById: element, querySelectorAll: () => [] },
    location,
    history: {
      replaceState: (_d: null, _u: string, url: string) => Object.assign(location, { hash: "", url }),
    },
    sessionStorage: {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    },
    fetch: async (url: string, init: { headers: Record<string, string> }) => {
      requests.push({ url, authorization: init.headers["authorization"] ?? "" });
      const path = url.split("?")[0]!.replace("/api/", "");
      return { status: answerStatus, ok: answerStatus === 200, json: async () => answers[path] };
    },
    setInterval: (_handler: () => void, ms: number) => intervals.push(ms),
  };
  return { window, elements, storage, requests, location, intervals };
}

/** Every fetch of the stand-in answers at once: one macrotask later, all of them and the render are done. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("the page's script, started", () => {
  const status = {
    generatedAt: "2026-03-01T10:00:00.000Z",
    certificates: { total: 3, byState: { valid: 2, revoked: 1 } },
    expiring: { within7Days: 1 },
    expiryTimeline: [{ from: "2026-03-01T10:00:00.000Z", to: "2026-03-08T10:00:00.000Z", count: 1 }],
    crls: { total: 0, byStatus: {}, endpoints: [] },
    queues: { notifications: { active: 0, scheduled: 0, deadLetter: 2 } },
    lastRuns: { scanExpiry: null },
  };
  const answers = { status, users: { users: [] }, events: { events: [] } };

  it("takes the token from the fragment, clears it from the address, and reads the API with it", async () => {
    const w = standInWindow("#token=abc.def", answers);
    runInNewContext(dashboardScript(), { window: w.window });
    await settled();
    expect(w.location.hash).toBe("");
    expect([...w.storage.values()]).toEqual(["abc.def"]);
    expect(w.requests.map((r) => [r.url, r.authorization])).toEqual([
      ["/api/status", "Bearer abc.def"],
      ["/api/users?state=notReady&limit=1000", "Bearer abc.def"],
      ["/api/events?limit=50", "Bearer abc.def"],
      ["/api/events?type=policy.drifted&limit=20", "Bearer abc.def"],
    ]);
    expect(w.elements.get("chart-states")?.innerHTML).toContain("Certificates by state: Valid 2");
    expect(w.elements.get("dashboard")?.hidden).toBe(false);
    expect(w.intervals).toEqual([30_000]);
  });

  it("asks for a token when it has none, and reads nothing", async () => {
    const w = standInWindow("", answers);
    runInNewContext(dashboardScript(), { window: w.window });
    await settled();
    expect(w.requests).toEqual([]);
    expect(w.elements.get("token-form")?.hidden).toBe(false);
    expect(w.elements.get("dashboard")?.hidden ?? true).toBe(true);
  });

  it("forgets a token the API refuses (401) and asks for another", async () => {
    const w = standInWindow("#token=expired", answers, 401);
    runInNewContext(dashboardScript(), { window: w.window });
    await settled();
    expect(w.storage.size).toBe(0);
    expect(w.elements.get("token-form")?.hidden).toBe(false);
    expect(w.elements.get("token-message")?.textContent).toContain("refused");
  });
});
