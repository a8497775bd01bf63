/**
 * The dashboard's pure rendering helpers: numbers in, escaped HTML and inline SVG out.
 *
 * They run in the browser: page.ts ships each exported function's own source (`Function.prototype.toString`)
 * inside the page's one inline script, so what the unit tests call is exactly what the browser runs. Hence
 * the rules of this file: no imports at run time (types only), no module-level values, and a helper may
 * call another only by its bare name (all of them are declared side by side in the page's script).
 *
 * Every value that comes from the API (a UPN, a display name, a CRL URL, an error text) goes through
 * `escapeHtml` before it meets markup: a UPN of `<script>…` must show as text, never run.
 */

/** One bar of a chart: its label, its value and its fill (a colour with ≥ 3:1 contrast on white). */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color: string;
}

/** A column of the timeline: the week's label under it, and a second line (its first day). */
export interface Column {
  readonly label: string;
  readonly sublabel: string;
  readonly value: number;
}

export interface UserRow {
  readonly userPrincipalName: string;
  readonly displayName?: string;
  readonly signingReady?: boolean;
  readonly encryptionReady?: boolean;
  readonly reasons: readonly string[];
}

export interface CrlRow {
  readonly url: string;
  readonly status: string;
  readonly lastCheckedAt?: string;
  readonly downSince?: string;
  readonly lastError?: string;
}

export interface EventRow {
  readonly event: {
    readonly id: string;
    readonly type: string;
    readonly time?: string;
    readonly subject?: string;
    readonly userid?: string;
    readonly data?: Readonly<Record<string, unknown>>;
  };
  readonly recordedAt: string;
}

export type QueueRow =
  | { readonly active: number; readonly scheduled: number; readonly deadLetter: number }
  | { readonly error: string };

/** Text safe inside HTML elements and quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;",
  );
}

/** A finite, non-negative whole number, whatever arrived (a chart never draws NaN or a negative bar). */
export function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** "2026-11-28T18:30:31.006Z" → "2026-11-28 18:30Z": fixed, locale-free, readable. */
export function shortTime(iso: unknown): string {
  if (typeof iso !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso)) return "—";
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

/**
 * A horizontal bar chart: one row per bar, its label left, its value right of the bar. The SVG is an image
 * to assistive technology, named by a `<title>` that reads out every number.
 */
export function barChartSvg(title: string, bars: readonly Bar[], labelWidth = 120): string {
  const row = 26;
  const area = 260;
  const width = labelWidth + area + 60;
  const height = Math.max(1, bars.length) * row + 4;
  const max = Math.max(1, ...bars.map((b) => count(b.value)));
  const summary = bars.map((b) => `${b.label} ${count(b.value)}`).join(", ");
  const rows = bars.map((b, i) => {
    const y = i * row + 4;
    const w = count(b.value) === 0 ? 0 : Math.max(2, Math.round((count(b.value) / max) * area));
    return (
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" class="lbl">${escapeHtml(b.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 2}" width="${w}" height="${row - 8}" rx="3" fill="${escapeHtml(b.color)}"/>` +
      `<text x="${labelWidth + w + 6}" y="${y + 15}" class="val">${count(b.value)}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `<title>${escapeHtml(`${title}: ${summary}`)}</title>${rows.join("")}</svg>`
  );
}

/** A column chart (the expiry timeline): one column per week, its count above it, its week below. */
export function columnChartSvg(title: string, columns: readonly Column[]): string {
  const col = 44;
  const plot = 120;
  const top = 18;
  const width = Math.max(1, columns.length) * col + 8;
  const height = top + plot + 36;
  const max = Math.max(1, ...columns.map((c) => count(c.value)));
  const summary = columns.map((c) => `${c.label} (${c.sublabel}) ${count(c.value)}`).join(", ");
  const cells = columns.map((c, i) => {
    const x = i * col + 8;
    const h = count(c.value) === 0 ? 0 : Math.max(2, Math.round((count(c.value) / max) * plot));
    const y = top + plot - h;
    return (
      `<rect x="${x}" y="${y}" width="${col - 10}" height="${h}" rx="3" fill="#9a6700"/>` +
      `<text x="${x + (col - 10) / 2}" y="${y - 4}" text-anchor="middle" class="val">${count(c.value)}</text>` +
      `<text x="${x + (col - 10) / 2}" y="${top + plot + 14}" text-anchor="middle" class="lbl">${escapeHtml(c.label)}</text>` +
      `<text x="${x + (col - 10) / 2}" y="${top + plot + 28}" text-anchor="middle" class="sub">${escapeHtml(c.sublabel)}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `<title>${escapeHtml(`${title}: ${summary}`)}</title>` +
    `<line x1="4" y1="${top + plot}" x2="${width - 4}" y2="${top + plot}" stroke="#57606a"/>${cells.join("")}</svg>`
  );
}

/** Certificates by lifecycle state, in the order ops read them: good, needs attention, gone. */
export function stateBars(byState: Readonly<Record<string, unknown>>): Bar[] {
  const palette: [string, string, string][] = [
    ["valid", "Valid", "#1a7f37"],
    ["expiring", "Expiring", "#9a6700"],
    ["discovered", "Discovered", "#0969da"],
    ["invalid", "Invalid", "#bc4c00"],
    ["expired", "Expired", "#cf222e"],
    ["revoked", "Revoked", "#82071e"],
    ["removed", "Removed", "#6e7781"],
  ];
  return palette.map(([key, label, color]) => ({ label, value: count(byState[key]), color }));
}

/** CRL endpoints by health. */
export function crlBars(byStatus: Readonly<Record<string, unknown>>): Bar[] {
  return [
    { label: "Healthy", value: count(byStatus["healthy"]), color: "#1a7f37" },
    { label: "Unreachable", value: count(byStatus["unreachable"]), color: "#cf222e" },
    { label: "Stale", value: count(byStatus["stale"]), color: "#9a6700" },
    { label: "Invalid", value: count(byStatus["invalid"]), color: "#82071e" },
  ];
}

/** Per queue: messages waiting (active and scheduled) and dead letters; an unreadable depth counts 0. */
export function queueBars(queues: Readonly<Record<string, QueueRow>>): Bar[] {
  return Object.entries(queues).flatMap(([name, q]) =>
    "error" in q
      ? []
      : [
          { label: `${name} waiting`, value: count(q.active) + count(q.scheduled), color: "#0969da" },
          { label: `${name} dead`, value: count(q.deadLetter), color: "#cf222e" },
        ],
  );
}

/** The timeline's columns: "wk 1" … with each week's first day as MM-DD. */
export function timelineColumns(weeks: readonly { from: string; count: number }[]): Column[] {
  return weeks.map((w, i) => ({
    label: `wk ${i + 1}`,
    sublabel: String(w.from).slice(5, 10),
    value: w.count,
  }));
}

/** Users whose UPN contains the query, case-insensitively; an empty query keeps everyone. */
export function filterUsers<T extends { readonly userPrincipalName: string }>(
  users: readonly T[],
  query: string,
): T[] {
  const q = query.trim().toLowerCase();
  return q === "" ? [...users] : users.filter((u) => u.userPrincipalName.toLowerCase().includes(q));
}

/** A purpose's readiness as a word and a mark (never colour alone). */
export function readyCell(ready: boolean | undefined): string {
  if (ready === undefined) return `<td class="unknown">? unknown</td>`;
  return ready ? `<td class="ok">✓ ready</td>` : `<td class="bad">✗ not ready</td>`;
}

/** The not-ready users' table rows. */
export function userRows(users: readonly UserRow[]): string {
  if (users.length === 0) return `<tr><td colspan="5" class="empty">No users match.</td></tr>`;
  return users
    .map(
      (u) =>
        `<tr data-upn="${escapeHtml(u.userPrincipalName)}"><td class="upn">${escapeHtml(u.userPrincipalName)}</td>` +
        `<td>${escapeHtml(u.displayName ?? "")}</td>${readyCell(u.signingReady)}${readyCell(u.encryptionReady)}` +
        `<td>${u.reasons.map((r) => `<code>${escapeHtml(r)}</code>`).join(" ")}</td></tr>`,
    )
    .join("");
}

/** The CRL endpoints' table rows, the unhealthy first. */
export function crlRows(endpoints: readonly CrlRow[]): string {
  if (endpoints.length === 0)
    return `<tr><td colspan="4" class="empty">No CRL endpoint checked yet.</td></tr>`;
  const sorted = [...endpoints].sort(
    (a, b) => Number(a.status === "healthy") - Number(b.status === "healthy"),
  );
  return sorted
    .map(
      (c) =>
        `<tr><td class="url">${escapeHtml(c.url)}</td>` +
        `<td class="${c.status === "healthy" ? "ok" : "bad"}">${c.status === "healthy" ? "✓" : "✗"} ${escapeHtml(c.status)}</td>` +
        `<td>${shortTime(c.lastCheckedAt)}${c.downSince ? ` (down since ${shortTime(c.downSince)})` : ""}</td>` +
        `<td>${escapeHtml(c.lastError ?? "")}</td></tr>`,
    )
    .join("");
}

/** Who or what an event is about, for the events table. */
export function eventSubject(row: EventRow): string {
  const data = row.event.data ?? {};
  const upn = data["userPrincipalName"];
  return String(typeof upn === "string" ? upn : (row.event.subject ?? row.event.userid ?? ""));
}

/** The recent events' table rows. */
export function eventRows(events: readonly EventRow[]): string {
  if (events.length === 0) return `<tr><td colspan="3" class="empty">No events yet.</td></tr>`;
  return events
    .map(
      (e) =>
        `<tr><td class="time">${shortTime(e.event.time ?? e.recordedAt)}</td><td><code>${escapeHtml(e.event.type)}</code></td>` +
        `<td>${escapeHtml(eventSubject(e))}</td></tr>`,
    )
    .join("");
}

/** The policy drift table rows: one per drifted policy, each difference as key: expected → actual. */
export function driftRows(events: readonly EventRow[]): string {
  const drifted = events.filter((e) => e.event.type === "policy.drifted");
  if (drifted.length === 0) return `<tr><td colspan="4" class="empty">No drift observed.</td></tr>`;
  return drifted
    .map((e) => {
      const d = e.event.data ?? {};
      const diffs = Array.isArray(d["differences"]) ? (d["differences"] as Record<string, unknown>[]) : [];
      const list = diffs
        .map(
          (x) =>
            `<li><code>${escapeHtml(x["key"])}</code>: ${escapeHtml(JSON.stringify(x["expected"] ?? null))} → ${escapeHtml(JSON.stringify(x["actual"] ?? null))}</li>`,
        )
        .join("");
      return (
        `<tr><td>${escapeHtml(d["platform"])}</td><td class="url">${escapeHtml(d["policyId"])}</td>` +
        `<td><ul>${list}</ul></td><td class="time">${shortTime(d["observedAt"])}</td></tr>`
      );
    })
    .join("");
}
