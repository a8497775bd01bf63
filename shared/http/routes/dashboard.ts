/**
 * `GET /api/dashboard` (anonymous): the ops dashboard, one static HTML document (dashboard/page.ts).
 *
 * Anonymous because a browser's navigation carries no bearer header; the page holds no data. It reads
 * `GET status`, `GET users` and `GET events` itself with a Reader token the operator gives it, so the data
 * stays behind the same token checks as every other read. Its headers forbid anything from elsewhere
 * (Content-Security-Policy), sniffing, framing and referrers.
 */

import type { Handler } from "../api.ts";
import { dashboardPage } from "../dashboard/page.ts";
import type { Route } from "../router.ts";

export const getDashboard: Handler = async () => {
  const page = dashboardPage();
  return {
    status: 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": page.contentSecurityPolicy,
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "referrer-policy": "no-referrer",
    },
    body: page.html,
  };
};

export const dashboardRoute = (): Route => ({
  name: "getDashboard",
  method: "GET",
  path: "dashboard",
  access: "anonymous",
  handle: getDashboard,
});
