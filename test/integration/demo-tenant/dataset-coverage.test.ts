/**
 * The demo dataset keeps its promises: every problem code and lifecycle state it claims is there, the
 * validation engine reaches exactly the intended verdict on each demo certificate (with the demo CA's trust
 * store and CRLs, at the dataset's date), and the pipeline-only findings are visible in the Graph data.
 */
import "reflect-metadata";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDemoCa } from "../../../shared/local/demo-ca.ts";
import {
  DEMO_USERS,
  expectedProblems,
  expectedStates,
  type ProblemCodeName,
} from "../../../shared/local/demo-tenant/dataset.ts";
import type { DemoCertificateRecord } from "../../../shared/local/demo-tenant/index.ts";
import { parseCertificate } from "../../../shared/pki/certificate.ts";
import { parseCrl } from "../../../shared/pki/crl.ts";
import { createEngine } from "../../../shared/pki/engine.ts";
import { trustStoreFromFiles } from "../../../shared/pki/trust-store.ts";
import { validateCertificate } from "../../../shared/usecases/validate-certificates.ts";
import { all, NOW, type Started, startTestTenant } from "./support.ts";

const DAY = 86_400_000;
/** Codes only the pipeline raises (from Intune, the directory and the policies), not the engine. */
const PIPELINE_ONLY = new Set<ProblemCodeName>([
  "ENCRYPTION_NOT_IMPORTED",
  "NOT_PUBLISHED_FOR_RECIPIENTS",
  "POLICY_DRIFT",
  "NOT_DELIVERED",
]);

let s: Started;
beforeAll(async () => {
  s = await startTestTenant();
});
afterAll(() => s.stop());

const dataset = () => {
  if (!s.tenant.dataset) throw new Error("no dataset");
  return s.tenant.dataset;
};

async function engineVerdict(c: DemoCertificateRecord, smtp: string): Promise<string[]> {
  const ca = await openDemoCa({ dir: join(s.dir, "demo-ca"), baseUrl: "http://127.0.0.1:7071", now: NOW });
  const anchors = trustStoreFromFiles([{ bytes: await readFile(ca.trustStorePath), source: "trust.pem" }]);
  const engine = createEngine({
    time: NOW,
    anchors,
    fetchCrl: async (url) => {
      const der = await ca.crl(url, NOW);
      return der ? { ok: true, crl: parseCrl(der) } : { ok: false, reason: `not the demo CA's: ${url}` };
    },
  });
  const { report } = await validateCertificate(
    engine,
    { file: c.thumbprint, certificate: parseCertificate(c.der) },
    { time: NOW, purpose: c.purpose, smtp },
  );
  const verdict = c.purpose === "signing" ? report.signing : report.encryption;
  return [...new Set(verdict.problems.filter((p) => p.severity === "error").map((p) => p.code))].sort();
}

describe("the demo users", () => {
  it("are about fifty, in English and Swedish", () => {
    expect(DEMO_USERS.length).toBeGreaterThanOrEqual(45);
    expect(DEMO_USERS.length).toBeLessThanOrEqual(60);
    expect(new Set(DEMO_USERS.map((u) => u.language))).toEqual(new Set(["en-US", "sv-SE"]));
    expect(new Set(DEMO_USERS.map((u) => u.name)).size).toBe(DEMO_USERS.length);
  });

  const codes: ProblemCodeName[] = [
    "EXPIRED",
    "NOT_YET_VALID",
    "REVOKED",
    "SMTP_MISMATCH",
    "KEY_USAGE_SIGNING",
    "KEY_USAGE_ENCRYPTION",
    "CHAIN_UNTRUSTED",
    "SIGNATURE_INVALID",
    "MALFORMED",
    "ENCRYPTION_NOT_IMPORTED",
    "NOT_DELIVERED",
    "NOT_PUBLISHED_FOR_RECIPIENTS",
    "POLICY_DRIFT",
  ];
  it.each(codes)("show %s", (code) => {
    const showing = DEMO_USERS.filter((u) => expectedProblems(u).includes(code)).map((u) => u.name);
    expect(showing.length).toBeGreaterThan(0);
  });

  it.each(["valid", "invalid", "expiring", "expired", "revoked", "removed"] as const)(
    "include a %s certificate",
    (state) => {
      expect(DEMO_USERS.some((u) => expectedStates(u).includes(state))).toBe(true);
    },
  );

  it.each([
    { name: "30", from: 14, to: 30 },
    { name: "14", from: 7, to: 14 },
    { name: "7", from: 1, to: 7 },
    { name: "1", from: 0, to: 1 },
  ])("have a certificate expiring within the $name-day threshold (and not the next)", ({ from, to }) => {
    const inside = dataset().certificates.filter((c) => {
      const days = (c.notAfter.getTime() - NOW.getTime()) / DAY;
      return days > from && days <= to && c.expect.state === "expiring";
    });
    expect(inside.length).toBeGreaterThan(0);
  });

  it.each([
    { name: "a disabled account", has: () => DEMO_USERS.some((u) => u.accountEnabled === false) },
    {
      name: "a user deleted after the first sync",
      has: () => DEMO_USERS.some((u) => u.afterFirstDelta?.deleted),
    },
    {
      name: "a primary SMTP change after the first sync",
      has: () => DEMO_USERS.some((u) => u.afterFirstDelta?.primarySmtp),
    },
    {
      name: "certificates removed from Intune after the first sync",
      has: () => DEMO_USERS.some((u) => u.afterFirstDelta?.removeCertificates),
    },
    { name: "a user without certificates", has: () => DEMO_USERS.some((u) => u.certificates.length === 0) },
    ...(["expiring", "revoked"] as const).flatMap((state) =>
      (["en-US", "sv-SE"] as const).map((language) => ({
        name: `a ${language} user with a ${state} certificate (told in that language)`,
        has: () => DEMO_USERS.some((u) => u.language === language && expectedStates(u).includes(state)),
      })),
    ),
    {
      name: "a user with no iOS or Android device whose certificate is expiring (told by e-mail)",
      has: () =>
        DEMO_USERS.some(
          (u) => u.devices.length === 0 && u.certificates.some((c) => c.expect.state === "expiring"),
        ),
    },
  ])("include $name", ({ has }) => {
    expect(has()).toBe(true);
  });
});

describe("the engine agrees with every certificate's intended verdict", () => {
  it("for each demo certificate, at the dataset's date", async () => {
    const mismatches: string[] = [];
    for (const c of dataset().certificates) {
      const user = dataset().users.find((u) => u.id === c.userId);
      const expected = c.expect.problems.filter((p) => !PIPELINE_ONLY.has(p)).sort();
      const actual = await engineVerdict(c, user?.primarySmtp ?? "");
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        mismatches.push(
          `${c.userPrincipalName} ${c.purpose}/${c.delivery}: expected ${expected} got ${actual}`,
        );
    }
    expect(mismatches).toEqual([]);
  });
});

describe("pipeline-only findings are visible in the Graph data", () => {
  it("ENCRYPTION_NOT_IMPORTED: encryption certificates delivered by SCEP or PKCS", () => {
    const flagged = dataset().certificates.filter((c) =>
      c.expect.problems.includes("ENCRYPTION_NOT_IMPORTED"),
    );
    expect(flagged.length).toBeGreaterThan(0);
    for (const c of flagged)
      expect([c.purpose, c.delivery]).toEqual(["encryption", expect.stringMatching(/^(scep|pkcs)$/)]);
  });

  it("NOT_PUBLISHED_FOR_RECIPIENTS: the current encryption certificate is not among the directory's", () => {
    for (const c of dataset().certificates.filter((x) =>
      x.expect.problems.includes("NOT_PUBLISHED_FOR_RECIPIENTS"),
    )) {
      const published = dataset().directory.get(c.userPrincipalName) ?? [];
      expect(published.some((der) => Buffer.from(der).equals(Buffer.from(c.der)))).toBe(false);
    }
  });

  it("NOT_DELIVERED: Intune reports installFailed or issuePending for those users' devices", async () => {
    const { items } = await all(
      s.tenant,
      "/beta/deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates",
    );
    const { items: profiles } = await all(s.tenant, "/beta/deviceManagement/deviceConfigurations");
    const states: Record<string, unknown>[] = [];
    for (const p of profiles.filter((x) => String(x["@odata.type"]).endsWith("CertificateProfile")))
      states.push(
        ...(
          await all(
            s.tenant,
            `/beta/deviceManagement/deviceConfigurations/${p.id}/managedDeviceCertificateStates`,
          )
        ).items,
      );
    const bad = states.filter(
      (x) => x.certificateIssuanceState === "installFailed" || x.certificateIssuanceState === "issuePending",
    );
    const owners = new Set(bad.map((x) => items.find((a) => a.id === x.id)?.userPrincipalName));
    const expected = DEMO_USERS.filter((u) => u.userProblems?.includes("NOT_DELIVERED")).map(
      (u) => `${u.name}@demo.smime-lifecycle.local`,
    );
    expect([...owners].sort()).toEqual(expected.sort());
    expect(bad.find((x) => x.certificateIssuanceState === "issuePending")?.certificateThumbprint).toBeNull();
  });

  it("MALFORMED: the directory holds bytes that are no certificate", () => {
    const tobias = dataset().directory.get("tobias@demo.smime-lifecycle.local") ?? [];
    const unreadable = tobias.filter((der) => {
      try {
        new x509.X509Certificate(der);
        return false;
      } catch {
        return true;
      }
    });
    expect(unreadable.length).toBe(1);
  });

  it("POLICY_DRIFT: the users who have it are exactly those with an Android device", () => {
    const drifted = DEMO_USERS.filter((u) => expectedProblems(u).includes("POLICY_DRIFT")).map((u) => u.name);
    expect(drifted).toEqual(DEMO_USERS.filter((u) => u.devices.includes("android")).map((u) => u.name));
  });

  it("REVOKED by Intune shows certificateRevokeStatus revoked", async () => {
    const { items } = await all(
      s.tenant,
      "/beta/deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates",
    );
    const hedda = items.filter((i) => i.userPrincipalName === "hedda@demo.smime-lifecycle.local");
    expect(hedda.map((i) => i.certificateRevokeStatus).sort()).toEqual(["none", "revoked"]);
  });
});
