/**
 * Company Portal's per-device hourly limit (shared/domain/company-portal-rate.ts), counted durably in the
 * notification ledger: one row per device and slot (10 per device), holding when the slot was last used.
 *
 * Why the ledger and not the CursorStore: taking a slot must be atomic, since the notifications queue has no
 * sessions and two notices for one user (an expiring signing and an expiring encryption certificate) are
 * handled at once. The ledger has insert-if-absent and ETag-conditional writes; the cursor store only
 * overwrites, so two senders could both read a slot free and both use it. Slot rows live under their own
 * subject (`companyPortalRate:<deviceId>`), which no certificate thumbprint or operation id can equal; the
 * slot's index is the key's `thresholdDays` and its reason is fixed, so a slot is one row whatever the notice.
 */
import type { NotificationKey, NotificationRecord } from "../contracts/rows.ts";
import { COMPANY_PORTAL_RATE, planNotice, type SlotTimes } from "../domain/company-portal-rate.ts";
import { ConflictError, RetryableError } from "../errors.ts";
import type { NotificationLedger, Versioned } from "../ports.ts";

export const RATE_SUBJECT_PREFIX = "companyPortalRate:";

const slotKey = (userId: string, deviceId: string, slot: number): NotificationKey => ({
  userId,
  subjectId: `${RATE_SUBJECT_PREFIX}${deviceId}`,
  reason: "expiring",
  thresholdDays: slot,
  channel: "companyPortal",
});

type SlotRows = readonly (Versioned<NotificationRecord> | undefined)[];

async function readSlots(ledger: NotificationLedger, userId: string, deviceId: string): Promise<SlotRows> {
  const indexes = Array.from({ length: COMPANY_PORTAL_RATE.perDevice }, (_, i) => i);
  return Promise.all(indexes.map((i) => ledger.get(slotKey(userId, deviceId, i))));
}

const timesOf = (rows: SlotRows): SlotTimes =>
  rows.map((r) => (r ? new Date(r.value.sentAt ?? r.value.claimedAt) : undefined));

/** Takes one of `candidates` (free slots, freest first); false when every one was taken meanwhile. */
async function takeSlot(
  ledger: NotificationLedger,
  key: (slot: number) => NotificationKey,
  rows: SlotRows,
  candidates: readonly number[],
  now: Date,
): Promise<boolean> {
  for (const slot of candidates) {
    const at = now.toISOString();
    const record: NotificationRecord = { ...key(slot), status: "sent", claimedAt: at, sentAt: at };
    const row = rows[slot];
    if (!row) {
      if (await ledger.claim(record)) return true;
      continue;
    }
    try {
      await ledger.put(record, { ifMatch: row.etag });
      return true;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return false;
}

/**
 * Reserves one send on each of `deviceIds` at `now`, or none: `{ retryAt }` when some device has had its 10
 * this hour (then no slot is taken).
 * @throws RetryableError when concurrent senders took the free slots between the read and the write
 */
export async function reserveCompanyPortal(
  ledger: NotificationLedger,
  userId: string,
  deviceIds: readonly string[],
  now: Date,
): Promise<{ readonly reserved: true } | { readonly reserved: false; readonly retryAt: Date }> {
  const rows = new Map(
    await Promise.all(deviceIds.map(async (id) => [id, await readSlots(ledger, userId, id)] as const)),
  );
  const plan = planNotice(new Map([...rows].map(([id, r]) => [id, timesOf(r)])), now);
  if (plan instanceof Date) return { reserved: false, retryAt: plan };
  for (const [deviceId, devicePlan] of plan) {
    if (!devicePlan.send) continue;
    const key = (slot: number) => slotKey(userId, deviceId, slot);
    if (!(await takeSlot(ledger, key, rows.get(deviceId) ?? [], devicePlan.slots, now)))
      throw new RetryableError(`Company Portal slots of device ${deviceId} taken concurrently; retry`, 1000);
  }
  return { reserved: true };
}
