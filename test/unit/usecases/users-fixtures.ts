/**
 * A fake of the Graph ports the users use cases take (GraphDirectory's delta and user read, and
 * GraphSubscriptions), keeping Graph's semantics: a delta round without a link enumerates every present
 * user in pages and ends with a deltaLink; a round from a link returns each user changed since, once, in
 * its latest state (removed ones as `@removed`); a link older than the kept history is refused with the
 * adapter's DeltaExpiredError. Items go through the contract schemas, as the gateway parses them.
 */
import { DeltaExpiredError, GraphRequestError } from "../../../shared/adapters/graph/errors.ts";
import {
  GraphSubscription,
  GraphUser,
  GraphUserDelta,
  type SubscriptionCreate,
} from "../../../shared/contracts/graph.ts";
import type { Clock, GraphDirectory, GraphSubscriptions, UserDeltaPage } from "../../../shared/ports.ts";

export interface FakeUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly mail?: string | null;
  readonly proxyAddresses?: readonly string[];
  readonly accountEnabled?: boolean;
  readonly displayName?: string;
  readonly preferredLanguage?: string;
}

const LINK = "https://graph.test/v1.0/users/delta?$deltatoken=";

export class FakeDirectory implements Pick<GraphDirectory, "usersDelta" | "getUser"> {
  private readonly users = new Map<string, FakeUser>();
  private readonly removed = new Map<string, "changed" | "deleted">();
  /** id → the change sequence number of its last change. */
  private readonly changedAt = new Map<string, number>();
  private seq = 0;
  /** Links older than this are refused (Graph's sync state expired). */
  private oldestToken = 0;
  pageSize = 2;
  /** Every round asked for: undefined for a full round, else the link. */
  readonly rounds: (string | undefined)[] = [];
  readonly reads: string[] = [];

  constructor(initial: readonly FakeUser[] = []) {
    for (const user of initial) this.put(user);
  }

  put(user: FakeUser): void {
    this.users.set(user.id, user);
    this.removed.delete(user.id);
    this.changedAt.set(user.id, ++this.seq);
  }

  update(id: string, change: Partial<FakeUser>): void {
    const user = this.users.get(id);
    if (!user) throw new Error(`no user ${id}`);
    this.put({ ...user, ...change });
  }

  remove(id: string, reason: "changed" | "deleted" = "changed"): void {
    this.users.delete(id);
    this.removed.set(id, reason);
    this.changedAt.set(id, ++this.seq);
  }

  /** Forgets the change history: every link issued so far is refused from now on. */
  expireLinks(): void {
    this.oldestToken = this.seq + 1;
  }

  async *usersDelta(deltaLink?: string): AsyncIterable<UserDeltaPage> {
    this.rounds.push(deltaLink);
    const since = deltaLink === undefined ? undefined : Number(deltaLink.slice(LINK.length));
    if (since !== undefined && (!Number.isInteger(since) || since < this.oldestToken))
      throw new DeltaExpiredError("resyncRequired", "the delta token has expired");
    const ids = [...this.changedAt.keys()]
      .filter((id) => (since === undefined ? this.users.has(id) : this.changedAt.get(id)! > since))
      .sort();
    const items = ids.map((id) => {
      const user = this.users.get(id);
      return user ? { ...user } : { id, "@removed": { reason: this.removed.get(id) } };
    });
    const end = this.seq;
    for (let i = 0; i === 0 || i < items.length; i += this.pageSize) {
      const slice = items.slice(i, i + this.pageSize);
      const last = i + this.pageSize >= items.length;
      yield {
        items: slice.map((item) => GraphUserDelta.parse(item)),
        rejected: [],
        ...(last && { deltaLink: `${LINK}${end}` }),
      };
    }
  }

  async getUser(idOrUpn: string) {
    this.reads.push(idOrUpn);
    const user = this.users.get(idOrUpn);
    return user ? GraphUser.parse(user) : undefined;
  }
}

/** Graph's subscriptions: created with an expiry, renewed, reauthorized, removed; unknown ids are 404. */
export class FakeSubscriptions
  implements Pick<GraphSubscriptions, "create" | "renew" | "reauthorize" | "remove">
{
  readonly live = new Map<string, SubscriptionCreate & { id: string }>();
  readonly calls: string[] = [];
  private created = 0;

  constructor(private readonly clock: Clock) {}

  async create(request: SubscriptionCreate) {
    const id = `sub-${++this.created}`;
    this.calls.push(`create ${id}`);
    this.live.set(id, { ...request, id });
    return this.answer(id);
  }

  async renew(subscriptionId: string, expirationDateTime: string) {
    this.calls.push(`renew ${subscriptionId}`);
    const current = this.known(subscriptionId);
    this.live.set(subscriptionId, { ...current, expirationDateTime });
    return this.answer(subscriptionId);
  }

  async reauthorize(subscriptionId: string) {
    this.calls.push(`reauthorize ${subscriptionId}`);
    this.known(subscriptionId);
  }

  async remove(subscriptionId: string) {
    this.calls.push(`remove ${subscriptionId}`);
    this.live.delete(subscriptionId);
  }

  /** Live (unexpired) subscriptions, one page; not counted in `calls` (every run reads it). */
  async *list() {
    const now = this.clock.now().getTime();
    const live = [...this.live.keys()].filter(
      (id) => Date.parse(this.live.get(id)!.expirationDateTime) > now,
    );
    yield { items: live.map((id) => this.answer(id)), rejected: [] };
  }

  private known(id: string) {
    const s = this.live.get(id);
    if (!s || Date.parse(s.expirationDateTime) <= this.clock.now().getTime())
      throw new GraphRequestError(404, "ResourceNotFound", `subscription ${id} not found`);
    return s;
  }

  private answer(id: string) {
    const s = this.live.get(id)!;
    return GraphSubscription.parse({
      id,
      resource: s.resource,
      changeType: s.changeType,
      notificationUrl: s.notificationUrl,
      lifecycleNotificationUrl: s.lifecycleNotificationUrl,
      expirationDateTime: s.expirationDateTime,
    });
  }
}
