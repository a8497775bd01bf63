/**
 * The certificates on one directory entry, as ldapts returns it.
 *
 * `userCertificate` holds DER certificates; LDAPv3 servers with the certificate syntax (OpenLDAP) only
 * transfer it with the `;binary` option (RFC 4523), Active Directory answers either form. `userSMIMECertificate`
 * (RFC 2798) holds a PKCS#7 SignedData whose `certificates` field carries the user's certificate, often with
 * its chain. A value that is neither is reported, not thrown: one bad value must not hide the others.
 */
import { z } from "zod";
import { extractCertificates } from "../pki/formats.ts";
import type { DirectoryCertificate } from "../ports.ts";

/** Requested attributes: both spellings of userCertificate, since directories differ in which they answer. */
export const CERTIFICATE_ATTRIBUTES = ["userCertificate;binary", "userCertificate", "userSMIMECertificate"];

/**
 * ldapts returns an attribute as Buffers only when its returned name is listed here exactly (or a value is not
 * UTF-8); servers differ in the case and options they echo, so every likely spelling is listed.
 */
export const BUFFER_ATTRIBUTES = [
  ...CERTIFICATE_ATTRIBUTES,
  "userSMIMECertificate;binary",
  "usercertificate;binary",
  "usercertificate",
  "usersmimecertificate",
];

const Value = z.union([z.instanceof(Buffer), z.string()]);
const Entry = z.object({ dn: z.string() }).catchall(z.union([Value, z.array(Value)]));

const KIND: Readonly<Record<string, DirectoryCertificate["attribute"]>> = {
  usercertificate: "userCertificate",
  usersmimecertificate: "userSMIMECertificate",
};

export interface EntryCertificates {
  readonly dn: string;
  readonly certificates: DirectoryCertificate[];
  readonly unreadable: string[];
}

/** The distinct certificates (by DER) of an entry's certificate attributes, and the values that held none. */
export function entryCertificates(raw: unknown): EntryCertificates {
  const { dn, ...attributes } = Entry.parse(raw);
  const certificates: DirectoryCertificate[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(attributes)) {
    const attribute = KIND[(name.split(";")[0] ?? "").toLowerCase()];
    if (!attribute) continue;
    for (const [i, v] of (Array.isArray(value) ? value : [value]).entries()) {
      const where = `${name}[${i}]`;
      if (typeof v === "string") {
        unreadable.push(`${where}: returned as text, not binary`);
        continue;
      }
      try {
        for (const der of extractCertificates(new Uint8Array(v), where)) {
          const key = Buffer.from(der).toString("base64");
          if (seen.has(key)) continue;
          seen.add(key);
          certificates.push({ der: new Uint8Array(der), attribute });
        }
      } catch (e) {
        unreadable.push((e as Error).message);
      }
    }
  }
  return { dn, certificates, unreadable };
}
