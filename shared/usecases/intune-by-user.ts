/**
 * Certificates by user and thumbprint, the inventory's identity of a certificate (one partition per user).
 *
 * One map keyed by the entry's own thumbprint string, holding the entry itself or, in the rare case of one
 * certificate held by several users (a shared mailbox's), the list of theirs. For a 100,000-certificate
 * tenant that is one hash table instead of one per user (20,000 small maps were 10 MB of syncIntune's 70), and
 * no composite "user|thumbprint" key string per certificate.
 */
export class ByUser<T extends { readonly userId: string; readonly thumbprint: string }> {
  private readonly byThumbprint = new Map<string, T | T[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(userId: string, thumbprint: string): T | undefined {
    const held = this.byThumbprint.get(thumbprint);
    if (held === undefined) return undefined;
    if (!Array.isArray(held)) return held.userId === userId ? held : undefined;
    return held.find((entry) => entry.userId === userId);
  }

  set(entry: T): void {
    const held = this.byThumbprint.get(entry.thumbprint);
    if (held === undefined) {
      this.byThumbprint.set(entry.thumbprint, entry);
      this.count++;
    } else if (!Array.isArray(held)) {
      if (held.userId === entry.userId) this.byThumbprint.set(entry.thumbprint, entry);
      else {
        this.byThumbprint.set(entry.thumbprint, [held, entry]);
        this.count++;
      }
    } else {
      const at = held.findIndex((e) => e.userId === entry.userId);
      if (at >= 0) held[at] = entry;
      else {
        held.push(entry);
        this.count++;
      }
    }
  }

  delete(userId: string, thumbprint: string): boolean {
    const held = this.byThumbprint.get(thumbprint);
    if (held === undefined) return false;
    if (!Array.isArray(held)) {
      if (held.userId !== userId) return false;
      this.byThumbprint.delete(thumbprint);
    } else {
      const at = held.findIndex((e) => e.userId === userId);
      if (at < 0) return false;
      held.splice(at, 1);
      if (held.length === 1) this.byThumbprint.set(thumbprint, held[0]!);
    }
    this.count--;
    return true;
  }

  /** Every entry once, also when the caller deletes each as it goes (a shared thumbprint's list is copied). */
  *values(): IterableIterator<T> {
    for (const held of this.byThumbprint.values()) {
      if (Array.isArray(held)) yield* [...held];
      else yield held;
    }
  }
}
