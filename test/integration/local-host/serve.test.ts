/**
 * `smimectl serve` end to end, as a user runs it: a child process on a free port with its own data
 * directory, a token from `smimectl token`, a certificate from the host's demo CA registered over HTTP and
 * followed through the queue to `GET users`, then SIGTERM and exit 0; then a restart on the same data.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDemoCa } from "../../../shared/local/demo-ca.ts";
import { parseCrl } from "../../../shared/pki/crl.ts";
import { cliLauncher, REPO, runCli } from "../../support/cli.ts";

const DAY = 86_400_000;
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

interface HostProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the host wrote so far. */
  output(): string;
  /** Resolves with the exit status (null when killed by a signal). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `smimectl serve …` and waits for the banner's URL. */
async function startHost(args: readonly string[], env: Record<string, string> = {}): Promise<HostProcess> {
  const child = spawn(process.execPath, [await cliLauncher(), "serve", ...args], {
    cwd: REPO,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (b: Buffer) => (out += b.toString("utf8")));
  child.stderr?.on("data", (b: Buffer) => (out += b.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const look = () => {
      const m = /API\s+(http:\/\/127\.0\.0\.1:\d+)\/api/.exec(out);
      if (m?.[1]) {
        child.stdout?.off("data", look);
        resolve(m[1]);
      }
    };
    child.stdout?.on("data", look);
    void exited.then(({ code }) => reject(new Error(`the host exited (${code}) before starting:\n${out}`)));
  });
  return { child, url, output: () => out, exited };
}

async function token(dataDir: string, role: string): Promise<string> {
  const r = await runCli(["token", "--role", role, "--data", dataDir]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

async function getJson(url: string, bearer?: string): Promise<{ status: number; body: unknown }> {
  const r = await fetch(url, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  return { status: r.status, body: await r.json() };
}

/** Polls until `check` returns a value (the pipeline is asynchronous: HTTP → queue → processor). */
async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  limitMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface UserSummary {
  userPrincipalName: string;
  state: string;
  signingReady?: boolean;
  encryptionReady?: boolean;
}

const findUser = (url: string, bearer: string, upn: string, state: string) => async () => {
  const r = await getJson(`${url}/api/users`, bearer);
  const users = (r.body as { users?: UserSummary[] }).users ?? [];
  return users.find((u) => u.userPrincipalName === upn && u.state === state);
};

describe("smimectl serve", () => {
  let dataDir: string;
  let host: HostProcess;
  let admin: string;
  let trustPem: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "smime-serve-"));
    // The plain host: no Graph tenant, so the Graph timers stay off and nothing but the test feeds it.
    // `--demo` (the demo tenant) is covered by test/e2e/demo-start.e2e.test.ts.
    host = await startHost(["--port", "0", "--data", dataDir]);
  }, 90_000);

  afterAll(async () => {
    if (host.child.exitCode === null && host.child.signalCode === null) host.child.kill("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
  });

  it("answers GET health with every dependency ok, without a token", async () => {
    const r = await getJson(`${host.url}/api/health`);
    expect(r).toEqual({ status: 200, body: { status: "ok", checks: { tables: "ok", bus: "ok" } } });
  });

  it("refuses GET users without a token", async () => {
    expect((await getJson(`${host.url}/api/users`)).status).toBe(401);
  });

  it("registers a certificate over HTTP and shows its user ready in GET users", async () => {
    admin = await token(dataDir, "admin");
    const ca = await openDemoCa({ dir: join(dataDir, "demo-ca"), baseUrl: host.url, now: new Date() });
    trustPem = await readFile(ca.trustStorePath, "utf8");
    const now = Date.now();
    const leaf = await ca.issue({
      email: "alice@contoso.com",
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 365 * DAY),
    });
    const r = await fetch(`${host.url}/api/certificates`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${admin}`,
        "content-type": "application/json",
        traceparent: TRACEPARENT,
      },
      body: JSON.stringify({
        userPrincipalName: "alice@contoso.com",
        certificate: leaf.pem,
        purpose: "both",
      }),
    });
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ thumbprint: expect.stringMatching(/^[0-9A-F]{40}$/) });
    const alice = await eventually(
      findUser(host.url, admin, "alice@contoso.com", "ready"),
      "alice to be ready",
    );
    expect(alice).toMatchObject({ signingReady: true, encryptionReady: true });
  });

  it("serves the demo CA's CRLs that its certificates name", async () => {
    const ca = await openDemoCa({ dir: join(dataDir, "demo-ca"), baseUrl: host.url, now: new Date() });
    for (const url of [ca.crlUrls.issuing, ca.crlUrls.root]) {
      const r = await fetch(url.replace(/^http:\/\/127\.0\.0\.1:\d+/, host.url));
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe("application/pkix-crl");
      const der = new Uint8Array(await r.arrayBuffer());
      expect(() => parseCrl(der)).not.toThrow();
    }
  });

  it("logs JSON lines with invocation ids, and never the bearer token", () => {
    const lines = host
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const invocations = lines.filter(
      (l) => l.functionName === "onCertificateEvent" && typeof l.invocationId === "string",
    );
    expect(invocations.length).toBeGreaterThan(0);
    // The caller's trace reaches the queue invocation its request caused; requests without one get a new one.
    const traced = invocations.filter((l) => String(l.traceparent).includes(TRACE_ID));
    expect(traced.length).toBeGreaterThan(0);
    const untraced = invocations.filter((l) => !String(l.traceparent).includes(TRACE_ID));
    for (const l of untraced) expect(l.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(host.output()).not.toContain(admin);
  });

  it("stops on SIGTERM: drains, stops Azurite and exits 0", async () => {
    host.child.kill("SIGTERM");
    expect(await host.exited).toEqual({ code: 0, signal: null });
    expect(host.output()).toContain('"message":"stopped"');
  });

  it("restarts on the same data with the same demo CA and the users it had", async () => {
    const again = await startHost(["--port", "0", "--data", dataDir]);
    try {
      const ca = await openDemoCa({ dir: join(dataDir, "demo-ca"), baseUrl: again.url, now: new Date() });
      expect(await readFile(ca.trustStorePath, "utf8")).toBe(trustPem);
      const reader = await token(dataDir, "reader");
      expect(await findUser(again.url, reader, "alice@contoso.com", "ready")()).toBeDefined();
      const users = (await getJson(`${again.url}/api/users`, reader)).body as { users: UserSummary[] };
      expect(users.users.map((u) => u.userPrincipalName)).toEqual(["alice@contoso.com"]);
    } finally {
      again.child.kill("SIGTERM");
      expect(await again.exited).toEqual({ code: 0, signal: null });
    }
  }, 90_000);
});

describe("smimectl serve usage", () => {
  const cases: ReadonlyArray<{
    name: string;
    args: string[];
    status: number;
    stdout?: RegExp;
    stderr?: RegExp;
  }> = [
    {
      name: "--help",
      args: ["--help"],
      status: 0,
      stdout: /usage: smimectl serve \[--port 7071\] \[--data DIR\]/,
    },
    {
      name: "a port that is not a number",
      args: ["--port", "http"],
      status: 2,
      stderr: /--port must be a number/,
    },
    {
      name: "a port out of range",
      args: ["--port", "70000"],
      status: 2,
      stderr: /--port must be 0 to 65535/,
    },
    { name: "an unknown flag", args: ["--verbose"], status: 2, stderr: /--verbose/ },
  ];
  it.each(cases)("$name", async ({ args, status, stdout, stderr }) => {
    const r = await runCli(["serve", ...args]);
    expect(r.status).toBe(status);
    if (stdout) expect(r.stdout).toMatch(stdout);
    if (stderr) expect(r.stderr).toMatch(stderr);
  });
});

describe("smimectl serve with bad settings", () => {
  const cases: ReadonlyArray<{ name: string; env: Record<string, string>; named: RegExp[] }> = [
    {
      name: "malformed values, each named, before anything starts",
      env: { DRY_RUN: "perhaps", EXPIRY_THRESHOLDS_DAYS: "30,soon" },
      named: [/DRY_RUN: /, /EXPIRY_THRESHOLDS_DAYS: /],
    },
    {
      name: "a trust store that cannot be read",
      env: { TRUST_STORE_PATH: "/nonexistent/trust.sst" },
      named: [/TRUST_STORE_PATH: cannot be read/],
    },
  ];
  it.each(cases)("exits 2: $name", async ({ env, named }) => {
    const dataDir = await mkdtemp(join(tmpdir(), "smime-serve-bad-"));
    try {
      const child = spawn(
        process.execPath,
        [await cliLauncher(), "serve", "--port", "0", "--data", dataDir],
        {
          cwd: REPO,
          env: { ...process.env, ...env },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stderr = "";
      child.stderr?.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      expect(code).toBe(2);
      for (const pattern of named) expect(stderr).toMatch(pattern);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
