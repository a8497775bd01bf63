import { describe, expect, it } from "vitest";
import { updateWithRetry } from "../../../shared/adapters/tables/index.ts";
import type { CertificateRecord } from "../../../shared/contracts/rows.ts";
import { ConflictError } from "../../../shared/errors.ts";
import { certificate, storesFor, thumbprint } from "./fixtures.ts";

const { certificates } = storesFor("updateretry");

/** One writer's change: bump the revision and remember which threshold this writer announced. */
function announce(userId: string, tp: string, threshold: number) {
  return updateWithRetry<CertificateRecord>(
    () => certificates.get(userId, tp),
    (current) => {
      const base = current ?? certificate({ userId, thumbprint: tp, revision: 0, thresholdsAnnounced: [] });
      if (base.thresholdsAnnounced.includes(threshold)) return undefined;
      return {
        ...base,
        revision: base.revision + 1,
        thresholdsAnnounced: [...base.thresholdsAnnounced, threshold],
      };
    },
    (next, condition) => certificates.put(next, condition),
    { attempts: 100, backoffMs: 5 },
  );
}

describe("updateWithRetry against Azure Tables", () => {
  it("20 concurrent writers, starting from no row: every change lands, none is lost", async () => {
    const tp = thumbprint("concurrent");
    const thresholds = Array.from({ length: 20 }, (_, i) => i + 1);
    await Promise.all(thresholds.map((t) => announce("retry-user", tp, t)));
    const stored = await certificates.get("retry-user", tp);
    expect(stored?.value.revision).toBe(20);
    expect([...(stored?.value.thresholdsAnnounced ?? [])].sort((a, b) => a - b)).toEqual(thresholds);
  });

  it("returns what is stored, with the ETag a following conditional write can use", async () => {
    const tp = thumbprint("returned");
    const result = await announce("retry-user", tp, 30);
    expect(result?.value.thresholdsAnnounced).toEqual([30]);
    expect(await certificates.get("retry-user", tp)).toEqual(result);
  });

  it("a mutation that changes nothing writes nothing and returns the current version", async () => {
    const tp = thumbprint("unchanged");
    const first = await announce("retry-user", tp, 7);
    const again = await announce("retry-user", tp, 7);
    expect(again).toEqual(first);
  });

  it("gives up with the ConflictError after the attempts allowed", async () => {
    const tp = thumbprint("hopeless");
    await certificates.put(certificate({ userId: "retry-user", thumbprint: tp }), { force: true });
    let tries = 0;
    const stale = updateWithRetry<CertificateRecord>(
      () => certificates.get("retry-user", tp),
      (current) => current && { ...current, revision: current.revision + 1 },
      async (next) => {
        tries++;
        // Someone else always writes between our read and our write.
        await certificates.put({ ...next, revision: 99 }, { force: true });
        return certificates.put(next, { ifMatch: "W/\"datetime'2000-01-01T00%3A00%3A00Z'\"" });
      },
      { attempts: 3, backoffMs: 1 },
    );
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    expect(tries).toBe(3);
  });
});
