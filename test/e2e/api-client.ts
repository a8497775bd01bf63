/**
 * A client of the local host's API for the end-to-end test and the benchmark: bearer token, JSON, answers
 * parsed with zod (only the fields the callers read).
 *
 * `register` behaves like a careful real client of `POST /api/certificates`: a request that got no answer
 * (the host was killed, or is restarting) or a 503 (the host is starting) is sent again until it is
 * answered, which is safe because a registration is idempotent. Any other answer is final.
 */
import { z } from "zod";
import { sleep } from "./host-process.ts";

export interface RegistrationBody {
  readonly userPrincipalName: string;
  readonly certificate: string;
  readonly purpose: "signing" | "encryption" | "both";
  readonly smtp?: string;
}

export interface RegistrationResult {
  readonly status: number;
  readonly thumbprint?: string;
  /** Requests that got no answer or a 503 before this one. */
  readonly retries: number;
}

const QueueDepth = z.object({ active: z.number(), scheduled: z.number(), deadLetter: z.number() });

export const StatusBody = z.object({
  certificates: z.object({ total: z.number(), byState: z.record(z.string(), z.number()) }),
  queues: z.record(z.string(), z.union([QueueDepth, z.object({ error: z.string() })])),
});
export type StatusBody = z.infer<typeof StatusBody>;

const EventLine = z.object({
  event: z.object({
    id: z.string(),
    type: z.string(),
    userid: z.string().optional(),
    data: z.record(z.string(), z.unknown()),
  }),
  recordedAt: z.string(),
});
export type EventLine = z.infer<typeof EventLine>;

const UserLine = z.object({
  userPrincipalName: z.string(),
  state: z.enum(["ready", "notReady", "unknown"]),
  signingReady: z.boolean().optional(),
  encryptionReady: z.boolean().optional(),
  reasons: z.array(z.string()),
});
export type UserLine = z.infer<typeof UserLine>;

export interface ApiClient {
  register(body: RegistrationBody, options?: { readonly deadline?: number }): Promise<RegistrationResult>;
  status(): Promise<StatusBody>;
  events(query: {
    readonly type?: string;
    readonly user?: string;
    readonly limit?: number;
  }): Promise<EventLine[]>;
  users(query?: { readonly limit?: number }): Promise<UserLine[]>;
}

/** The depth of one queue in a status report; throws when the host could not read it. */
export function queueDepth(status: StatusBody, queue: string): z.infer<typeof QueueDepth> {
  const depth = status.queues[queue];
  if (!depth || "error" in depth) throw new Error(`no depth for queue ${queue}: ${JSON.stringify(depth)}`);
  return depth;
}

export function apiClient(baseUrl: string, token: string): ApiClient {
  const headers = { authorization: `Bearer ${token}` };

  async function get<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
    const response = await fetch(`${baseUrl}/api/${path}`, { headers, signal: AbortSignal.timeout(30_000) });
    const body: unknown = await response.json();
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(body)}`);
    return schema.parse(body);
  }

  const query = (q: Record<string, string | number | undefined>) =>
    new URLSearchParams(
      Object.entries(q)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();

  return {
    async register(body, options = {}) {
      const deadline = options.deadline ?? Date.now() + 120_000;
      for (let retries = 0; ; retries++) {
        try {
          const response = await fetch(`${baseUrl}/api/certificates`, {
            method: "POST",
            headers: { ...headers, "content-type": "application/json" },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(30_000),
          });
          const answer = (await response.json()) as { thumbprint?: unknown };
          if (response.status !== 503)
            return {
              status: response.status,
              ...(typeof answer.thumbprint === "string" && { thumbprint: answer.thumbprint }),
              retries,
            };
        } catch (error) {
          if (Date.now() > deadline) throw error;
        }
        if (Date.now() > deadline) return { status: 503, retries };
        await sleep(200);
      }
    },
    async status() {
      return get("status", StatusBody);
    },
    async events(q) {
      const body = await get(`events?${query(q)}`, z.object({ events: z.array(EventLine) }));
      return body.events;
    },
    async users(q = {}) {
      const body = await get(`users?${query(q)}`, z.object({ users: z.array(UserLine) }));
      return body.users;
    },
  };
}
