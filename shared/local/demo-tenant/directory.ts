/**
 * The demo tenant's directory: the users as they started, with changes laid over them, and Graph's delta
 * query on `/users`. Every change gets the next version number; a deltaLink carries the version it was issued
 * at, so the next round returns exactly the users changed since (disabled and re-enabled users as ordinary
 * items, deleted ones as `@removed` with reason `changed`: Entra ID keeps a deleted user restorable for 30 days).
 *
 * Tokens also carry the tenant's epoch (one per start): the demo keeps no changes across restarts, so a
 * deltaLink from an earlier run is answered 410 `resyncRequired`, and the client starts a new round.
 */
import { randomUUID } from "node:crypto";
import type { UserChange } from "./dataset.ts";
import type { GraphItem, TenantData } from "./model.ts";

interface Overlay {
  readonly version: number;
  /** The user now; undefined when deleted. */
  readonly user: GraphItem | undefined;
}

export interface DirectoryChangeEvent {
  readonly userId: string;
  readonly changeType: "updated" | "deleted";
}

/** A delta page: users (or `@removed` stubs) and where to go next. */
export interface DeltaPage {
  readonly items: GraphItem[];
  readonly next?: { readonly skip: Record<string, unknown> };
  readonly delta?: { readonly token: Record<string, unknown> };
}

export class Directory {
  readonly epoch = randomUUID();
  private version = 0;
  private readonly overlay = new Map<string, Overlay>();
  private readonly listeners: ((e: DirectoryChangeEvent) => void)[] = [];

  private readonly data: TenantData;

  constructor(data: TenantData) {
    this.data = data;
  }

  onChange(listener: (e: DirectoryChangeEvent) => void): void {
    this.listeners.push(listener);
  }

  /** The user now, by id or UPN; undefined when unknown or deleted. */
  find(idOrUpn: string): GraphItem | undefined {
    const key = idOrUpn.toLowerCase();
    for (const [id, o] of this.overlay) {
      if (id === key || String(o.user?.userPrincipalName ?? "").toLowerCase() === key) return o.user;
    }
    const base = this.data.findUser(idOrUpn);
    if (!base) return undefined;
    const o = this.overlay.get(String(base.id));
    return o ? o.user : base;
  }

  get count(): number {
    return this.data.users.count;
  }

  /** A page of current users in directory order; deleted users leave a gap (the page is shorter). */
  slice(offset: number, limit: number): GraphItem[] {
    return this.data.users
      .slice(offset, limit)
      .map((u) => {
        const o = this.overlay.get(String(u.id));
        return o ? o.user : u;
      })
      .filter((u): u is GraphItem => u !== undefined);
  }

  /** Applies a change; returns the user as it is now (undefined if deleted, or unknown). */
  change(idOrUpn: string, change: UserChange): GraphItem | undefined {
    const before = this.find(idOrUpn);
    if (!before) return undefined;
    const id = String(before.id);
    if (change.removeCertificates) this.data.removeCertificatesOf(String(before.userPrincipalName));
    const touchesUser =
      change.deleted || change.primarySmtp !== undefined || change.accountEnabled !== undefined;
    if (!touchesUser) return before;
    this.version += 1;
    const after = change.deleted ? undefined : applyTo(before, change);
    this.overlay.set(id, { version: this.version, user: after });
    const event: DirectoryChangeEvent = { userId: id, changeType: change.deleted ? "deleted" : "updated" };
    for (const listener of this.listeners) listener(event);
    return after;
  }

  /**
   * One page of `/users/delta`: the whole directory on the first round (`skip.p === "f"`), then only the
   * changes between two versions. Returns `"resync"` for a token of another epoch or a malformed one.
   */
  deltaPage(
    state: { skip?: Record<string, unknown>; delta?: Record<string, unknown> },
    size: number,
  ): DeltaPage | "resync" {
    const token = state.skip ?? state.delta;
    if (token && token.e !== this.epoch) return "resync";
    if (state.skip?.p === "f" || (!state.skip && !state.delta)) {
      const offset = Number(state.skip?.o ?? 0);
      const snapshot = Number(state.skip?.v ?? this.version);
      const items = this.slice(offset, size);
      const end = offset + size >= this.count;
      return end
        ? { items, delta: { token: { e: this.epoch, v: snapshot } } }
        : { items, next: { skip: { e: this.epoch, p: "f", o: offset + size, v: snapshot } } };
    }
    const from = Number(state.skip?.from ?? state.delta?.v);
    const to = Number(state.skip?.to ?? this.version);
    if (!Number.isInteger(from) || from < 0 || from > this.version) return "resync";
    const offset = Number(state.skip?.o ?? 0);
    const changes = [...this.overlay.entries()]
      .filter(([, o]) => o.version > from && o.version <= to)
      .sort(([, a], [, b]) => a.version - b.version);
    const items = changes.slice(offset, offset + size).map(([id, o]) => o.user ?? removed(id));
    return offset + size >= changes.length
      ? { items, delta: { token: { e: this.epoch, v: to } } }
      : { items, next: { skip: { e: this.epoch, p: "c", o: offset + size, from, to } } };
  }
}

function removed(id: string): GraphItem {
  return { "@odata.type": "#microsoft.graph.user", id, "@removed": { reason: "changed" } };
}

function applyTo(user: GraphItem, change: UserChange): GraphItem {
  const next: GraphItem = { ...user };
  if (change.accountEnabled !== undefined) next.accountEnabled = change.accountEnabled;
  if (change.primarySmtp !== undefined) {
    const old = Array.isArray(user.proxyAddresses) ? (user.proxyAddresses as string[]) : [];
    const demoted = old.map((a) => (a.startsWith("SMTP:") ? `smtp:${a.slice(5)}` : a));
    const wanted = change.primarySmtp.toLowerCase();
    next.proxyAddresses = [
      `SMTP:${change.primarySmtp}`,
      ...demoted.filter((a) => a.slice(5).toLowerCase() !== wanted),
    ];
    next.mail = change.primarySmtp;
  }
  return next;
}
