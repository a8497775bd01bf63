/**
 * Users, with their readiness summary, and a lookup by user principal name.
 *
 * Keys: PartitionKey = one of 16 buckets from a hash of the user id, RowKey = the user id. Users are read
 * by id (point reads, the bucket is computed) or all together (`users?state=`, which scans anyway); the
 * buckets spread a bulk sync's writes over several partitions instead of one hot one.
 *
 * UPN lookup: a second table, UserUpns, PartitionKey and RowKey = the encoded lower-cased UPN (guest UPNs
 * hold `#`), holding the user id. The RowKey tells rows apart on purpose: Azurite finds a row by its RowKey
 * first, and a RowKey shared by every pointer made each lookup there read them all. `put` writes that
 * pointer first, then the user: if the user write then fails or loses its condition, the pointer still
 * names the right user, and a user row never exists without its pointer. A pointer left behind by a renamed
 * user is harmless: `findByUpn` returns the user only when the user's current UPN is the one asked for. The
 * pointer is rewritten on every put (one small extra write): skipping it when "already written" would go
 * wrong when a UPN moves between users and back.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { UserRecord } from "../../contracts/rows.ts";
import type { UserStore } from "../../ports.ts";
import { encodeKey } from "./entity-codec.ts";
import { recordTable } from "./record-table.ts";
import type { TableOpener } from "./table-client.ts";

const UpnPointer = z.object({ userId: z.string().min(1) });
const BUCKETS = 16;

/** "u0" … "uf": the partition of a user id. */
export function userBucket(userId: string): string {
  const first = createHash("sha256").update(userId, "utf8").digest()[0] ?? 0;
  return `u${(first % BUCKETS).toString(16)}`;
}

const upnKey = (upn: string) => encodeKey(upn.toLowerCase());

export function createUserStore(open: TableOpener): UserStore {
  const users = recordTable(open("Users"), UserRecord);
  const pointers = recordTable(open("UserUpns"), UpnPointer);
  const get = (userId: string) => users.get(userBucket(userId), encodeKey(userId));
  return {
    get,
    async findByUpn(userPrincipalName) {
      const key = upnKey(userPrincipalName);
      const pointer = await pointers.get(key, key);
      if (!pointer) return undefined;
      const user = await get(pointer.value.userId);
      const same = user?.value.userPrincipalName.toLowerCase() === userPrincipalName.toLowerCase();
      return same ? user?.value : undefined;
    },
    async put(record, condition) {
      const key = upnKey(record.userPrincipalName);
      await pointers.put(key, key, { userId: record.userId }, { force: true });
      return users.put(userBucket(record.userId), encodeKey(record.userId), record, condition);
    },
    scan: (select) => (select ? users.project(select) : users.query()),
  };
}
