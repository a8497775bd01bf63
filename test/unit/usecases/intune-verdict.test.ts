import { describe, expect, it } from "vitest";
import type { CertificateRecord } from "../../../shared/contracts/rows.ts";
import { withIntuneProblems } from "../../../shared/usecases/intune-verdict.ts";

const base: CertificateRecord = {
  userId: "u1",
  thumbprint: "A".repeat(40),
  userPrincipalName: "alice@contoso.com",
  sources: ["intunePfx"],
  purpose: "both",
  state: "discovered",
  emailAddresses: [],
  crlUrls: [],
  thresholdsAnnounced: [],
  revision: 0,
  updatedAt: "2026-06-01T00:00:00.000Z",
};
const ready = { ready: true, problems: [] };
const codes = (v: { problems: readonly { code: string }[] } | undefined) => v?.problems.map((p) => p.code);

describe("withIntuneProblems", () => {
  it.each([
    {
      name: "imported, delivered, validated: the engine's verdict unchanged",
      record: { ...base, signing: ready, encryption: ready },
      expected: { signing: [true, []], encryption: [true, []] },
    },
    {
      name: "SCEP encryption certificate: ENCRYPTION_NOT_IMPORTED blocks encryption only",
      record: { ...base, sources: ["intuneScep"], signing: ready, encryption: ready },
      expected: { signing: [true, []], encryption: [false, ["ENCRYPTION_NOT_IMPORTED"]] },
    },
    {
      name: "failed on an iOS device: NOT_DELIVERED for both purposes",
      record: { ...base, undeliveredOn: ["iOS"], issuanceState: "failed", signing: ready, encryption: ready },
      expected: { signing: [false, ["NOT_DELIVERED"]], encryption: [false, ["NOT_DELIVERED"]] },
    },
    {
      name: "delivered again: the stored NOT_DELIVERED is dropped, not kept",
      record: {
        ...base,
        signing: { ready: false, problems: [{ code: "NOT_DELIVERED", severity: "error", message: "m" }] },
        encryption: ready,
      },
      expected: { signing: [true, []], encryption: [true, []] },
    },
    {
      name: "metadata only and nothing wrong: no verdict (never a ready nothing checked)",
      record: base,
      expected: { signing: undefined, encryption: undefined },
    },
    {
      name: "metadata only, a SCEP encryption certificate: encryption not ready, signing unjudged",
      record: { ...base, sources: ["intuneScep"] },
      expected: { signing: undefined, encryption: [false, ["ENCRYPTION_NOT_IMPORTED"]] },
    },
  ] as const)("$name", ({ record, expected }) => {
    const out = withIntuneProblems(record as CertificateRecord);
    for (const purpose of ["signing", "encryption"] as const) {
      const want = expected[purpose];
      if (want === undefined) expect(out[purpose]).toBeUndefined();
      else expect([out[purpose]?.ready, codes(out[purpose])]).toEqual(want);
    }
  });
});
