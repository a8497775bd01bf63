/**
 * Driving the local pipeline from outside, for the end-to-end test and the benchmark: concurrent
 * registrations over HTTP, waiting until the pipeline has processed everything, and — with the host stopped —
 * reading what it left on disk (the Table stores through their own adapter on an Azurite over the host's
 * folder, the bus journal through the bus's own API).
 *
 * Reading the host's files is only safe while no host runs: the bus journal and Azurite's files each have a
 * single owner process.
 */
import { join } from "node:path";
import { createInProcessBus } from "../../shared/adapters/in-process-bus/bus.ts";
import { createTableStores } from "../../shared/adapters/tables/index.ts";
import type { CloudEventEnvelope } from "../../shared/contracts/cloud-event.ts";
import type { AuditRecord, CertificateRecord, UserRecord } from "../../shared/contracts/rows.ts";
import { startAzurite } from "../support/azurite.ts";
import type { ApiClient, RegistrationBody, RegistrationResult, StatusBody } from "./api-client.ts";
import { queueDepth } from "./api-client.ts";
import { sleep } from "./host-process.ts";

export interface RegistrationRun {
  /** How many registrations there are. */
  readonly total: number;
  /** Registrations answered so far (any final answer). */
  answered(): number;
  /** Registrations answered 202 so far. */
  accepted(): number;
  /** Every registration's final answer, in the order of `bodies`. */
  readonly done: Promise<RegistrationResult[]>;
}

/** Sends every body with `concurrency` requests in flight, in order. */
export function registerConcurrently(
  api: ApiClient,
  bodies: readonly RegistrationBody[],
  options: { readonly concurrency: number; readonly deadline?: number },
): RegistrationRun {
  const results: RegistrationResult[] = new Array(bodies.length);
  let next = 0;
  let accepted = 0;
  let answered = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const i = next++;
      const result = await api.register(bodies[i]!, options.deadline ? { deadline: options.deadline } : {});
      results[i] = result;
      answered++;
      if (result.status === 202) accepted++;
    }
  };
  const workers = Array.from({ length: Math.min(options.concurrency, bodies.length) }, worker);
  return {
    total: bodies.length,
    answered: () => answered,
    accepted: () => accepted,
    done: Promise.all(workers).then(() => results),
  };
}

export const CERTIFICATE_EVENTS_QUEUE = "certificate-events";

/** Whether the inventory holds `certificates` records, none awaiting validation, and certificate-events is empty. */
export function processed(status: StatusBody, certificates: number, deadLetters: number): boolean {
  const depth = queueDepth(status, CERTIFICATE_EVENTS_QUEUE);
  return (
    status.certificates.total === certificates &&
    (status.certificates.byState["discovered"] ?? 0) === 0 &&
    depth.active === 0 &&
    depth.scheduled === 0 &&
    depth.deadLetter >= deadLetters
  );
}

/** Polls `GET /api/status` until `processed`; throws with the last status after `timeoutMs`. */
export async function waitUntilProcessed(
  api: ApiClient,
  options: {
    readonly certificates: number;
    readonly deadLetters?: number;
    readonly timeoutMs: number;
    readonly pollMs?: number;
  },
): Promise<StatusBody> {
  const deadline = Date.now() + options.timeoutMs;
  let last: StatusBody | undefined;
  while (Date.now() < deadline) {
    last = await api.status();
    if (processed(last, options.certificates, options.deadLetters ?? 0)) return last;
    await sleep(options.pollMs ?? 250);
  }
  throw new Error(
    `the pipeline had not processed ${options.certificates} certificates after ${options.timeoutMs} ms; last status: ${JSON.stringify(last)}`,
  );
}

/**
 * Puts a message on certificate-events that no handler can ever process — a `certificate.discovered`
 * envelope whose data lacks the thumbprint and purpose — through the bus's own API, while no host runs.
 * It travels in a session of its own, so it holds up no real user's events. Returns its message id.
 */
export async function publishPoisonMessage(busDir: string, now: Date): Promise<string> {
  const poison: CloudEventEnvelope = {
    specversion: "1.0",
    id: "e2e-poison-certificate-discovered",
    source: "/smime-lifecycle/e2e",
    type: "certificate.discovered",
    time: now.toISOString(),
    datacontenttype: "application/json",
    userid: "e2e-poison-session",
    data: { userId: "e2e-poison-session", note: "no thumbprint, no purpose: no handler can process this" },
  };
  const bus = createInProcessBus({ dataDir: busDir });
  try {
    await bus.publish("certificateEvents", poison);
  } finally {
    await bus.close();
  }
  return poison.id;
}

/** The dead letters of certificate-events in the host's bus journal (no host may be running). */
export async function readDeadLetters(busDir: string) {
  const bus = createInProcessBus({ dataDir: busDir });
  try {
    return await bus.peekDeadLetters("certificateEvents", 100);
  } finally {
    await bus.close();
  }
}

export interface StoredState {
  readonly certificates: readonly CertificateRecord[];
  readonly users: readonly UserRecord[];
  /** The whole audit ledger, newest first. */
  readonly ledger: readonly AuditRecord[];
}

/**
 * Everything the host stored in its tables, read through the store adapters on an Azurite started over the
 * host's Azurite folder (no host may be running). `tablePrefix` is the host's TABLE_PREFIX.
 */
export async function readStoredState(dataDir: string, tablePrefix = "smime"): Promise<StoredState> {
  const azurite = await startAzurite({ dataDir: join(dataDir, "azurite"), startTimeoutMs: 30_000 });
  try {
    const stores = createTableStores({ connectionString: azurite.connectionString, tablePrefix });
    const certificates: CertificateRecord[] = [];
    for await (const record of stores.certificates.scan()) certificates.push(record);
    const users: UserRecord[] = [];
    for await (const user of stores.users.scan()) users.push(user);
    const ledger = await stores.audit.list({ limit: Number.MAX_SAFE_INTEGER });
    return { certificates, users, ledger };
  } finally {
    await azurite.stop();
  }
}
