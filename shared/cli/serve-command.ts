/**
 * `smimectl serve [--port 7071] [--data DIR]`: the whole pipeline in one process (what `npm start` runs).
 * Runs until SIGINT or SIGTERM, then drains and exits 0; a second signal exits at once.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConfigError } from "../config.ts";
import { type RunningHost, startLocalHost } from "../local/host.ts";
import { onShutdownSignals } from "../local/shutdown.ts";
import { ExitCode, UsageError } from "./usage-error.ts";

export const SERVE_USAGE = `usage: smimectl serve [--port 7071] [--data DIR] [--demo]

Runs every function of the pipeline in one process: the HTTP API on the port, timers, queue consumers on
a durable in-process bus, Table storage on an Azurite it starts. Data (Azurite, the bus, the demo CA, the
demo token issuer and the webhook's clientState) is kept under DIR (default: LOCAL_DATA_DIR, else .data).
--demo, with no GRAPH_* settings, runs against the demo tenant: a Graph look-alike on loopback with about
fifty users and their Intune certificates from the demo CA, which the Graph timers sync and whose changes
arrive as change notifications. Ctrl+C stops it cleanly.`;

const ServeArgs = z.object({
  port: z.coerce
    .number({ error: "--port must be a number" })
    .int("--port must be a whole number")
    .min(0, "--port must be 0 to 65535")
    .max(65535, "--port must be 0 to 65535"),
  data: z.string().min(1, "--data needs a directory").optional(),
  demo: z.boolean(),
  help: z.boolean(),
});

function parseServeArgs(argv: readonly string[]): z.infer<typeof ServeArgs> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: "string" },
        data: { type: "string" },
        demo: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${SERVE_USAGE}`);
  }
  const parsed = ServeArgs.safeParse({
    port: values.port ?? "7071",
    data: values.data,
    demo: values.demo ?? false,
    help: values.help ?? false,
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join("\n"));
  return parsed.data;
}

function demoLines(host: RunningHost): string[] {
  const tenant = host.demoTenant;
  if (!tenant) {
    const graph = host.graph ? host.graph.baseUrl : "none (set GRAPH_* or use --demo); Graph timers off";
    return [`  Graph        ${graph}`];
  }
  const users = tenant.dataset?.users.length ?? 0;
  const certificates = tenant.dataset?.certificates.length ?? 0;
  return [
    `  demo tenant  ${tenant.baseUrl}   (${users} users, ${certificates} certificates; Graph calls go here)`,
    `  demo users   synced within a minute; see them with:`,
    `               curl -H "Authorization: Bearer $(npx smimectl token --role reader${dataFlag(host)})" ${host.url}/api/users`,
  ];
}

const dataFlag = (host: RunningHost) => (host.dataDir.endsWith("/.data") ? "" : ` --data ${host.dataDir}`);

function banner(host: RunningHost): string {
  const trust = host.demoCa
    ? `demo CA (${host.demoCa.trustStorePath})`
    : (host.settings.trustStorePath ?? "");
  return [
    "smime-lifecycle local host",
    `  API          ${host.url}/api   (try: curl ${host.url}/api/health)`,
    `  data         ${host.dataDir}`,
    `  trust store  ${trust}`,
    `  token        npx smimectl token --role admin${dataFlag(host)}`,
    `  functions    ${host.functions.http} HTTP routes, ${host.functions.queues} queue consumers, ${host.functions.timers} timers`,
    ...demoLines(host),
    "Ctrl+C stops it (work in flight finishes first).",
    "",
  ].join("\n");
}

/**
 * Runs the local host until a signal stops it (the process then exits 0). A start-up failure (bad
 * settings, port in use) is exit 2 with the reason; `--help` resolves 0.
 */
export async function runServe(argv: readonly string[]): Promise<number> {
  const args = parseServeArgs(argv);
  if (args.help) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return ExitCode.READY;
  }
  let host: RunningHost;
  try {
    host = await startLocalHost({
      port: args.port,
      demo: args.demo,
      ...(args.data ? { dataDir: args.data } : {}),
    });
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UsageError(`port ${args.port} is in use; pick another with --port`);
    throw e;
  }
  process.stdout.write(banner(host));
  // Never resolves: after draining, the shutdown handler exits the process, so nothing left holding the
  // event loop (an SDK's keep-alive socket) can keep a stopped host alive.
  return new Promise<number>(() => {
    onShutdownSignals(host.stop, { logger: host.runtime.logger });
  });
}
