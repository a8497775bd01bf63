/** The demo directory answers the pipeline's Directory port the way the LDAP adapter would. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoDirectory } from "../../../shared/local/demo-tenant/index.ts";
import type { Directory } from "../../../shared/ports.ts";
import { type Started, startTestTenant } from "./support.ts";

const D = "demo.smime-lifecycle.local";
let s: Started;
let directory: Directory;
beforeAll(async () => {
  s = await startTestTenant();
  if (!s.tenant.dataset) throw new Error("no dataset");
  directory = createDemoDirectory(s.tenant.dataset);
});
afterAll(() => s.stop());

const current = (upn: string) =>
  s.tenant.dataset?.certificates.filter(
    (c) => c.userPrincipalName === upn && c.purpose === "encryption" && c.published,
  );

describe("demo directory", () => {
  it.each([
    {
      name: "a ready user: the current encryption certificate",
      upn: `aino@${D}`,
      certificates: 1,
      unreadable: 0,
      isCurrent: true,
    },
    { name: "not published: none", upn: `nadia@${D}`, certificates: 0, unreadable: 0, isCurrent: false },
    { name: "an older certificate only", upn: `otto@${D}`, certificates: 1, unreadable: 0, isCurrent: false },
    {
      name: "a malformed value beside the real one",
      upn: `tobias@${D}`,
      certificates: 1,
      unreadable: 1,
      isCurrent: true,
    },
  ])("$name", async ({ upn, certificates, unreadable, isCurrent }) => {
    const found = await directory.certificatesFor({ userPrincipalName: upn });
    if (found.found !== "one") throw new Error(`expected one entry, got ${found.found}`);
    expect(found.certificates.length).toBe(certificates);
    expect(found.unreadable.length).toBe(unreadable);
    const ders = found.certificates.map((c) => Buffer.from(c.der).toString("base64"));
    const expected = (current(upn) ?? []).map((c) => Buffer.from(c.der).toString("base64"));
    expect(ders.some((d) => expected.includes(d))).toBe(isCurrent);
  });

  it("finds a user by primary SMTP when it differs from the UPN, and nobody for a stranger", async () => {
    expect(
      (await directory.certificatesFor({ userPrincipalName: "x@y", primarySmtp: `IVAN.PETROV@${D}` })).found,
    ).toBe("one");
    expect((await directory.certificatesFor({ userPrincipalName: `stranger@${D}` })).found).toBe("none");
  });
});
