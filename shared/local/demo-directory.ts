/**
 * The demo tenant's directory as the `Directory` port: what an LDAP search of the org's directory would
 * answer for a demo user (the certificates published on their entry, malformed values included), read from
 * the demo tenant's dataset in process. Local mode has no LDAP server, and without a directory the pipeline
 * never sees the bytes of a certificate Intune knows only by thumbprint.
 */

import { parseCertificate } from "../pki/certificate.ts";
import type { Directory, DirectoryCertificate, DirectoryCertificates, DirectoryUser } from "../ports.ts";
import type { DemoTenant } from "./demo-tenant/index.ts";

/** The demo tenant's directory; undefined for a generated tenant (it publishes nothing). */
export function demoDirectory(tenant: DemoTenant): Directory | undefined {
  if (!tenant.dataset) return undefined;
  return {
    async certificatesFor(user: DirectoryUser): Promise<DirectoryCertificates> {
      const upn = user.userPrincipalName.toLowerCase();
      // Live: an encryption certificate a device sync installed is published too (device-installs.ts).
      const values = tenant.directoryOf(upn);
      if (!values) return { found: "none" };
      const certificates: DirectoryCertificate[] = [];
      const unreadable: string[] = [];
      for (const [i, der] of values.entries()) {
        try {
          parseCertificate(der);
          certificates.push({ der, attribute: "userCertificate" });
        } catch (e) {
          unreadable.push(`userCertificate;binary value ${i + 1}: ${(e as Error).message}`);
        }
      }
      return { found: "one", dn: `uid=${upn.split("@")[0]},ou=people,dc=demo`, certificates, unreadable };
    },
    close: async () => undefined,
  };
}
