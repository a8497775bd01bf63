import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Problem } from "../../../shared/pki/problems.ts";
import {
  type ConformanceEngine,
  type EngineOptions,
  sharedPkiEngine,
} from "../../conformance/engine-binding.ts";
import { judgeLimboCase, runLimboCase } from "../../conformance/limbo.ts";
import { judgePkitsCase, loadPkits, runPkitsCase } from "../../conformance/pkits.ts";
import { CONFORMANCE_DIR, limboCase } from "./limbo-leaf.ts";

const NOW = new Date("2026-11-28T00:00:00Z");

/** The real parsers with a stand-in validateChain that records what it was asked and answers `problems`. */
function fakeEngine(problems: Problem[] = [], overrides: Partial<ConformanceEngine> = {}) {
  const calls: EngineOptions[] = [];
  const engine: ConformanceEngine = {
    ...sharedPkiEngine,
    validateChain: async (_leaf, options) => {
      calls.push(options);
      return { chain: undefined, problems };
    },
    ...overrides,
  };
  return { engine, calls };
}

const unreachable: Problem = { code: "CRL_UNREACHABLE", severity: "error", message: "offline" };

describe("runLimboCase", () => {
  it("validates at now when the case names no time, offline, without revocation when it brings no CRL", async () => {
    const { engine, calls } = fakeEngine([unreachable]);
    const outcome = await runLimboCase(engine, limboCase("pathlen::ee-with-intermediate-pathlen-0"), NOW);
    expect(calls[0]).toMatchObject({ time: NOW, revocation: false, crls: [] });
    expect(calls[0]?.fetchCrl).toBeUndefined();
    expect(calls[0]?.intermediates).toHaveLength(1);
    expect(calls[0]?.anchors).toHaveLength(1);
    // CRL_UNREACHABLE does not apply when revocation is off: dropped, with a note.
    expect(outcome.problems).toEqual([]);
    expect(outcome.notes.join()).toMatch(/not applicable, dropped: CRL_UNREACHABLE/);
  });

  it("uses the case's time, its CRLs with revocation on, and keeps CRL problems", async () => {
    const { engine, calls } = fakeEngine([unreachable]);
    const outcome = await runLimboCase(engine, limboCase("crl::revoked-certificate-with-crl"), NOW);
    expect(calls[0]).toMatchObject({ time: new Date("2024-01-01T00:00:00Z"), revocation: true });
    expect(calls[0]?.crls).toHaveLength(1);
    expect(outcome.problems.map((p) => p.code)).toEqual(["CRL_UNREACHABLE"]);
  });

  it("passes max_chain_depth as maxDepth", async () => {
    const { engine, calls } = fakeEngine();
    await runLimboCase(engine, limboCase("pathlen::max-chain-depth-1"), NOW);
    expect(calls[0]?.maxDepth).toBe(1);
  });

  it("adds the harness's peer-name check to the engine's answer", async () => {
    const { engine } = fakeEngine();
    const c = limboCase("webpki::san::mismatch-domain-san");
    const result = judgeLimboCase(c, await runLimboCase(engine, c, NOW));
    expect(result.outcome.problems).toEqual([
      expect.objectContaining({ code: "PEER_NAME_MISMATCH", source: "harness" }),
    ]);
    expect(result.verdict).toBe("right");
  });

  it("answers MALFORMED when the peer certificate does not parse, without calling the engine", async () => {
    const { engine, calls } = fakeEngine([], {
      parseCertificate: () => {
        throw new Error("bad DER");
      },
    });
    const outcome = await runLimboCase(engine, limboCase("rfc5280::ee-empty-issuer"), NOW);
    expect(calls).toHaveLength(0);
    expect(outcome.problems).toEqual([expect.objectContaining({ code: "MALFORMED", severity: "error" })]);
  });

  it("answers CRL_INVALID when a CRL does not parse", async () => {
    const { engine } = fakeEngine([], {
      parseCrl: () => {
        throw new Error("bad CRL");
      },
    });
    const outcome = await runLimboCase(engine, limboCase("crl::certificate-not-on-crl"), NOW);
    expect(outcome.problems).toEqual([expect.objectContaining({ code: "CRL_INVALID", severity: "error" })]);
  });

  it("records a throwing engine as an engine failure, which is a miss", async () => {
    const { engine } = fakeEngine([], {
      validateChain: () => Promise.reject(new Error("not implemented yet")),
    });
    const c = limboCase("rfc5280::chain-untrusted-root");
    const result = judgeLimboCase(c, await runLimboCase(engine, c, NOW));
    expect(result.outcome.engineFailure).toMatch(/not implemented yet/);
    expect(result.verdict).toBe("miss");
  });
});

describe("runPkitsCase", () => {
  const suite = loadPkits(resolve(CONFORMANCE_DIR, "pkits"));
  const byId = (id: string) => {
    const c = suite.file.cases.find((x) => x.id === id);
    if (!c) throw new Error(`no PKITS case ${id}`);
    return c;
  };

  it("passes the suite time, the anchor, the path's CAs, the listed CRLs, revocation and the policy inputs", async () => {
    const { engine, calls } = fakeEngine();
    const c = byId("4.10.3-2");
    await runPkitsCase(engine, suite, c);
    expect(calls[0]).toMatchObject({
      time: new Date("2011-04-15T00:00:00Z"),
      revocation: true,
      policy: {
        initialPolicySet: c.initialPolicySet,
        initialExplicitPolicy: c.initialExplicitPolicy,
        initialPolicyMappingInhibit: c.initialPolicyMappingInhibit,
        initialAnyPolicyInhibit: c.initialAnyPolicyInhibit,
      },
    });
    expect(calls[0]?.anchors).toHaveLength(1);
    expect(calls[0]?.intermediates).toHaveLength(c.path.length - 1);
    expect(calls[0]?.crls).toHaveLength(c.crls.length);
  });

  it("checks the user-constrained policy set of an expected-valid case", async () => {
    const c = byId("4.8.10-3");
    const engine: ConformanceEngine = {
      ...sharedPkiEngine,
      validateChain: async () => ({
        chain: undefined,
        problems: [],
        userConstrainedPolicySet: ["2.5.29.32.0"],
      }),
    };
    const result = judgePkitsCase(c, await runPkitsCase(engine, suite, c));
    expect(result.verdict).toBe("miss");
    expect(result.reason).toMatch(/user-constrained policy set/);
  });
});
