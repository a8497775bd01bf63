/**
 * Change notification subscriptions on `/users`, as Graph runs them: creating one first validates the
 * `notificationUrl` (and the `lifecycleNotificationUrl`) by POSTing `?validationToken=…` and expecting, within
 * 10 s, 200 with the token echoed as text/plain — otherwise creation fails with Graph's 400. Later, a change
 * to a user is POSTed to every live subscription as `{ value: [changeNotification] }`, and lifecycle events
 * (reauthorizationRequired, subscriptionRemoved, missed) go to the lifecycle URL on request.
 *
 * Deliveries are attempted once and recorded (status or error), so tests can see what the receiver answered;
 * Graph itself would retry a failed delivery for up to four hours.
 */
import { z } from "zod";
import type { Clock } from "../../ports.ts";
import type { DirectoryChangeEvent } from "./directory.ts";
import { graphError, type Reply } from "./odata.ts";
import { guid } from "./seeded.ts";

/** Graph's limit for directory resources such as users: 41,760 minutes (29 days). */
export const USERS_MAX_EXPIRATION_MINUTES = 41_760;
/** Graph waits 10 s for the validation answer. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Graph expects a notification acknowledged within 3 s. */
const DELIVERY_TIMEOUT_MS = 3_000;

export type LifecycleEvent = "reauthorizationRequired" | "subscriptionRemoved" | "missed";

export interface Subscription {
  readonly id: string;
  readonly resource: string;
  readonly changeType: string;
  readonly clientState: string | null;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string | null;
  readonly expirationDateTime: string;
  readonly applicationId: string;
  readonly creatorId: string;
  readonly includeResourceData: false;
  readonly latestSupportedTlsVersion: string;
  readonly encryptionCertificate: null;
  readonly encryptionCertificateId: null;
  readonly notificationQueryOptions: null;
  readonly notificationUrlAppId: null;
}

/** One POST the tenant made to a subscriber. */
export interface Delivery {
  readonly subscriptionId: string;
  readonly url: string;
  readonly kind: "notification" | "lifecycle";
  readonly body: unknown;
  /** The receiver's status, or 0 when it could not be reached in time. */
  readonly status: number;
  readonly error?: string;
}

const CreateBody = z.object({
  changeType: z.string().regex(/^(created|updated|deleted)(,(created|updated|deleted))*$/),
  notificationUrl: z.url(),
  lifecycleNotificationUrl: z.url().optional(),
  resource: z.string().min(1),
  expirationDateTime: z.iso.datetime({ offset: true }),
  clientState: z.string().max(128).optional(),
  latestSupportedTlsVersion: z.enum(["v1_0", "v1_1", "v1_2", "v1_3"]).optional(),
  includeResourceData: z.literal(false).optional(),
});
const RenewBody = z.object({ expirationDateTime: z.iso.datetime({ offset: true }) });

/** `users`, `/users`, `users/{id}`: the user resources the demo tenant notifies about. */
function watchedUser(resource: string): { all: true } | { id: string } | undefined {
  const path = resource.replace(/^\/+/, "");
  if (/^users$/i.test(path)) return { all: true };
  const one = /^users\/([^/?]+)$/i.exec(path);
  return one?.[1] ? { id: one[1].toLowerCase() } : undefined;
}

interface SubscriptionsOptions {
  readonly tenantId: string;
  readonly clock: Clock;
  readonly handshakeTimeoutMs?: number;
}

type Handshake = { ok: true } | { ok: false; reply: Reply };

export class Subscriptions {
  private readonly store = new Map<string, Subscription>();
  private readonly log: Delivery[] = [];
  private created = 0;

  private readonly options: SubscriptionsOptions;

  constructor(options: SubscriptionsOptions) {
    this.options = options;
  }

  list(): Subscription[] {
    return [...this.store.values()];
  }

  get(id: string): Subscription | undefined {
    return this.store.get(id);
  }

  deliveries(): readonly Delivery[] {
    return this.log;
  }

  async create(body: unknown): Promise<Reply> {
    const now = this.options.clock.now();
    const parsed = CreateBody.safeParse(body);
    if (!parsed.success)
      return graphError(
        400,
        "InvalidRequest",
        `Invalid subscription request: ${parsed.error.issues[0]?.message}`,
        now,
      );
    const input = parsed.data;
    if (!watchedUser(input.resource))
      return graphError(
        400,
        "InvalidRequest",
        `Resource '${input.resource}' is not supported for change notifications by the demo tenant.`,
        now,
      );
    const expiry = this.checkExpiry(input.expirationDateTime, now);
    if (expiry) return expiry;
    for (const url of [input.notificationUrl, input.lifecycleNotificationUrl]) {
      if (!url) continue;
      const result = await this.handshake(url, now);
      if (!result.ok) return result.reply;
    }
    this.created += 1;
    const subscription: Subscription = {
      id: guid(this.options.tenantId, "subscription", this.created, now.toISOString()),
      resource: input.resource,
      changeType: input.changeType,
      clientState: input.clientState ?? null,
      notificationUrl: input.notificationUrl,
      lifecycleNotificationUrl: input.lifecycleNotificationUrl ?? null,
      expirationDateTime: new Date(input.expirationDateTime).toISOString(),
      applicationId: guid(this.options.tenantId, "application"),
      creatorId: guid(this.options.tenantId, "application", "servicePrincipal"),
      includeResourceData: false,
      latestSupportedTlsVersion: input.latestSupportedTlsVersion ?? "v1_2",
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationQueryOptions: null,
      notificationUrlAppId: null,
    };
    this.store.set(subscription.id, subscription);
    return { status: 201, body: subscription };
  }

  renew(id: string, body: unknown): Reply {
    const now = this.options.clock.now();
    const current = this.store.get(id);
    if (!current) return notFound(id, now);
    const parsed = RenewBody.safeParse(body);
    if (!parsed.success) return graphError(400, "InvalidRequest", "expirationDateTime is required.", now);
    const expiry = this.checkExpiry(parsed.data.expirationDateTime, now);
    if (expiry) return expiry;
    const renewed = {
      ...current,
      expirationDateTime: new Date(parsed.data.expirationDateTime).toISOString(),
    };
    this.store.set(id, renewed);
    return { status: 200, body: renewed };
  }

  remove(id: string): Reply {
    if (!this.store.delete(id)) return notFound(id, this.options.clock.now());
    return { status: 204 };
  }

  /** Posts a change notification to every live subscription that watches the user. */
  async notify(event: DirectoryChangeEvent): Promise<Delivery[]> {
    const now = this.options.clock.now();
    const targets = this.list().filter((s) => {
      const watched = watchedUser(s.resource);
      if (!watched || new Date(s.expirationDateTime) <= now) return false;
      if (!s.changeType.split(",").includes(event.changeType)) return false;
      return "all" in watched || watched.id === event.userId.toLowerCase();
    });
    return Promise.all(
      targets.map((s) =>
        this.post(s.id, s.notificationUrl, "notification", {
          value: [
            {
              id: guid(s.id, event.userId, now.toISOString(), this.log.length),
              subscriptionId: s.id,
              subscriptionExpirationDateTime: s.expirationDateTime,
              changeType: event.changeType,
              resource: `Users/${event.userId}`,
              resourceData: {
                "@odata.type": "#Microsoft.Graph.User",
                "@odata.id": `Users/${event.userId}`,
                id: event.userId,
                organizationId: this.options.tenantId,
              },
              clientState: s.clientState,
              tenantId: this.options.tenantId,
            },
          ],
        }),
      ),
    );
  }

  /** Posts a lifecycle notification; `subscriptionRemoved` also ends the subscription. */
  async lifecycle(subscriptionId: string, event: LifecycleEvent): Promise<Delivery> {
    const s = this.store.get(subscriptionId);
    if (!s) throw new Error(`demo tenant: no subscription ${subscriptionId}`);
    if (event === "subscriptionRemoved") this.store.delete(subscriptionId);
    return this.post(s.id, s.lifecycleNotificationUrl ?? s.notificationUrl, "lifecycle", {
      value: [
        {
          subscriptionId: s.id,
          subscriptionExpirationDateTime: s.expirationDateTime,
          tenantId: this.options.tenantId,
          clientState: s.clientState,
          lifecycleEvent: event,
        },
      ],
    });
  }

  private checkExpiry(iso: string, now: Date): Reply | undefined {
    const at = new Date(iso).getTime();
    if (at <= now.getTime())
      return graphError(400, "InvalidRequest", "Subscription expiration must be in the future.", now);
    if (at > now.getTime() + USERS_MAX_EXPIRATION_MINUTES * 60_000)
      return graphError(
        400,
        "InvalidRequest",
        `Subscription expiration can only be ${USERS_MAX_EXPIRATION_MINUTES} minutes in the future.`,
        now,
      );
    return undefined;
  }

  private async handshake(url: string, now: Date): Promise<Handshake> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${guid(url, now.toISOString(), this.created)}`;
    const target = new URL(url);
    target.searchParams.set("validationToken", token);
    let response: Response;
    try {
      response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "text/plain; charset=utf-8" },
        body: "",
        signal: AbortSignal.timeout(this.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS),
      });
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
      const message = timedOut
        ? "Subscription validation request timed out."
        : "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.";
      return {
        ok: false,
        reply: graphError(400, timedOut ? "InvalidRequest" : "ValidationError", message, now),
      };
    }
    const text = await response.text();
    const type = response.headers.get("content-type") ?? "";
    if (response.status !== 200)
      return {
        ok: false,
        reply: graphError(
          400,
          "ValidationError",
          "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
          now,
        ),
      };
    if (text !== token || !type.toLowerCase().startsWith("text/plain"))
      return {
        ok: false,
        reply: graphError(
          400,
          "ValidationError",
          "Subscription validation request failed. Response must exactly match validationToken query parameter.",
          now,
        ),
      };
    return { ok: true };
  }

  private async post(
    subscriptionId: string,
    url: string,
    kind: Delivery["kind"],
    body: unknown,
  ): Promise<Delivery> {
    let delivery: Delivery;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      delivery = { subscriptionId, url, kind, body, status: response.status };
    } catch (e) {
      delivery = { subscriptionId, url, kind, body, status: 0, error: (e as Error).message };
    }
    this.log.push(delivery);
    return delivery;
  }
}

function notFound(id: string, now: Date): Reply {
  return graphError(404, "ResourceNotFound", `The object was not found: subscription '${id}'.`, now);
}
