/**
 * The demo tenant's directory behind the pipeline's `Directory` port: what an LDAP lookup would return for a
 * demo user (the encryption certificates published for recipients, the malformed value, the older certificate),
 * for local mode where no slapd runs. Values are read by the same code as the LDAP adapter's
 * (`entryCertificates`), so a malformed one is reported the same way.
 */
import { entryCertificates } from "../../adapters/ldap-certificates.ts";
import type { Directory, DirectoryCertificates, DirectoryUser } from "../../ports.ts";
import type { DemoDataset } from "./demo-data.ts";

/** A `Directory` over the demo dataset; looks users up by UPN, mail or primary SMTP, case-insensitively. */
export function createDemoDirectory(dataset: DemoDataset): Directory {
  return {
    async certificatesFor(user: DirectoryUser): Promise<DirectoryCertificates> {
      const wanted = [user.userPrincipalName, user.mail, user.primarySmtp]
        .filter((a): a is string => typeof a === "string" && a.length > 0)
        .map((a) => a.toLowerCase());
      const record = dataset.users.find(
        (u) =>
          wanted.includes(u.userPrincipalName.toLowerCase()) || wanted.includes(u.primarySmtp.toLowerCase()),
      );
      if (!record) return { found: "none" };
      const dn = `CN=${record.spec.displayName},OU=People,DC=demo,DC=smime-lifecycle,DC=local`;
      const values = (dataset.directory.get(record.userPrincipalName.toLowerCase()) ?? []).map((d) =>
        Buffer.from(d),
      );
      const entry = entryCertificates({ dn, "userCertificate;binary": values });
      return { found: "one", dn, certificates: entry.certificates, unreadable: entry.unreadable };
    },
    async close() {},
  };
}
