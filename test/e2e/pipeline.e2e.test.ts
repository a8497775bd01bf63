/**
 * The lifecycle pipeline end to end on the local host (issue 3, "Done when"): `smimectl serve` in a child
 * process with 10% of queue handler invocations failing on purpose (SMIME_FAULT_RATE), 1,000 certificates
 * of 300 users registered concurrently over HTTP, a `kill -9` of the host while messages are in flight, a
 * restart on the same data directory, then every promise checked against what the host answered over HTTP
 * and what it left in its tables and its bus journal.
 *
 * The certificates chain to the host's own demo CA: the test opens the CA's folder before the first start
 * (as `smimectl serve` would on first start), signs leaves with its issuing key, and puts the revoked ones on
 * its CRL, which the host then serves. The poison message is put on the queue through the bus's own API before
 * the host starts — the one moment the journal has no owner — since the HTTP API (rightly) cannot publish a
 * malformed event.
 *
 * About 30-60 s on two idle cores (`npx vitest run test/e2e/pipeline.e2e.test.ts`); the generous timeouts are
 * for a machine busy with the rest of the suite. On failure, the host's log tail is in the error.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliLauncher } from "../support/cli.ts";
import {
  type ApiClient,
  apiClient,
  type EventLine,
  queueDepth,
  type StatusBody,
  type UserLine,
} from "./api-client.ts";
import { type PreparedDataDir, prepareDataDir } from "./first-start.ts";
import { type HostExit, type HostProcess, logEntries, sleep, startHost, tail } from "./host-process.ts";
import {
  CERTIFICATE_EVENTS_QUEUE,
  publishPoisonMessage,
  type RegistrationRun,
  readDeadLetters,
  readStoredState,
  registerConcurrently,
  type StoredState,
  waitUntilProcessed,
} from "./pipeline-driver.ts";
import { KINDS, registrationBody } from "./workload.ts";

const CERTIFICATES = 1_000;
const USERS = 300;
const FAULT_RATE = "0.1";
/** Registrations in flight at once. */
const CONCURRENCY = 32;
/** The first certificates are registered twice, the second request right behind the first (concurrently). */
const CONCURRENT_DUPLICATES = 100;
/** Certificates registered once more after everything was processed. */
const LATE_DUPLICATES = 20;
/** The host is killed once this share of the registrations is answered and messages wait in the queue. */
const KILL_AFTER_SHARE = 0.4;

/** The host's data directory as a first start would leave it, plus the poison the test planted there. */
interface Prepared extends PreparedDataDir {
  readonly poisonId: string;
}

/** What happened, gathered once by `beforeAll` and checked by each case. */
interface Run extends Prepared {
  readonly registrations: readonly { status: number; thumbprint?: string; retries: number }[];
  readonly lateDuplicates: readonly { status: number; thumbprint?: string }[];
  readonly kill: { readonly exit: HostExit; readonly accepted: number; readonly statusBefore: StatusBody };
  readonly finalStatus: StatusBody;
  readonly discoveredOverHttp: readonly EventLine[];
  readonly usersOverHttp: readonly UserLine[];
  readonly gracefulExit: HostExit;
  readonly stored: StoredState;
  readonly deadLetters: Awaited<ReturnType<typeof readDeadLetters>>;
  /** What both hosts logged about the poison message. */
  readonly poisonLog: readonly Record<string, unknown>[];
}

const progress = (message: string) => process.stdout.write(`[e2e pipeline] ${message}\n`);

let root: string;
let run: Run;

/** Before the first start: the demo CA, the leaves, the token, and a poison message already on the queue. */
async function prepare(): Promise<Prepared> {
  root = await mkdtemp(join(tmpdir(), "smime-e2e-"));
  const prepared = await prepareDataDir({
    dataDir: join(root, "data"),
    certificates: CERTIFICATES,
    users: USERS,
    admin: "e2e-admin@contoso.test",
  });
  const poisonId = await publishPoisonMessage(join(prepared.dataDir, "bus"), new Date());
  return { ...prepared, poisonId };
}

async function scenario(): Promise<Run> {
  const prepared = await prepare();
  const { dataDir, workload } = prepared;
  const launcher = await cliLauncher();
  const hostOptions = (n: number) => ({
    launcher,
    port: prepared.port,
    dataDir,
    env: { SMIME_FAULT_RATE: FAULT_RATE, LOG_LEVEL: "info" },
    logFile: join(root, `host-${n}.log`),
  });
  let host: HostProcess = await startHost(hostOptions(1));
  const api = apiClient(host.url, prepared.token);
  try {
    const bodies = workload.certificates.flatMap((c) =>
      c.index < CONCURRENT_DUPLICATES ? [registrationBody(c), registrationBody(c)] : [registrationBody(c)],
    );
    progress(
      `registering ${bodies.length} certificates, ${Number(FAULT_RATE) * 100}% of handler invocations failing`,
    );
    const registering = registerConcurrently(api, bodies, { concurrency: CONCURRENCY });
    const kill = await killMidRun(host, api, registering);
    const waiting = queueDepth(kill.statusBefore, CERTIFICATE_EVENTS_QUEUE).active;
    progress(
      `killed the host (-9): ${kill.accepted} registrations accepted, ${waiting} messages queued; restarting`,
    );
    host = await startHost(hostOptions(2));
    const registrations = await registering.done;
    await waitUntilProcessed(api, { certificates: CERTIFICATES, deadLetters: 1, timeoutMs: 180_000 });
    const late = await registerConcurrently(
      api,
      workload.certificates.slice(-LATE_DUPLICATES).map(registrationBody),
      {
        concurrency: CONCURRENCY,
      },
    ).done;
    const observed = await observeOverHttp(api);
    const gracefulExit = await host.stop();
    progress("processed; reading the tables and the bus journal the host left");
    return {
      ...prepared,
      registrations,
      lateDuplicates: late,
      kill,
      ...observed,
      gracefulExit,
      stored: await readStoredState(dataDir),
      deadLetters: await readDeadLetters(join(dataDir, "bus")),
      poisonLog: [1, 2].flatMap((n) =>
        logEntries(hostOptions(n).logFile).filter((e) => e["messageId"] === prepared.poisonId),
      ),
    };
  } catch (error) {
    await host.kill9().catch(() => undefined);
    throw new Error(`${(error as Error).message}\n--- host log (tail) ---\n${tail(host.logFile)}`);
  }
}

/** What the API answers once everything (the late duplicates too) is processed. */
async function observeOverHttp(api: ApiClient) {
  const finalStatus = await waitUntilProcessed(api, {
    certificates: CERTIFICATES,
    deadLetters: 1,
    timeoutMs: 60_000,
  });
  return {
    finalStatus,
    discoveredOverHttp: await api.events({ type: "certificate.discovered", limit: 1000 }),
    usersOverHttp: await api.users({ limit: 1000 }),
  };
}

/**
 * Waits until `share` of the registrations are accepted and the status shows messages waiting or in
 * progress on certificate-events, then kills the host with SIGKILL (and waits for its Azurite to save and exit).
 */
async function killMidRun(host: HostProcess, api: ApiClient, registering: RegistrationRun) {
  const deadline = Date.now() + 120_000;
  while (registering.answered() < registering.total * KILL_AFTER_SHARE) {
    if (Date.now() > deadline)
      throw new Error(`only ${registering.answered()} registrations answered in 120 s`);
    await sleep(20);
  }
  for (;;) {
    const statusBefore = await api.status();
    if (queueDepth(statusBefore, CERTIFICATE_EVENTS_QUEUE).active > 0) {
      const accepted = registering.accepted();
      return { exit: await host.kill9(), accepted, statusBefore };
    }
    if (registering.answered() === registering.total)
      throw new Error("the queue drained before the host could be killed mid-run");
    await sleep(20);
  }
}

const lines = <L extends { event: { type: string } }>(ledger: readonly L[], type: string): L[] =>
  ledger.filter((l) => l.event.type === type);
const thumbprintOf = (line: { event: { data: unknown } }) =>
  String((line.event.data as { thumbprint?: unknown }).thumbprint);

describe("the lifecycle pipeline on the local host, end to end", () => {
  beforeAll(async () => {
    run = await scenario();
  }, 420_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("accepts every registration, answering each certificate's thumbprint", () => {
    const { registrations, lateDuplicates, workload } = run;
    expect(registrations.filter((r) => r.status !== 202)).toEqual([]);
    expect(lateDuplicates.map((r) => r.status)).toEqual(lateDuplicates.map(() => 202));
    const known = registrations.filter((r) => r.thumbprint && workload.byThumbprint.has(r.thumbprint));
    expect(known).toHaveLength(registrations.length);
  });

  it("ends every certificate in its right state", () => {
    const { stored, workload, finalStatus } = run;
    const wrong = stored.certificates
      .map((r) => ({
        thumbprint: r.thumbprint,
        state: r.state,
        kind: workload.byThumbprint.get(r.thumbprint)?.kind,
      }))
      .filter((r) => r.kind === undefined || KINDS[r.kind].state !== r.state);
    expect(wrong).toEqual([]);
    expect(stored.certificates).toHaveLength(CERTIFICATES);
    expect(finalStatus.certificates.total).toBe(CERTIFICATES);
    expect(finalStatus.certificates.byState).toMatchObject({
      ...workload.expectedStates,
      discovered: 0,
      removed: 0,
    });
  });

  it("sums each user's readiness from all their certificates", () => {
    const { usersOverHttp, workload } = run;
    expect(usersOverHttp).toHaveLength(USERS);
    const wrong = usersOverHttp
      .map((u) => ({
        upn: u.userPrincipalName,
        state: u.state,
        usable: workload.userUsable.get(u.userPrincipalName),
      }))
      .filter((u) => u.usable === undefined || u.state !== (u.usable ? "ready" : "notReady"));
    expect(wrong).toEqual([]);
  });

  it("collapses duplicate registrations, concurrent or late, to one certificate.discovered event", () => {
    const { discoveredOverHttp, stored } = run;
    expect(discoveredOverHttp).toHaveLength(CERTIFICATES);
    expect(new Set(discoveredOverHttp.map(thumbprintOf)).size).toBe(CERTIFICATES);
    const discovered = lines(stored.ledger, "certificate.discovered");
    expect(discovered).toHaveLength(CERTIFICATES);
    expect(new Set(discovered.map(thumbprintOf)).size).toBe(CERTIFICATES);
  });

  it("dead-letters the poison message with its reason, and counts it in the status", () => {
    const { deadLetters, finalStatus, poisonId, poisonLog } = run;
    expect(queueDepth(finalStatus, CERTIFICATE_EVENTS_QUEUE).deadLetter).toBe(1);
    expect(deadLetters).toHaveLength(1);
    const [letter] = deadLetters;
    expect(letter?.messageId).toBe(poisonId);
    // The bus dead-letters after the queue's max delivery count, with the last delivery's error as the
    // description, the way Service Bus does under the Functions host: the parse failure, or an injected fault
    // when one hit that last delivery. (A bus that settles poison at once names the parse failure as the reason.)
    expect(["MaxDeliveryCountExceeded", "UnparseableEvent"]).toContain(letter?.reason);
    expect(letter?.description).toMatch(/certificate\.discovered data: [\s\S]*thumbprint|^injected fault/);
    // Whatever the last delivery met, the handler named why the message can never be processed.
    const named = poisonLog.filter((e) => e["reason"] === "UnparseableEvent" && e["level"] === "error");
    expect(named.length).toBeGreaterThan(0);
  });

  it("requests no notification twice for the same certificate, reason and threshold", () => {
    const { stored, workload } = run;
    const requested = lines(stored.ledger, "notification.requested").map((l) => ({
      id: l.event.id,
      ...(l.event.data as { thumbprint?: string; reason: string; thresholdDays?: number }),
    }));
    const key = (n: (typeof requested)[number]) => `${n.thumbprint}|${n.reason}|${n.thresholdDays ?? ""}`;
    expect(new Set(requested.map((n) => n.id)).size).toBe(requested.length);
    expect(new Set(requested.map(key)).size).toBe(requested.length);
    // The notices every kind must get exactly once, or never. An expired certificate's owner holds nothing
    // usable besides (workload.ts pairs it with a wrong-EKU one), so no replacement silences its notice.
    const noticesOf = (kind: string, reason: string) =>
      requested.filter(
        (n) => n.reason === reason && workload.byThumbprint.get(n.thumbprint ?? "")?.kind === kind,
      );
    const count = (kind: string) => workload.certificates.filter((c) => c.kind === kind).length;
    expect(noticesOf("revoked", "revoked")).toHaveLength(count("revoked"));
    expect(noticesOf("wrongEku", "validationFailed")).toHaveLength(count("wrongEku"));
    expect(noticesOf("expired", "expired")).toHaveLength(count("expired"));
    const aboutValid = requested.filter(
      (n) => workload.byThumbprint.get(n.thumbprint ?? "")?.kind === "valid",
    );
    expect(aboutValid).toEqual([]);
  });

  it("after a kill -9 mid-run and a restart, finishes the unfinished work from durable state, nothing lost or doubled", () => {
    const { kill, stored, gracefulExit, registrations } = run;
    // Killed for real, while certificates were waiting or in progress and the inventory was incomplete.
    expect(kill.exit.signal).toBe("SIGKILL");
    expect(queueDepth(kill.statusBefore, CERTIFICATE_EVENTS_QUEUE).active).toBeGreaterThan(0);
    expect(kill.statusBefore.certificates.total).toBeLessThan(CERTIFICATES);
    expect(kill.accepted).toBeLessThan(registrations.length);
    // Nothing lost: every certificate is in the inventory with a verdict (checked state by state above).
    expect(stored.certificates.filter((c) => c.lastValidatedAt === undefined)).toEqual([]);
    // Nothing doubled: one verdict per certificate — no replay (a fault after the handler ran, the kill)
    // wrote a second revision.
    const verdicts = [
      ...lines(stored.ledger, "certificate.validated"),
      ...lines(stored.ledger, "certificate.validationFailed"),
    ];
    const perCertificate = new Map<string, number>();
    for (const v of verdicts)
      perCertificate.set(thumbprintOf(v), (perCertificate.get(thumbprintOf(v)) ?? 0) + 1);
    expect([...perCertificate.values()].filter((n) => n !== 1)).toEqual([]);
    expect(perCertificate.size).toBe(CERTIFICATES);
    // The restarted host stopped cleanly on SIGTERM, its work done.
    expect(gracefulExit).toEqual({ code: 0, signal: null });
  });
});
