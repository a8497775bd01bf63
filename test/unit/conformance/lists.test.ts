import { describe, expect, it } from "vitest";
import { LIMBO_SKIPS } from "../../conformance/limbo-skips.ts";
import { loadPkits } from "../../conformance/pkits.ts";
import { TOLERATED } from "../../conformance/tolerated.ts";
import { CONFORMANCE_DIR, limboCases } from "./limbo-leaf.ts";

// The skip and tolerated lists are data reviewed case by case; these checks keep them from drifting
// into something that could hide a real miss.
describe("limbo-skips.ts", () => {
  it.each(Object.entries(LIMBO_SKIPS))("%s is a webpki case with a reason", (id, reason) => {
    expect(id.startsWith("webpki::")).toBe(true);
    expect(limboCases().has(id)).toBe(true);
    expect(reason.length).toBeGreaterThan(20);
  });

  it("skips nothing that is also tolerated", () => {
    expect(Object.keys(LIMBO_SKIPS).filter((id) => id in TOLERATED)).toEqual([]);
  });
});

describe("tolerated.ts", () => {
  const pkits = new Map(loadPkits(`${CONFORMANCE_DIR}/pkits`).file.cases.map((c) => [`pkits::${c.id}`, c]));

  it.each(Object.entries(TOLERATED))(
    "%s is an expected-FAILURE case with its rule and evidence",
    (id, entry) => {
      const expected = pkits.get(id)?.expected ?? limboCases().get(id)?.expected_result;
      expect(expected === "invalid" || expected === "FAILURE").toBe(true);
      // The rule names its source: an RFC, or the CA/Browser Forum S/MIME Baseline Requirements.
      expect(entry.rule).toMatch(/RFC \d+|S\/MIME BR /);
      expect(entry.rule).toContain(entry.section);
      expect(entry.evidence.length).toBeGreaterThan(20);
    },
  );
});
