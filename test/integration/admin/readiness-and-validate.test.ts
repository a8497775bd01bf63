/**
 * `GET users/{upn}/readiness` and `POST certificates/validate` over real parts: the router with a bearer token,
 * Azurite stores holding demo users' certificates as the certificate processor judged them (the demo CA's
 * trust store, its CRLs answered in process), and the Outlook policy drift the last audit recorded.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminApiDeps } from "../../../functions/admin-api-deps.ts";
import { createEvent } from "../../../shared/contracts/events.ts";
import type { ValidationReport } from "../../../shared/contracts/validation-report.ts";
import type { UserReadiness } from "../../../shared/domain/readiness.ts";
import { AppRoles } from "../../../shared/http/auth.ts";
import { createRouter, type Router } from "../../../shared/http/router.ts";
import { certificatesValidateRoute } from "../../../shared/http/routes/certificates-validate.ts";
import { userReadinessRoute } from "../../../shared/http/routes/user-readiness.ts";
import { type DemoCa, openDemoCa } from "../../../shared/local/demo-ca.ts";
import type { DemoDataset, DemoUserRecord } from "../../../shared/local/demo-tenant/index.ts";
import { createPkiDeps } from "../../../shared/runtime.ts";
import { writePolicyDrift } from "../../../shared/usecases/policy-drift-state.ts";
import { processCertificateEvent } from "../../../shared/usecases/process-certificate-event.ts";
import { mint, type RequestOptions, request, signingKey, verifierFor } from "../../unit/http/fixtures.ts";
import { NOW, type Started, startTestTenant } from "../demo-tenant/support.ts";
import { type Harness, harness, messageOf } from "../usecases/harness.ts";

const SOURCE = { pfx: "intunePfx", scep: "intuneScep", pkcs: "intunePkcs" } as const;

let h: Harness;
let started: Started;
let dataset: DemoDataset;
let ca: DemoCa;
let router: Router;
let readerToken = "";

const demoUser = (name: string): DemoUserRecord => {
  const user = dataset.users.find((u) => u.spec.name === name);
  if (!user) throw new Error(`no demo user ${name}`);
  return user;
};

/** The user's demo certificates announced as the first Intune sync would, judged by the real processor. */
async function inventoryOf(user: DemoUserRecord) {
  await h.stores.users.put(
    {
      userId: user.id,
      userPrincipalName: user.userPrincipalName,
      primarySmtp: user.primarySmtp,
      accountEnabled: true,
      deleted: false,
      reasons: [],
      updatedAt: NOW.toISOString(),
    },
    { ifAbsent: true },
  );
  for (const c of dataset.certificates.filter((c) => c.userId === user.id)) {
    const event = createEvent(
      "certificate.discovered",
      {
        userId: user.id,
        userPrincipalName: user.userPrincipalName,
        smtp: user.primarySmtp,
        thumbprint: c.thumbprint,
        source: SOURCE[c.delivery],
        purpose: c.purpose,
        certificate: Buffer.from(c.der).toString("base64"),
        ...(c.platforms.length === 1 && { platform: c.platforms[0] }),
      },
      { source: "/smime-lifecycle/syncIntune", time: NOW },
    );
    await processCertificateEvent(h.deps, messageOf(event));
  }
}

async function call(options: RequestOptions) {
  const response = await router.dispatch(
    request({ ...options, headers: { ...options.headers, authorization: `Bearer ${readerToken}` } }),
  );
  return { response, body: JSON.parse(response.body) as Record<string, unknown> };
}

beforeAll(async () => {
  h = await harness("adminreadiness");
  h.clock.set(NOW);
  started = await startTestTenant();
  dataset = started.tenant.dataset!;
  ca = await openDemoCa({ dir: join(started.dir, "demo-ca"), baseUrl: "http://127.0.0.1:7071", now: NOW });
  Object.assign(h.deps, {
    pki: createPkiDeps({
      trustStorePath: ca.trustStorePath,
      allowPrivateNetwork: false,
      clock: h.clock,
      localCrl: ca.crl,
    }),
  });
  for (const name of ["kevin", "aino", "gabriel"]) await inventoryOf(demoUser(name));
  // The last app configuration audit found the Android Outlook policy drifted (as the demo tenant's is).
  await writePolicyDrift(
    h.stores.cursors,
    {
      drifted: [
        {
          platform: "android",
          policyIds: ["android-outlook"],
          differences: [{ key: "smimeEnabled", expected: true, actual: false }],
        },
      ],
      readinessRefreshedFor: ["android"],
      observedAt: NOW.toISOString(),
    },
    NOW,
  );
  const key = await signingKey();
  readerToken = await mint(key, { roles: [AppRoles.reader] });
  const admin = adminApiDeps({ ...h.deps, operations: h.stores.operations });
  router = createRouter([userReadinessRoute(admin), certificatesValidateRoute(admin)], {
    verifier: verifierFor(key),
    logger: h.logger,
  });
}, 60_000);
afterAll(async () => {
  await started?.stop();
  await h?.close();
});

const codes = (verdict: { reasons: { code: string }[] }) => verdict.reasons.map((r) => r.code).sort();

describe("GET users/{upn}/readiness", () => {
  it("kevin (Android only, PKCS-issued encryption key, drifted Android policy): every reason, per purpose and platform", async () => {
    const { response, body } = await call({
      path: `/api/users/${demoUser("kevin").userPrincipalName}/readiness`,
    });
    expect(response.status).toBe(200);
    const readiness = body as unknown as UserReadiness;
    expect(readiness).toMatchObject({
      userId: demoUser("kevin").id,
      platforms: ["android"],
      signingReady: false,
      encryptionReady: false,
    });
    expect(codes(readiness.signing.android)).toEqual(["POLICY_DRIFT"]);
    expect(codes(readiness.encryption.android)).toEqual(["ENCRYPTION_NOT_IMPORTED", "POLICY_DRIFT"]);
    // Nothing of his reaches an iPhone.
    expect(codes(readiness.signing.iOS)).toEqual(["NO_CERTIFICATE"]);
    expect(codes(readiness.encryption.iOS)).toEqual(["NO_CERTIFICATE"]);
    expect([...readiness.reasons].sort()).toEqual(["ENCRYPTION_NOT_IMPORTED", "POLICY_DRIFT"]);
  });

  it("gabriel (expired encryption certificate, nothing replaced it): signs, cannot encrypt, EXPIRED named with its thumbprint", async () => {
    const gabriel = demoUser("gabriel");
    const expired = dataset.certificates.find((c) => c.userId === gabriel.id && c.purpose === "encryption");
    const { body } = await call({ path: `/api/users/${gabriel.userPrincipalName}/readiness` });
    const readiness = body as unknown as UserReadiness;
    expect(readiness.signing.iOS.ready).toBe(true);
    expect(readiness.encryption.iOS.reasons).toContainEqual(
      expect.objectContaining({ code: "EXPIRED", thumbprint: expired?.thumbprint }),
    );
    expect(readiness.encryptionReady).toBe(false);
  });

  it("aino (iOS and Android, healthy certificates): ready on iOS, held back by the drifted Android policy only", async () => {
    const { body } = await call({
      path: `/api/users/${demoUser("aino").userPrincipalName.toUpperCase()}/readiness`,
    });
    const readiness = body as unknown as UserReadiness;
    expect(readiness.signing.iOS).toMatchObject({ ready: true, reasons: [] });
    expect(readiness.encryption.iOS).toMatchObject({ ready: true, reasons: [] });
    expect(codes(readiness.signing.android)).toEqual(["POLICY_DRIFT"]);
    expect(readiness.reasons).toEqual(["POLICY_DRIFT"]);
  });

  it("an unknown user → 404", async () => {
    const { response, body } = await call({ path: "/api/users/nobody@demo.smime-lifecycle.local/readiness" });
    expect(response.status).toBe(404);
    expect(body).toEqual({ error: { code: "not_found", message: "no such user" } });
  });
});

describe("POST certificates/validate", () => {
  const aino = () => demoUser("aino");
  const ainoEncryption = () =>
    dataset.certificates.find((c) => c.userId === aino().id && c.purpose === "encryption")!;
  const pem = (fields: { type: string; body: string }): RequestOptions => ({
    method: "POST",
    path: "/api/certificates/validate",
    headers: { "content-type": fields.type },
    body: fields.body,
  });

  const json = (fields: Record<string, unknown>) =>
    pem({ type: "application/json", body: JSON.stringify({ certificate: ainoEncryption().pem, ...fields }) });

  // Aino's encryption certificate is a key-agreement/encipherment-only key: ready to encrypt, not to sign.
  const cases = [
    {
      name: "a PEM body (text/plain), both purposes by default: not ready, it cannot sign",
      request: () => pem({ type: "text/plain", body: ainoEncryption().pem }),
      ready: "false",
      signing: ["KEY_USAGE_SIGNING"],
      encryption: [] as string[],
    },
    {
      name: "JSON for encryption with her primary SMTP address: ready",
      request: () => json({ purpose: "encryption", smtp: aino().primarySmtp }),
      ready: "true",
      signing: ["KEY_USAGE_SIGNING"],
      encryption: [],
    },
    {
      name: "JSON for encryption with another address: SMTP_MISMATCH",
      request: () => json({ purpose: "encryption", smtp: "someone@contoso.com" }),
      ready: "false",
      signing: ["KEY_USAGE_SIGNING", "SMTP_MISMATCH"],
      encryption: ["SMTP_MISMATCH"],
    },
  ];
  it.each(cases)("$name", async ({ request: req, ready, signing, encryption }) => {
    const { response, body } = await call(req());
    expect(response.status).toBe(200);
    expect(response.headers["x-smime-ready"]).toBe(ready);
    const report = body as unknown as ValidationReport;
    expect(report.certificate?.thumbprint).toBe(ainoEncryption().thumbprint);
    // The leaf and the issuing CA, an anchor of the demo trust store.
    expect(report.chain).toHaveLength(2);
    expect(report.signing.problems.map((p) => p.code).sort()).toEqual(signing);
    expect(report.encryption.problems.map((p) => p.code)).toEqual(encryption);
    expect(report.checkedAt).toBe(NOW.toISOString());
  });

  it.each([
    {
      name: "not a certificate",
      body: () => "hello",
      message: "body.certificate: neither PEM nor base64 DER",
    },
    {
      name: "two certificates",
      body: () => `${ainoEncryption().pem}\n${ca.rootPem}`,
      message: "body.certificate: holds 2 certificates; send the user's certificate alone",
    },
  ])("$name → 400 naming the field", async ({ body, message }) => {
    const { response, body: answer } = await call(pem({ type: "application/x-pem-file", body: body() }));
    expect(response.status).toBe(400);
    expect(answer).toEqual({ error: { code: "invalid_request", message } });
  });
});
