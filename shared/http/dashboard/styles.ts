/**
 * The dashboard's one stylesheet, inline (allowed by its hash alone). System fonts only; text colours keep at
 * least 4.5:1 contrast on their backgrounds, and status is never shown by colour alone (✓/✗ and a word).
 */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 1rem; padding: 0.75rem 1.25rem; background: #24292f; color: #fff; }
header h1 { margin: 0; font-size: 1.25rem; }
header p { margin: 0; color: #d0d7de; }
main { padding: 1rem 1.25rem; max-width: 1400px; }
h2 { margin: 0 0 0.5rem; font-size: 1rem; }
h3 { margin: 0.75rem 0 0.25rem; font-size: 0.9rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem 1rem; margin-bottom: 1rem; overflow-x: auto; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 0 1rem; }
.tiles { display: flex; flex-wrap: wrap; gap: 0.75rem; background: none; border: 0; padding: 0; }
.tile { flex: 1 1 160px; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem 0.9rem; }
.tile .num { display: block; font-size: 1.8rem; font-weight: 600; }
.tile .cap { color: var(--muted); }
.chart svg { max-width: 100%; height: auto; }
svg .lbl { font-size: 12px; fill: #1f2328; }
svg .val { font-size: 12px; font-weight: 600; fill: #1f2328; }
svg .sub { font-size: 10px; fill: #57606a; }
table { width: 100%; border-collapse: collapse; margin-top: 0.5rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); }
td.url { overflow-wrap: anywhere; min-width: 10rem; }
td.time { white-space: nowrap; }
.scroll { max-height: 380px; overflow-y: auto; margin-top: 0.5rem; }
.scroll table { margin-top: 0; }
.scroll thead th { position: sticky; top: 0; }
td.ok { color: #1a7f37; } td.bad { color: #a40e26; font-weight: 600; } td.unknown { color: var(--muted); }
td.empty { color: var(--muted); font-style: italic; }
td ul { margin: 0; padding-left: 1rem; }
td ul code { overflow-wrap: anywhere; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg); padding: 0 0.2rem; border-radius: 3px; }
.hint { color: var(--muted); }
.runs { margin: 0; padding-left: 1rem; color: var(--muted); }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
form { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem; max-width: 640px; }
form label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
input { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid #8c959f; border-radius: 4px; }
#token-input { width: 100%; margin-bottom: 0.5rem; }
button { font: inherit; padding: 0.4rem 0.9rem; border: 0; border-radius: 4px; background: #0969da; color: #fff; cursor: pointer; }
:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
`;
