/**
 * The dashboard as one HTML document: markup, inline CSS, and one inline script built from the sources of
 * render.ts and client.ts. Nothing is loaded from anywhere else, and the Content-Security-Policy says so to
 * the browser: the script and the style are allowed by their SHA-256 alone, the page may only call its own
 * origin's API, and it may not be framed. The document is static (no data, no token in it), so it is built
 * once per process.
 */
import { createHash } from "node:crypto";
import { boot } from "./client.ts";
import * as render from "./render.ts";
import { DASHBOARD_CSS } from "./styles.ts";

/** The page's one script: every render helper, declared side by side, then `boot(window, helpers)`. */
export function dashboardScript(): string {
  // Every export of render.ts is a helper (its types vanish at run time).
  const helpers = Object.entries(render).filter(([, value]) => typeof value === "function");
  const names = helpers.map(([name]) => name);
  return [
    '"use strict";',
    "(() => {",
    ...helpers.map(([, fn]) => fn.toString()),
    boot.toString(),
    `boot(window, { ${names.join(", ")} });`,
    "})();",
  ].join("\n");
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The policy for a page whose only script and style are `script` and `style`. */
export function contentSecurityPolicy(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "img-src data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export interface DashboardPage {
  readonly html: string;
  readonly contentSecurityPolicy: string;
}

let built: DashboardPage | undefined;

/** The document and its policy, built on first use. */
export function dashboardPage(): DashboardPage {
  if (built) return built;
  const script = dashboardScript();
  built = {
    html: documentHtml(DASHBOARD_CSS, script),
    contentSecurityPolicy: contentSecurityPolicy(script, DASHBOARD_CSS),
  };
  return built;
}

const tile = (metric: string, label: string) =>
  `<div class="tile"><span class="num" data-metric="${metric}">–</span><span class="cap">${label}</span></div>`;

function documentHtml(style: string, script: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>S/MIME lifecycle — operations dashboard</title>
<style>${style}</style>
</head>
<body>
<header>
  <h1>S/MIME lifecycle — operations</h1>
  <p id="refresh-status" role="status" aria-live="polite">Loading…</p>
</header>
<main>
<form id="token-form" hidden aria-labelledby="token-heading">
  <h2 id="token-heading">Sign in</h2>
  <p id="token-message"></p>
  <label for="token-input">Bearer token (SmimeLifecycle.Reader)</label>
  <input id="token-input" type="password" autocomplete="off" spellcheck="false" required>
  <button type="submit">Show the dashboard</button>
  <p class="hint">Locally: <code>npx smimectl token --role reader</code>. In Azure: an Entra ID access token for
  this API's audience. It is kept in this tab only (sessionStorage).</p>
</form>
<div id="dashboard" hidden>
<section aria-label="Summary" class="tiles">
  ${tile("certificates.total", "certificates")}
  ${tile("expiring.30", "expire within 30 days")}
  ${tile("users.notReady", "users not ready")}
  ${tile("crls.down", "CRL endpoints not healthy")}
  ${tile("queues.deadLetter", "dead letters")}
</section>
<div class="grid">
<section aria-labelledby="h-states"><h2 id="h-states">Certificates by state</h2><div id="chart-states" class="chart"></div></section>
<section aria-labelledby="h-expiry"><h2 id="h-expiry">Expiring in the next 90 days, per week</h2><div id="chart-expiry" class="chart"></div></section>
<section aria-labelledby="h-queues"><h2 id="h-queues">Queues and dead letters</h2><div id="chart-queues" class="chart"></div>
  <h3>Last runs</h3><ul id="last-runs" class="runs"></ul></section>
<section aria-labelledby="h-crls"><h2 id="h-crls">CRL endpoint health</h2><div id="chart-crls" class="chart"></div>
  <table><caption class="sr">CRL endpoints</caption><thead><tr><th scope="col">URL</th><th scope="col">Status</th><th scope="col">Last checked</th><th scope="col">Last error</th></tr></thead><tbody id="crls-body"></tbody></table></section>
</div>
<section aria-labelledby="h-users"><h2 id="h-users">Users not ready</h2>
  <p><label for="upn-search">Search by UPN</label> <input id="upn-search" type="search" autocomplete="off">
  <span class="hint"><span data-metric="users.shown">0</span> of <span data-metric="users.notReady">0</span> shown</span></p>
  <div class="scroll" tabindex="0" role="region" aria-label="Users not ready (scrollable)"><table id="users-table"><caption class="sr">Users not ready, with their reasons</caption><thead><tr><th scope="col">UPN</th><th scope="col">Name</th><th scope="col">Signing</th><th scope="col">Encryption</th><th scope="col">Reasons</th></tr></thead><tbody id="users-body"></tbody></table></div></section>
<div class="grid">
<section aria-labelledby="h-drift"><h2 id="h-drift">Policy drift</h2>
  <table><caption class="sr">Outlook app configuration policies that drifted</caption><thead><tr><th scope="col">Platform</th><th scope="col">Policy</th><th scope="col">Differences</th><th scope="col">Observed</th></tr></thead><tbody id="drift-body"></tbody></table></section>
<section aria-labelledby="h-events"><h2 id="h-events">Recent events</h2>
  <div class="scroll" tabindex="0" role="region" aria-label="Recent events (scrollable)"><table><caption class="sr">The 50 newest events</caption><thead><tr><th scope="col">Time</th><th scope="col">Type</th><th scope="col">About</th></tr></thead><tbody id="events-body"></tbody></table></div></section>
</div>
<p class="hint">Status generated <span data-metric="generatedAt">–</span>.</p>
</div>
</main>
<script>${script}</script>
</body>
</html>
`;
}
