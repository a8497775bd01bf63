/**
 * Company Portal's limit: at most 10 custom notifications per device per hour. Graph answers the 11th with
 * an error, and the user would never see it; so the pipeline keeps its own count and sends the rest later.
 *
 * The count is a sliding window kept as 10 slots per device, each holding when it was last used. A free slot
 * (never used, or used more than an hour ago) is a send allowed now; when all 10 are taken, the earliest
 * moment one frees is when to try again. Pure: the slots' times and the clock come in.
 */

export const COMPANY_PORTAL_RATE = { perDevice: 10, windowMs: 60 * 60_000 } as const;

/** When each of a device's slots was last used; `undefined` for a slot never used. */
export type SlotTimes = readonly (Date | undefined)[];

export type SlotPlan =
  /** Use these slots (indexes, the freest first); as many as asked when there is room. */
  | { readonly send: true; readonly slots: readonly number[] }
  /** No room now: the earliest moment a slot frees. */
  | { readonly send: false; readonly retryAt: Date };

const free = (used: Date | undefined, now: Date): boolean =>
  used === undefined || now.getTime() - used.getTime() >= COMPANY_PORTAL_RATE.windowMs;

/** The free slots of one device, oldest use first. */
export function freeSlots(times: SlotTimes, now: Date): number[] {
  const slots = Array.from({ length: COMPANY_PORTAL_RATE.perDevice }, (_, i) => i);
  return slots
    .filter((i) => free(times[i], now))
    .sort((a, b) => (times[a]?.getTime() ?? 0) - (times[b]?.getTime() ?? 0));
}

/** Whether one more notice may go to a device now, and which slot it takes; else when to try again. */
export function planDeviceSlot(times: SlotTimes, now: Date): SlotPlan {
  const slots = freeSlots(times, now);
  if (slots.length > 0) return { send: true, slots };
  const oldest = Math.min(...times.map((t) => t?.getTime() ?? 0));
  return { send: false, retryAt: new Date(oldest + COMPANY_PORTAL_RATE.windowMs) };
}

/**
 * One notice to several devices goes to all or waits for all: the ledger keeps one record per channel, not
 * per device. Room on every device → send; otherwise retry when the last of the full devices frees a slot.
 */
export function planNotice(devices: ReadonlyMap<string, SlotTimes>, now: Date): Map<string, SlotPlan> | Date {
  const plans = new Map([...devices].map(([id, times]) => [id, planDeviceSlot(times, now)]));
  const waits = [...plans.values()].flatMap((p) => (p.send ? [] : [p.retryAt.getTime()]));
  return waits.length > 0 ? new Date(Math.max(...waits)) : plans;
}
