import { describe, expect, it } from "vitest";
import type { CaseResult, Verdict } from "../../conformance/outcome.ts";
import { checkFloor, formatReport, summarise } from "../../conformance/report.ts";

const result = (suite: "pkits" | "limbo", id: string, verdict: Verdict, falseAccept = false): CaseResult => ({
  suite,
  id,
  group: suite === "pkits" ? id.split(".").slice(0, 2).join(".") : (id.split("::")[0] ?? id),
  title: id,
  expected: "FAILURE",
  answer: verdict === "right" ? "rejected" : "accepted",
  verdict,
  falseAccept,
  reason: verdict === "miss" ? "why" : undefined,
  outcome: { problems: [], notes: [], durationMs: 0 },
});

/** `n` PKITS results of which `missed` are misses. */
const pkits = (n: number, missed: number): CaseResult[] =>
  Array.from({ length: n }, (_, i) =>
    result("pkits", `4.${(i % 16) + 1}.${i}`, i < missed ? "miss" : "right"),
  );

describe("checkFloor", () => {
  it.each([
    {
      name: "everything right",
      results: [...pkits(249, 0), result("limbo", "rfc5280::a", "right")],
      ok: true,
    },
    { name: "PKITS at 245 of 249", results: pkits(249, 4), ok: true },
    { name: "PKITS at 244 of 249", results: pkits(249, 5), ok: false },
    { name: "a miss in a required limbo family", results: [result("limbo", "crl::a", "miss")], ok: false },
    { name: "a tolerated limbo case", results: [result("limbo", "rfc5280::a", "tolerated")], ok: true },
    { name: "a skipped webpki case", results: [result("limbo", "webpki::a", "skipped")], ok: true },
    {
      name: "a skipped case in a required family",
      results: [result("limbo", "rfc5280::a", "skipped")],
      ok: false,
    },
    { name: "a webpki miss", results: [result("limbo", "webpki::a", "miss")], ok: false },
    {
      name: "a PKITS false accept within the floor",
      results: [...pkits(249, 0), result("pkits", "4.1.9", "miss", true)],
      ok: false,
    },
  ])("$name", ({ results, ok }) => {
    const floor = checkFloor(results);
    expect(floor.ok).toBe(ok);
    expect(floor.failures.length === 0).toBe(ok);
  });
});

describe("summarise", () => {
  it("counts per group, PKITS sections in numeric order before limbo families", () => {
    const s = summarise([
      result("limbo", "webpki::x", "skipped"),
      result("pkits", "4.10.1", "right"),
      result("pkits", "4.2.1", "miss", true),
      result("limbo", "rfc5280::y", "tolerated"),
    ]);
    expect(s.map((g) => `${g.suite}:${g.group}`)).toEqual([
      "pkits:4.2",
      "pkits:4.10",
      "limbo:rfc5280",
      "limbo:webpki",
    ]);
    expect(s[1]).toMatchObject({ total: 1, right: 1, missed: 0 });
    expect(s[0]).toMatchObject({ missed: 1, falseAccepts: 1 });
    expect(s[2]).toMatchObject({ tolerated: 1 });
    expect(s[3]).toMatchObject({ skipped: 1 });
  });
});

describe("formatReport", () => {
  it("names every miss with its id, expectation and reason, and says whether the floor is met", () => {
    const results = [result("pkits", "4.4.1", "miss", true), result("limbo", "webpki::z", "skipped")];
    const text = formatReport(results, checkFloor(results));
    expect(text).toContain("pkits 4.4.1");
    expect(text).toContain("expected FAILURE, got accepted: why");
    expect(text).toContain("webpki::z");
    expect(text).toContain("Floor: NOT met");
  });
});
