/**
 * The S/MIME rules Exchange Online and Outlook apply to the end-entity certificate (DESIGN.md, rules 3–4):
 * extended key usage, key usage per purpose, and the e-mail address the certificate is for.
 *
 * keyUsage absent: RFC 5280 §4.2.1.3 lets a certificate without keyUsage be used for any purpose its key
 * allows, and RFC 8550 §4.4.2 only constrains keyUsage "if the key usage extension is present", so an
 * absent extension satisfies both purposes; only the key type can then rule encryption out.
 */
import type { Certificate } from "./certificate.ts";
import { Eku, KeyUsage } from "./extensions.ts";
import { attributeValues, formatName, OID_EMAIL_ADDRESS } from "./name.ts";
import { error, type Problem, ProblemCode } from "./problems.ts";

export type Purpose = "signing" | "encryption";

export interface SmimeOptions {
  /** The user's primary SMTP address; when given it must be one of the certificate's addresses. */
  readonly smtp?: string;
}

export interface SmimeFindings {
  /** SAN rfc822Names, then subject emailAddress values; de-duplicated case-insensitively, original case kept. */
  readonly emailAddresses: string[];
  readonly signing: Problem[];
  readonly encryption: Problem[];
}

/** Public key algorithms by what they can do in S/MIME (RFC 8550 §4.4, RFC 8551 §2). */
const KeyAlgorithm = {
  rsa: "1.2.840.113549.1.1.1",
  rsaPss: "1.2.840.113549.1.1.10",
  ec: "1.2.840.10045.2.1",
  dsa: "1.2.840.10040.4.1",
  x25519: "1.3.101.110",
  x448: "1.3.101.111",
  ed25519: "1.3.101.112",
  ed448: "1.3.101.113",
} as const;

const SIGNING_KEYS = new Set<string>([
  KeyAlgorithm.rsa,
  KeyAlgorithm.rsaPss,
  KeyAlgorithm.ec,
  KeyAlgorithm.dsa,
  KeyAlgorithm.ed25519,
  KeyAlgorithm.ed448,
]);

/** The e-mail addresses a certificate is issued for, in the order Outlook shows them. */
export function emailAddressesOf(cert: Certificate): string[] {
  const fromSan = (cert.subjectAltName ?? []).flatMap((g) => (g.type === "rfc822Name" ? [g.value] : []));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of [...fromSan, ...attributeValues(cert.subject, OID_EMAIL_ADDRESS)]) {
    const key = a.trim().toLowerCase();
    if (key === "" || seen.has(key)) continue;
    seen.add(key);
    out.push(a.trim());
  }
  return out;
}

function checkEku(cert: Certificate): Problem[] {
  const eku = cert.extKeyUsage;
  if (eku === undefined || eku.includes(Eku.emailProtection) || eku.includes(Eku.any)) return [];
  return [
    error(ProblemCode.EKU_NOT_EMAIL_PROTECTION, "extended key usage does not include emailProtection", {
      certificate: formatName(cert.subject),
      extKeyUsage: [...eku],
    }),
  ];
}

function checkAddresses(
  cert: Certificate,
  addresses: readonly string[],
  smtp: string | undefined,
): Problem[] {
  if (addresses.length === 0) {
    return [
      error(
        ProblemCode.NO_EMAIL_ADDRESS,
        "the certificate names no e-mail address (SAN rfc822Name or subject E=)",
        {
          certificate: formatName(cert.subject),
        },
      ),
    ];
  }
  if (smtp === undefined) return [];
  const wanted = smtp.trim().toLowerCase();
  if (addresses.some((a) => a.toLowerCase() === wanted)) return [];
  return [
    error(ProblemCode.SMTP_MISMATCH, `primary SMTP address ${smtp} is not among ${addresses.join(", ")}`, {
      smtp,
      emailAddresses: [...addresses],
    }),
  ];
}

/** RFC 8550 §4.4.2: a signing certificate's keyUsage, when present, has digitalSignature or nonRepudiation. */
export function checkSigningKeyUsage(cert: Certificate): Problem[] {
  const alg = cert.publicKeyAlgorithm.oid;
  if (!SIGNING_KEYS.has(alg)) {
    return [
      error(ProblemCode.KEY_USAGE_SIGNING, `a ${alg} key cannot make signatures`, { keyAlgorithm: alg }),
    ];
  }
  const ku = cert.keyUsage;
  if (ku === undefined || (ku & (KeyUsage.digitalSignature | KeyUsage.nonRepudiation)) !== 0) return [];
  return [error(ProblemCode.KEY_USAGE_SIGNING, "keyUsage has neither digitalSignature nor nonRepudiation")];
}

/**
 * Encryption (RFC 8551 §2.3): RSA keys transport the content-encryption key (keyEncipherment), EC and
 * X25519/X448 keys agree on one (keyAgreement). Ed25519, Ed448, DSA and RSA-PSS keys cannot encrypt at all.
 */
export function checkEncryptionKeyUsage(cert: Certificate): Problem[] {
  const alg = cert.publicKeyAlgorithm.oid;
  let needed: number;
  let bit: string;
  if (alg === KeyAlgorithm.rsa) {
    needed = KeyUsage.keyEncipherment;
    bit = "keyEncipherment";
  } else if (alg === KeyAlgorithm.ec || alg === KeyAlgorithm.x25519 || alg === KeyAlgorithm.x448) {
    needed = KeyUsage.keyAgreement;
    bit = "keyAgreement";
  } else {
    return [
      error(ProblemCode.KEY_USAGE_ENCRYPTION, `a ${alg} key cannot be used for encryption`, {
        keyAlgorithm: alg,
      }),
    ];
  }
  const ku = cert.keyUsage;
  if (ku === undefined || (ku & needed) !== 0) return [];
  return [
    error(
      ProblemCode.KEY_USAGE_ENCRYPTION,
      `keyUsage lacks ${bit}, which a ${bit === "keyEncipherment" ? "RSA" : "key-agreement"} key needs to encrypt`,
    ),
  ];
}

/** Applies the S/MIME rules to an end-entity certificate; problems common to both purposes appear in both. */
export function checkSmimeRules(cert: Certificate, options: SmimeOptions = {}): SmimeFindings {
  const emailAddresses = emailAddressesOf(cert);
  const common = [...checkEku(cert), ...checkAddresses(cert, emailAddresses, options.smtp)];
  return {
    emailAddresses,
    signing: [...common, ...checkSigningKeyUsage(cert)],
    encryption: [...common, ...checkEncryptionKeyUsage(cert)],
  };
}
