/**
 * The dashboard's browser side: where the token comes from, fetching the three reads every 30 s, and
 * putting the rendered pieces into the page. page.ts ships `boot`'s own source and calls it as
 * `boot(window, helpers)`, the helpers being render.ts's functions; so, as there, nothing here may refer to
 * an import or a module-level value at run time. The window is typed by the few members used (the
 * project's TypeScript has no DOM library, on purpose: everything else runs in Node).
 *
 * The token: the page itself is public (a navigation carries no bearer header), the data is not. The page
 * takes a Reader token from the URL fragment (`#token=…`, which browsers never send to a server, so it
 * lands in no access log; removed from the address bar at once) or from the form, and keeps it in
 * sessionStorage (this tab only, gone when it closes; no cookie, so no cross-site request can use it).
 */
import type * as Render from "./render.ts";

interface Element {
  innerHTML: string;
  textContent: string | null;
  hidden: boolean;
  value: string;
  addEventListener(type: string, listener: (event: { preventDefault(): void }) => void): void;
}

interface FetchResponse {
  readonly status: number;
  readonly ok: boolean;
  json(): Promise<unknown>;
}

/** The members of `window` the dashboard uses. */
export interface DashboardWindow {
  readonly document: {
    getElementById(id: string): Element | null;
    querySelectorAll(selector: string): ArrayLike<Element>;
  };
  readonly location: { readonly hash: string; readonly pathname: string; readonly search: string };
  readonly history: { replaceState(data: null, unused: string, url: string): void };
  readonly sessionStorage: {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
  };
  fetch(url: string, init: { headers: Record<string, string>; cache: "no-store" }): Promise<FetchResponse>;
  setInterval(handler: () => void, ms: number): unknown;
}

type Helpers = typeof Render;

interface Loaded {
  status: {
    generatedAt: string;
    certificates: { total: number; byState: Record<string, number> };
    expiring: Record<string, number>;
    expiryTimeline?: { from: string; count: number }[];
    crls: { total: number; byStatus: Record<string, number>; endpoints: Render.CrlRow[] };
    queues: Record<string, Render.QueueRow>;
    lastRuns: Record<string, string | null>;
  };
  users: Render.UserRow[];
  events: Render.EventRow[];
  drift: Render.EventRow[];
}

/** Starts the dashboard: reads the token, renders, refreshes every 30 s, filters as the search changes. */
export function boot(win: DashboardWindow, h: Helpers): void {
  const KEY = "smime-lifecycle.dashboard.token";
  const REFRESH_MS = 30_000;
  const byId = (id: string) => win.document.getElementById(id);
  const base = win.location.pathname.replace(/\/dashboard\/?$/i, "/");
  let users: Render.UserRow[] = [];

  const fragment = /(?:^#|&)token=([^&]+)/.exec(win.location.hash);
  if (fragment?.[1]) {
    win.sessionStorage.setItem(KEY, decodeURIComponent(fragment[1]));
    win.history.replaceState(null, "", win.location.pathname + win.location.search);
  }

  const say = (text: string) => {
    const status = byId("refresh-status");
    if (status) status.textContent = text;
  };
  const askForToken = (why: string) => {
    const form = byId("token-form");
    if (form) form.hidden = false;
    const message = byId("token-message");
    if (message) message.textContent = why;
  };
  const setMetric = (name: string, value: number | string) => {
    for (const el of Array.from(win.document.querySelectorAll(`[data-metric="${name}"]`)))
      el.textContent = String(value);
  };
  const put = (id: string, html: string) => {
    const el = byId(id);
    if (el) el.innerHTML = html;
  };

  const renderUsers = () => {
    const query = byId("upn-search")?.value ?? "";
    const shown = h.filterUsers(users, query);
    put("users-body", h.userRows(shown));
    setMetric("users.shown", shown.length);
  };

  const render = (data: Loaded) => {
    const s = data.status;
    const queues = Object.values(s.queues);
    const deadLetters = queues.reduce((n, q) => n + ("error" in q ? 0 : h.count(q.deadLetter)), 0);
    const soon = ["within1Day", "within7Days", "within14Days", "within30Days"];
    setMetric("certificates.total", h.count(s.certificates.total));
    for (const [state, n] of Object.entries(s.certificates.byState)) setMetric(`state.${state}`, h.count(n));
    setMetric(
      "expiring.30",
      soon.reduce((n, k) => n + h.count(s.expiring[k]), 0),
    );
    setMetric("users.notReady", data.users.length);
    setMetric("queues.deadLetter", deadLetters);
    setMetric("crls.down", s.crls.total - h.count(s.crls.byStatus["healthy"]));
    setMetric("generatedAt", h.shortTime(s.generatedAt));
    put("chart-states", h.barChartSvg("Certificates by state", h.stateBars(s.certificates.byState)));
    put(
      "chart-expiry",
      h.columnChartSvg("Certificates expiring per week", h.timelineColumns(s.expiryTimeline ?? [])),
    );
    put("chart-crls", h.barChartSvg("CRL endpoints by health", h.crlBars(s.crls.byStatus)));
    put("crls-body", h.crlRows(s.crls.endpoints));
    put("chart-queues", h.barChartSvg("Queue depth", h.queueBars(s.queues), 200));
    put("drift-body", h.driftRows(data.drift));
    put("events-body", h.eventRows(data.events));
    put(
      "last-runs",
      Object.entries(s.lastRuns)
        .map(([name, at]) => `<li>${h.escapeHtml(name)}: ${h.shortTime(at)}</li>`)
        .join(""),
    );
    users = data.users;
    renderUsers();
  };

  const read = async (path: string, token: string): Promise<unknown> => {
    const response = await win.fetch(base + path, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      cache: "no-store",
    });
    if (response.status === 401) throw new Error("401");
    if (response.status === 403) throw new Error("403");
    if (!response.ok) throw new Error(`the API answered ${response.status}`);
    return response.json();
  };

  const refresh = async () => {
    const token = win.sessionStorage.getItem(KEY);
    if (!token) return askForToken("Paste a bearer token with the SmimeLifecycle.Reader role.");
    say("Refreshing…");
    try {
      const [status, u, e, d] = await Promise.all([
        read("status", token),
        read("users?state=notReady&limit=1000", token),
        read("events?limit=50", token),
        read("events?type=policy.drifted&limit=20", token),
      ]);
      render({
        status: status as Loaded["status"],
        users: (u as { users: Render.UserRow[] }).users,
        events: (e as { events: Render.EventRow[] }).events,
        drift: (d as { events: Render.EventRow[] }).events,
      });
      const form = byId("token-form");
      if (form) form.hidden = true;
      win.document.getElementById("dashboard")!.hidden = false;
      say(`Updated ${h.shortTime((status as Loaded["status"]).generatedAt)}; refreshes every 30 s.`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (reason === "401") {
        win.sessionStorage.removeItem(KEY);
        return askForToken("The token was refused (expired or not for this API). Paste a new one.");
      }
      if (reason === "403") return askForToken("This token lacks the SmimeLifecycle.Reader role.");
      say(`Refresh failed: ${reason}. Retrying in 30 s.`);
    }
  };

  byId("token-form")?.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = byId("token-input");
    const token = (input?.value ?? "").trim().replace(/^Bearer\s+/i, "");
    if (input) input.value = "";
    if (token) win.sessionStorage.setItem(KEY, token);
    void refresh();
  });
  byId("upn-search")?.addEventListener("input", renderUsers);
  void refresh();
  win.setInterval(() => void refresh(), REFRESH_MS);
}
