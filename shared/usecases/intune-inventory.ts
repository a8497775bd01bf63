/**
 * What syncIntune reads of the pipeline's own state before it lists Intune: the inventory's Intune
 * certificates as compact entries (a fingerprint each, not the records), and the users' object ids by UPN.
 * Both read page by page, and only the columns they keep: a large tenant's sync must not fetch, decode and
 * validate every certificate's DER and verdicts only to drop them, page after page, before it lists Intune.
 */
import { INVENTORY_FIELDS, type InventoryEntry, inventoryEntry } from "../domain/intune-diff.ts";
import type { CertificateStore, UserStore } from "../ports.ts";
import { ByUser } from "./intune-by-user.ts";
import type { Names } from "./intune-observations.ts";
import { userIdForUpn } from "./register-certificate.ts";

/** The inventory's certificates that Intune is a source of, by user and thumbprint. */
export async function loadIntuneInventory(
  certificates: CertificateStore,
  names: Names,
): Promise<ByUser<InventoryEntry>> {
  const entries = new ByUser<InventoryEntry>();
  for await (const record of certificates.scan(INVENTORY_FIELDS)) {
    const entry = inventoryEntry(record, names.intern);
    if (entry) entries.set(entry);
  }
  return entries;
}

/** What the resolver reads of each user. */
const RESOLVER_FIELDS = ["userId", "userPrincipalName", "deleted"] as const;

/**
 * UPN → object id: the user the directory sync (or an earlier registration) stored, else the id derived from
 * the UPN, as `POST certificates` derives it — so both paths, and every sync, agree on a user's partition.
 */
export async function loadUserResolver(users: UserStore): Promise<Names> {
  const byUpn = new Map<string, string>();
  const texts = new Map<string, string>();
  for await (const user of users.scan(RESOLVER_FIELDS)) {
    const upn = user.userPrincipalName.toLowerCase();
    // A UPN reused after a deletion belongs to the living user; a deleted one's keeps its certificates' partition.
    if (!user.deleted || !byUpn.has(upn)) byUpn.set(upn, user.userId);
  }
  const intern = (text: string) => {
    const known = texts.get(text);
    if (known !== undefined) return known;
    texts.set(text, text);
    return text;
  };
  return {
    intern,
    userId(upn) {
      const key = upn.toLowerCase();
      let id = byUpn.get(key);
      if (id === undefined) {
        id = userIdForUpn(upn);
        byUpn.set(key, id); // derived once per user, then shared by all their certificates
      }
      return id;
    },
  };
}
