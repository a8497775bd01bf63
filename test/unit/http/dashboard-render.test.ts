/**
 * The dashboard's rendering helpers (shared/http/dashboard/render.ts): the SVG charts drawn from numbers,
 * the tables, the UPN filter, and escaping of everything that comes from the API.
 */
import { describe, expect, it } from "vitest";
import {
  barChartSvg,
  columnChartSvg,
  count,
  crlRows,
  driftRows,
  type EventRow,
  escapeHtml,
  eventRows,
  filterUsers,
  queueBars,
  shortTime,
  stateBars,
  timelineColumns,
  type UserRow,
  userRows,
} from "../../../shared/http/dashboard/render.ts";

const HOSTILE = `<script>alert(1)</script><img src=x onerror="alert(2)">`;

const user = (upn: string, extra: Partial<UserRow> = {}): UserRow => ({
  userPrincipalName: upn,
  signingReady: false,
  encryptionReady: true,
  reasons: ["EXPIRED"],
  ...extra,
});

const event = (type: string, data: Record<string, unknown>, subject?: string): EventRow => ({
  event: { id: `id-${type}`, type, time: "2026-03-01T10:15:30.000Z", ...(subject && { subject }), data },
  recordedAt: "2026-03-01T10:15:31.000Z",
});

/** The widths of a bar chart's bars, in order. */
const widths = (svg: string) => [...svg.matchAll(/<rect [^>]*width="(\d+)"/g)].map((m) => Number(m[1]));

describe("escapeHtml", () => {
  it.each([
    ["markup", "<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"],
    ["quotes for attributes", `a"b'c`, "a&quot;b&#39;c"],
    ["ampersand first, so nothing is double-decoded", "&lt;", "&amp;lt;"],
    ["undefined as empty", undefined, ""],
    ["numbers as text", 42, "42"],
  ])("%s", (_name, input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });
});

describe("count and shortTime", () => {
  it.each([
    ["a whole number", 7, 7],
    ["a fraction, down", 2.9, 2],
    ["negative as 0", -3, 0],
    ["NaN as 0", Number.NaN, 0],
    ["a string as 0", "12", 0],
  ])("count: %s", (_name, input, expected) => {
    expect(count(input)).toBe(expected);
  });

  it.each([
    ["an ISO time", "2026-11-28T18:30:31.006Z", "2026-11-28 18:30Z"],
    ["null (never ran)", null, "—"],
    ["garbage", "<b>", "—"],
  ])("shortTime: %s", (_name, input, expected) => {
    expect(shortTime(input)).toBe(expected);
  });
});

describe("barChartSvg", () => {
  it("draws bars proportional to the values, the largest across the whole area", () => {
    const svg = barChartSvg("States", [
      { label: "Valid", value: 40, color: "#1a7f37" },
      { label: "Expired", value: 10, color: "#cf222e" },
      { label: "Revoked", value: 0, color: "#82071e" },
    ]);
    expect(widths(svg)).toEqual([260, 65, 0]);
    expect(svg).toContain("<title>States: Valid 40, Expired 10, Revoked 0</title>");
    expect(svg).toMatch(/^<svg [^>]*role="img"/);
  });

  it("draws a tiny value as at least a sliver, and all zeros without dividing by zero", () => {
    expect(
      widths(
        barChartSvg("t", [
          { label: "a", value: 1000, color: "#000" },
          { label: "b", value: 1, color: "#000" },
        ]),
      ),
    ).toEqual([260, 2]);
    expect(widths(barChartSvg("t", [{ label: "a", value: 0, color: "#000" }]))).toEqual([0]);
  });

  it("escapes labels and title, so a hostile label is text", () => {
    const svg = barChartSvg(HOSTILE, [{ label: HOSTILE, value: 1, color: `"/><script>` }]);
    expect(svg).not.toMatch(/<script|<img/i);
    expect(svg).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});

describe("columnChartSvg and timelineColumns", () => {
  const weeks = [
    { from: "2026-03-01T00:00:00.000Z", count: 4 },
    { from: "2026-03-08T00:00:00.000Z", count: 0 },
    { from: "2026-03-15T00:00:00.000Z", count: 2 },
  ];

  it("labels each week by number and first day", () => {
    expect(timelineColumns(weeks)).toEqual([
      { label: "wk 1", sublabel: "03-01", value: 4 },
      { label: "wk 2", sublabel: "03-08", value: 0 },
      { label: "wk 3", sublabel: "03-15", value: 2 },
    ]);
  });

  it("draws columns proportional to the counts, with the counts written above", () => {
    const svg = columnChartSvg("Expiring", timelineColumns(weeks));
    const heights = [...svg.matchAll(/<rect [^>]*height="(\d+)"/g)].map((m) => Number(m[1]));
    expect(heights).toEqual([120, 0, 60]);
    expect([...svg.matchAll(/class="val">(\d+)</g)].map((m) => m[1])).toEqual(["4", "0", "2"]);
    expect(svg).toContain("wk 1 (03-01) 4");
  });
});

describe("stateBars and queueBars", () => {
  it("orders every lifecycle state, a missing one as 0", () => {
    const bars = stateBars({ valid: 5, expired: 2, revoked: 1 });
    expect(bars.map((b) => [b.label, b.value])).toEqual([
      ["Valid", 5],
      ["Expiring", 0],
      ["Discovered", 0],
      ["Invalid", 0],
      ["Expired", 2],
      ["Revoked", 1],
      ["Removed", 0],
    ]);
  });

  it("shows waiting and dead-lettered messages per queue, and leaves out an unreadable depth", () => {
    const bars = queueBars({
      "certificate-events": { active: 3, scheduled: 2, deadLetter: 1 },
      reprovision: { error: "no Manage right" },
    });
    expect(bars.map((b) => [b.label, b.value])).toEqual([
      ["certificate-events waiting", 5],
      ["certificate-events dead", 1],
    ]);
  });
});

describe("users: filter and table", () => {
  const users = [user("alice@contoso.com"), user("bob@contoso.com"), user("ALVA@fabrikam.com")];

  it.each([
    ["empty query keeps all", "", ["alice@contoso.com", "bob@contoso.com", "ALVA@fabrikam.com"]],
    ["part of a UPN, any case", "AL", ["alice@contoso.com", "ALVA@fabrikam.com"]],
    ["the domain", "fabrikam", ["ALVA@fabrikam.com"]],
    ["spaces around are ignored", "  bob ", ["bob@contoso.com"]],
    ["no match", "zed", []],
  ])("filterUsers: %s", (_name, query, expected) => {
    expect(filterUsers(users, query).map((u) => u.userPrincipalName)).toEqual(expected);
  });

  it("writes readiness as a mark and a word, and every reason", () => {
    const html = userRows([user("alice@contoso.com", { reasons: ["EXPIRED", "CRL_UNREACHABLE"] })]);
    expect(html).toContain('<td class="bad">✗ not ready</td><td class="ok">✓ ready</td>');
    expect(html).toContain("<code>EXPIRED</code> <code>CRL_UNREACHABLE</code>");
  });

  it("escapes a hostile UPN, display name and reason: no element comes out of them", () => {
    const html = userRows([user(HOSTILE, { displayName: HOSTILE, reasons: [HOSTILE] })]);
    expect(html).not.toMatch(/<script|<img|onerror="/i);
    expect(html).toContain(
      `data-upn="&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;"`,
    );
  });

  it("says so when nobody matches", () => {
    expect(userRows([])).toContain("No users match.");
  });
});

describe("CRL, drift and event tables", () => {
  it("lists unhealthy CRL endpoints first, with the outage's start and the error escaped", () => {
    const html = crlRows([
      { url: "http://crl.contoso.com/ok.crl", status: "healthy", lastCheckedAt: "2026-03-01T10:00:00Z" },
      {
        url: "http://crl.contoso.com/down.crl",
        status: "unreachable",
        lastCheckedAt: "2026-03-01T10:00:00Z",
        downSince: "2026-03-01T08:00:00Z",
        lastError: HOSTILE,
      },
    ]);
    expect(html.indexOf("down.crl")).toBeLessThan(html.indexOf("ok.crl"));
    expect(html).toContain("(down since 2026-03-01 08:00Z)");
    expect(html).not.toMatch(/<script|<img/i);
  });

  it("shows each drifted policy's differences as expected → actual", () => {
    const html = driftRows([
      event("certificate.discovered", {}),
      event("policy.drifted", {
        platform: "android",
        policyId: "p-1",
        differences: [
          { key: "SMIMEEnabled", expected: true, actual: false },
          { key: "CertsFromIntune", expected: true },
        ],
        observedAt: "2026-03-01T09:00:00.000Z",
      }),
    ]);
    expect(html).toContain("<code>SMIMEEnabled</code>: true → false");
    expect(html).toContain("<code>CertsFromIntune</code>: true → null");
    expect(html.match(/<tr>/g)).toHaveLength(1);
  });

  it("names an event by its user's UPN, else its subject", () => {
    const html = eventRows([
      event("certificate.discovered", { userPrincipalName: "alice@contoso.com" }, "THUMB"),
      event("crl.unreachable", {}, "http://crl.contoso.com/x.crl"),
    ]);
    expect(html).toContain("<td>alice@contoso.com</td>");
    expect(html).toContain("<td>http://crl.contoso.com/x.crl</td>");
    expect(html).toContain(`<td class="time">2026-03-01 10:15Z</td>`);
  });
});
