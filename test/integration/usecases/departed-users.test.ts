/**
 * Issue 4 item 3's departed user: a disabled or deleted user → user.changed → that user's certificates
 * re-validated, and recommended for revocation (readiness per certificate, a log line each, the reason on each
 * re-validation in the audit ledger); an account enabled again withdraws the advice. Real tables and bus.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudEventEnvelope } from "../../../shared/contracts/cloud-event.ts";
import { createEvent, type EventData } from "../../../shared/contracts/events.ts";
import { processCertificateEvent } from "../../../shared/usecases/process-certificate-event.ts";
import { queryReadiness } from "../../../shared/usecases/query-readiness.ts";
import { base64, type Harness, harness, messageOf, NOW } from "./harness.ts";

let h: Harness;
const OPTIONS = { source: "/smime-lifecycle/test", time: NOW };
const sha1 = (der: Uint8Array): string => createHash("sha1").update(der).digest("hex").toUpperCase();

beforeAll(async () => {
  h = await harness("ucdeparted");
});
afterAll(() => h.close());

const handle = (event: CloudEventEnvelope) => processCertificateEvent(h.deps, messageOf(event));

let n = 0;
/** A user with two working certificates and one already revoked, as the processor stored them. */
async function userWithCertificates(label: string) {
  n++;
  const u = { userId: `user-${label}-${n}`, upn: `${label}${n}@contoso.com` };
  const thumbprints: string[] = [];
  for (const purpose of ["signing", "encryption"] as const) {
    const leaf = await h.pki.leaf({ email: u.upn });
    thumbprints.push(sha1(leaf.der));
    await handle(
      createEvent(
        "certificate.discovered",
        {
          userId: u.userId,
          thumbprint: sha1(leaf.der),
          userPrincipalName: u.upn,
          source: "manual",
          purpose,
          certificate: base64(leaf.der),
        },
        OPTIONS,
      ),
    );
  }
  const gone = await h.pki.leaf({ email: u.upn });
  await h.stores.certificates.put(
    {
      userId: u.userId,
      thumbprint: sha1(gone.der),
      userPrincipalName: u.upn,
      sources: ["manual"],
      purpose: "signing",
      state: "revoked",
      emailAddresses: [u.upn],
      crlUrls: [],
      thresholdsAnnounced: [],
      revision: 1,
      updatedAt: NOW.toISOString(),
    },
    { force: true },
  );
  return { ...u, thumbprints };
}

const changed = (
  u: { userId: string; upn: string },
  change: EventData<"user.changed">["change"],
  at: string,
) =>
  createEvent(
    "user.changed",
    { userId: u.userId, userPrincipalName: u.upn, change, observedAt: at },
    OPTIONS,
  );

const revalidations = (userId: string) =>
  h.bus
    .ofType("certificate.revalidationRequested")
    .filter((e) => (e.data as { userId: string }).userId === userId)
    .map((e) => e.data as EventData<"certificate.revalidationRequested">);

const adviceLines = (userId: string) =>
  h.logger.lines.filter(
    (l) => l.message === "certificate.revocationRecommended" && l.fields.userId === userId,
  );

describe("a departed user's certificates", () => {
  it.each([
    { change: "disabled" as const, reason: "USER_DISABLED" },
    { change: "deleted" as const, reason: "USER_DELETED" },
  ])(
    "$change: each live certificate re-validated and recommended for revocation ($reason)",
    async ({ change, reason }) => {
      const u = await userWithCertificates(change);
      const outcome = await handle(changed(u, change, "2026-06-01T01:00:00.000Z"));
      expect(outcome).toMatchObject({ result: "changed", published: 2 });
      expect(
        revalidations(u.userId)
          .map((r) => [r.thumbprint, r.reason])
          .sort(),
      ).toEqual(u.thumbprints.map((t) => [t, `user.changed ${change}: revocation recommended`]).sort());
      expect(
        adviceLines(u.userId)
          .map((l) => [l.fields.thumbprint, l.fields.reason])
          .sort(),
      ).toEqual(u.thumbprints.map((t) => [t, reason]).sort());
      const readiness = await queryReadiness(h.deps, u.upn);
      expect(readiness?.revocationRecommended?.map((a) => [a.thumbprint, a.reason]).sort()).toEqual(
        u.thumbprints.map((t) => [t, reason]).sort(),
      );
      // The re-validations themselves change no verdict: a departure is the user's state, not the certificate's.
      for (const request of h.bus.ofType("certificate.revalidationRequested").slice(-2))
        expect((await handle(request)).result).not.toBe("failed");
    },
  );

  it("an account enabled again: the advice is withdrawn, the certificates re-validated without it", async () => {
    const u = await userWithCertificates("returning");
    await handle(changed(u, "disabled", "2026-06-01T01:00:00.000Z"));
    expect((await queryReadiness(h.deps, u.upn))?.revocationRecommended).toHaveLength(2);
    const lines = adviceLines(u.userId).length;
    await handle(changed(u, "enabled", "2026-06-01T02:00:00.000Z"));
    expect(await queryReadiness(h.deps, u.upn)).not.toHaveProperty("revocationRecommended");
    expect(adviceLines(u.userId)).toHaveLength(lines);
    expect(revalidations(u.userId).filter((r) => r.reason === "user.changed enabled")).toHaveLength(2);
  });
});
