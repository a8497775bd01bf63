import { describe, expect, it } from "vitest";
import {
  COMPANY_PORTAL_RATE,
  freeSlots,
  planDeviceSlot,
  planNotice,
  type SlotTimes,
} from "../../../shared/domain/company-portal-rate.ts";

const NOW = new Date("2026-03-02T09:00:00Z");
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
/** Ten slots used `ago` minutes ago each (the i-th from the list). */
const used = (...ago: number[]): SlotTimes => ago.map(minutesAgo);

describe("planDeviceSlot: at most 10 per device per hour", () => {
  it.each([
    { name: "a device never notified", times: [] as SlotTimes, send: true, slots: 10 },
    { name: "nine this hour: the 10th may go", times: used(1, 2, 3, 4, 5, 6, 7, 8, 9), send: true, slots: 1 },
    {
      name: "ten this hour: the 11th waits",
      times: used(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
      send: false,
      retryAt: "2026-03-02T09:50:00.000Z",
    },
    {
      name: "ten, the oldest exactly an hour ago: its slot is free",
      times: used(60, 2, 3, 4, 5, 6, 7, 8, 9, 10),
      send: true,
      slots: 1,
    },
    {
      name: "ten, the oldest 59 minutes ago: wait one minute",
      times: used(59, 2, 3, 4, 5, 6, 7, 8, 9, 10),
      send: false,
      retryAt: "2026-03-02T09:01:00.000Z",
    },
    {
      name: "ten in the last quarter hour: wait until the first leaves the window",
      times: used(15, 14, 13, 12, 11, 10, 9, 8, 7, 6),
      send: false,
      retryAt: "2026-03-02T09:45:00.000Z",
    },
    {
      name: "old uses do not count",
      times: used(61, 90, 120, 600, 61, 62, 63, 64, 65, 66),
      send: true,
      slots: 10,
    },
  ])("$name", ({ times, send, slots, retryAt }) => {
    const plan = planDeviceSlot(times, NOW);
    expect(plan.send).toBe(send);
    if (plan.send) expect(plan.slots).toHaveLength(slots ?? 0);
    else expect(plan.retryAt.toISOString()).toBe(retryAt);
  });

  it("free slots: never used first, then the oldest use", () => {
    expect(freeSlots([minutesAgo(90), undefined, minutesAgo(120), minutesAgo(5)], NOW)).toEqual([
      1, 4, 5, 6, 7, 8, 9, 2, 0,
    ]);
  });

  it("eleven notices in a row: ten go at once, the 11th is scheduled an hour after the first", () => {
    const times: (Date | undefined)[] = [];
    const sent: string[] = [];
    let retryAt: Date | undefined;
    for (let i = 0; i < 11; i += 1) {
      const at = new Date(NOW.getTime() + i * 60_000);
      const plan = planDeviceSlot(times, at);
      if (!plan.send) {
        retryAt = plan.retryAt;
        break;
      }
      times[plan.slots[0] ?? -1] = at;
      sent.push(at.toISOString());
    }
    expect(sent).toHaveLength(COMPANY_PORTAL_RATE.perDevice);
    expect(retryAt?.toISOString()).toBe("2026-03-02T10:00:00.000Z");
    // At that moment there is room again.
    expect(planDeviceSlot(times, retryAt ?? NOW).send).toBe(true);
  });
});

describe("planNotice: one notice to all of a user's devices", () => {
  const full = used(1, 2, 3, 4, 5, 6, 7, 8, 9, 30);
  it.each([
    { name: "both devices have room", devices: { a: [], b: used(1) }, retryAt: undefined },
    {
      name: "one device full: all wait for it",
      devices: { a: [], b: full },
      retryAt: "2026-03-02T09:30:00.000Z",
    },
    {
      name: "two full devices: wait for the later one",
      devices: { a: used(20, 2, 3, 4, 5, 6, 7, 8, 9, 10), b: full },
      retryAt: "2026-03-02T09:40:00.000Z",
    },
  ])("$name", ({ devices, retryAt }) => {
    const plan = planNotice(new Map(Object.entries(devices)), NOW);
    if (retryAt === undefined) {
      expect(plan).toBeInstanceOf(Map);
      expect([...(plan as Map<string, { send: boolean }>).values()].every((p) => p.send)).toBe(true);
    } else expect((plan as Date).toISOString()).toBe(retryAt);
  });
});
