/**
 * Certificates by user, then by thumbprint: the inventory's own partitioning (one partition per user). It
 * keeps no composite "user|thumbprint" key per certificate — the inner key is the entry's own thumbprint
 * string — which is a fifth of what syncIntune holds per certificate in a 100,000-certificate tenant.
 */
export class ByUser<T extends { readonly userId: string; readonly thumbprint: string }> {
  private readonly users = new Map<string, Map<string, T>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(userId: string, thumbprint: string): T | undefined {
    return this.users.get(userId)?.get(thumbprint);
  }

  set(entry: T): void {
    let certificates = this.users.get(entry.userId);
    if (!certificates) {
      certificates = new Map();
      this.users.set(entry.userId, certificates);
    }
    if (!certificates.has(entry.thumbprint)) this.count++;
    certificates.set(entry.thumbprint, entry);
  }

  delete(userId: string, thumbprint: string): boolean {
    const certificates = this.users.get(userId);
    if (!certificates?.delete(thumbprint)) return false;
    this.count--;
    if (certificates.size === 0) this.users.delete(userId);
    return true;
  }

  *values(): IterableIterator<T> {
    for (const certificates of this.users.values()) yield* certificates.values();
  }
}
