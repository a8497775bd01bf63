/**
 * Test PKI builders: certificates and CRLs minted in the test at fixed dates, in the cert-manager style
 * (`mintLeaf({ issuer: ca, email: "alice@contoso.com", eku: null })`): sensible defaults, one override per
 * concern. Built on @peculiar/x509's generators; the extensions it has no class for (name constraints,
 * policy constraints and mappings, issuing distribution points, …) are encoded with der-writer.ts.
 *
 * Dates: certificates are valid 2026-01-01 … 2027-01-01, CRLs 2026-05-25 … 2026-06-08, and tests
 * validate at `NOW` (2026-06-01). Keys: EC P-256 by default (fast), P-384; RSA-2048 keys are cached per name
 * because generating one takes ~100 ms; Ed25519 through WebCrypto.
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { toPem } from "./containers.ts";
import * as d from "./der-writer.ts";

x509.cryptoProvider.set(webcrypto);

type CryptoKey = webcrypto.CryptoKey;
type Algorithm = webcrypto.Algorithm;
type EcdsaParams = webcrypto.EcdsaParams;

export const NOT_BEFORE = new Date("2026-01-01T00:00:00Z");
export const NOT_AFTER = new Date("2027-01-01T00:00:00Z");
/** The validation time of the tests: inside every default validity and CRL window. */
export const NOW = new Date("2026-06-01T00:00:00Z");
export const CRL_THIS_UPDATE = new Date("2026-05-25T00:00:00Z");
export const CRL_NEXT_UPDATE = new Date("2026-06-08T00:00:00Z");

export type KeyType = "ec-p256" | "ec-p384" | "rsa-2048" | "ed25519";

export interface KeyPair {
  readonly type: KeyType;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

const KEY_PARAMS: Record<KeyType, webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams | Algorithm> = {
  "ec-p256": { name: "ECDSA", namedCurve: "P-256" } as webcrypto.EcKeyGenParams,
  "ec-p384": { name: "ECDSA", namedCurve: "P-384" } as webcrypto.EcKeyGenParams,
  "rsa-2048": {
    name: "RSASSA-PKCS1-v1_5",
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: "SHA-256",
  } as webcrypto.RsaHashedKeyGenParams,
  ed25519: { name: "Ed25519" },
};

const SIGNING: Record<KeyType, Algorithm | EcdsaParams> = {
  "ec-p256": { name: "ECDSA", hash: "SHA-256" } as EcdsaParams,
  "ec-p384": { name: "ECDSA", hash: "SHA-384" } as EcdsaParams,
  "rsa-2048": { name: "RSASSA-PKCS1-v1_5" },
  ed25519: { name: "Ed25519" },
};

const rsaCache = new Map<string, Promise<KeyPair>>();

/** A fresh key pair; RSA keys are cached under `name`, so the same name gives the same key. */
export function generateKey(type: KeyType = "ec-p256", name = "default"): Promise<KeyPair> {
  if (type === "rsa-2048") {
    const hit = rsaCache.get(name) ?? generate(type);
    rsaCache.set(name, hit);
    return hit;
  }
  return generate(type);
}

async function generate(type: KeyType): Promise<KeyPair> {
  const keys = (await webcrypto.subtle.generateKey(KEY_PARAMS[type], true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  return { type, privateKey: keys.privateKey, publicKey: keys.publicKey };
}

/** A GeneralName for SANs and name constraints; `ip` takes "10.1.2.3" or, in constraints, "10.0.0.0/8". */
export type NameSpec =
  | { readonly email: string }
  | { readonly dns: string }
  | { readonly uri: string }
  | { readonly dn: string }
  | { readonly ip: string };

/** An extension given as raw DER (`value` is the content of extnValue). */
export interface RawExtension {
  readonly oid: string;
  readonly critical?: boolean;
  readonly value: Uint8Array;
}

export interface CertOptions {
  /** Subject DN ("CN=Alice, O=Contoso"); each builder has its own default. */
  readonly subject?: string;
  /** The signer; absent means self-signed. */
  readonly issuer?: Minted;
  /** A key type (a new key; RSA cached under the subject) or a key pair to reuse. */
  readonly key?: KeyType | KeyPair;
  /** Hex serial number; defaults to a per-process counter. */
  readonly serial?: string;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** rfc822Name SAN entries; null for none. */
  readonly email?: string | readonly string[] | null;
  /** Adds an emailAddress attribute to the subject. */
  readonly subjectEmail?: string;
  /** More SAN entries, after the e-mail ones. */
  readonly altNames?: readonly NameSpec[];
  /** Extended key usage OIDs; null for no extension. */
  readonly eku?: readonly string[] | null;
  /** keyUsage mask (bit n is `1 << n`, as x509.KeyUsageFlags); null for no extension. */
  readonly keyUsage?: number | null;
  /** null for no extension. */
  readonly basicConstraints?: {
    readonly ca: boolean;
    readonly pathLen?: number;
    readonly critical?: boolean;
  } | null;
  /** CRL distribution point URLs (one distribution point each). */
  readonly crlUrls?: readonly string[];
  /** AIA caIssuers URLs. */
  readonly caIssuersUrls?: readonly string[];
  /** certificatePolicies OIDs. */
  readonly policies?: readonly string[];
  readonly nameConstraints?: {
    readonly permitted?: readonly NameSpec[];
    readonly excluded?: readonly NameSpec[];
    readonly critical?: boolean;
  };
  readonly policyConstraints?: {
    readonly requireExplicitPolicy?: number;
    readonly inhibitPolicyMapping?: number;
  };
  /** [issuerDomainPolicy, subjectDomainPolicy] pairs. */
  readonly policyMappings?: readonly (readonly [string, string])[];
  readonly inhibitAnyPolicy?: number;
  /** Leaves out the subject and authority key identifiers. */
  readonly noKeyIdentifiers?: boolean;
  /** Appended after every other extension. */
  readonly extensions?: readonly RawExtension[];
}

/** A minted certificate. */
export interface Minted {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly keys: KeyPair;
  readonly cert: x509.X509Certificate;
  /** The subject DN as given. */
  readonly subject: string;
  /** Hex serial number. */
  readonly serial: string;
}

const { keyCertSign, cRLSign, digitalSignature, keyEncipherment, keyAgreement } = x509.KeyUsageFlags;

/** What encrypting to each key type needs (DESIGN.md rule 4); Ed25519 only signs. */
const ENCRYPTION_USAGE: Record<KeyType, number> = {
  "ec-p256": keyAgreement,
  "ec-p384": keyAgreement,
  "rsa-2048": keyEncipherment,
  ed25519: 0,
};

let serialCounter = 0x1000;
const nextSerial = (): string => (serialCounter++).toString(16).padStart(4, "0");

/** A self-signed root CA: basicConstraints CA (critical), keyCertSign | cRLSign. */
export function mintRoot(options: CertOptions = {}): Promise<Minted> {
  return mint({
    subject: "CN=Test Root CA, O=Contoso Test",
    basicConstraints: { ca: true, critical: true },
    keyUsage: keyCertSign | cRLSign,
    ...options,
  });
}

/** An intermediate CA signed by `issuer`. */
export function mintIntermediate(options: CertOptions & { readonly issuer: Minted }): Promise<Minted> {
  return mint({
    subject: "CN=Test Issuing CA, O=Contoso Test",
    basicConstraints: { ca: true, critical: true },
    keyUsage: keyCertSign | cRLSign | digitalSignature,
    ...options,
  });
}

/**
 * An S/MIME leaf: `email` (default alice@contoso.com) as SAN rfc822Name, EKU emailProtection, keyUsage
 * digitalSignature plus keyEncipherment (RSA) or keyAgreement (EC; none for Ed25519), CN the e-mail's local part.
 */
export async function mintLeaf(options: CertOptions & { readonly issuer: Minted }): Promise<Minted> {
  const email = options.email === undefined ? "alice@contoso.com" : options.email;
  const first = typeof email === "string" ? email : email?.[0];
  const keyType = typeof options.key === "object" ? options.key.type : (options.key ?? "ec-p256");
  return mint({
    subject: `CN=${first?.split("@")[0] ?? "leaf"}`,
    basicConstraints: null,
    eku: [x509.ExtendedKeyUsage.emailProtection],
    keyUsage: digitalSignature | ENCRYPTION_USAGE[keyType],
    ...options,
    email,
  });
}

/** Root, issuing CA and a leaf, each with its own overrides. */
export async function mintChain(
  overrides: { root?: CertOptions; ca?: CertOptions; leaf?: CertOptions } = {},
): Promise<{ root: Minted; ca: Minted; leaf: Minted }> {
  const root = await mintRoot(overrides.root);
  const ca = await mintIntermediate({ issuer: root, ...overrides.ca });
  const leaf = await mintLeaf({ issuer: ca, ...overrides.leaf });
  return { root, ca, leaf };
}

async function mint(o: CertOptions): Promise<Minted> {
  const subject = o.subject ?? "CN=Test";
  const fullSubject = o.subjectEmail ? `${subject}, E=${o.subjectEmail}` : subject;
  const keys = typeof o.key === "object" ? o.key : await generateKey(o.key ?? "ec-p256", fullSubject);
  const signer = o.issuer?.keys ?? keys;
  const serial = o.serial ?? nextSerial();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: fullSubject,
    issuer: o.issuer?.cert.subject ?? fullSubject,
    notBefore: o.notBefore ?? NOT_BEFORE,
    notAfter: o.notAfter ?? NOT_AFTER,
    publicKey: keys.publicKey,
    signingKey: signer.privateKey,
    signingAlgorithm: SIGNING[signer.type],
    extensions: await certExtensions(o, keys, signer),
  });
  const der = new Uint8Array(cert.rawData);
  return { der, pem: cert.toString("pem"), keys, cert, subject: fullSubject, serial };
}

async function certExtensions(o: CertOptions, keys: KeyPair, signer: KeyPair): Promise<x509.Extension[]> {
  const out: x509.Extension[] = [];
  const bc = o.basicConstraints;
  if (bc) out.push(new x509.BasicConstraintsExtension(bc.ca, bc.pathLen, bc.critical ?? true));
  if (o.keyUsage != null) out.push(new x509.KeyUsagesExtension(o.keyUsage, true));
  if (o.eku) out.push(new x509.ExtendedKeyUsageExtension([...o.eku]));
  const emails = o.email == null ? [] : typeof o.email === "string" ? [o.email] : o.email;
  const sans = [...emails.map((email) => ({ email })), ...(o.altNames ?? [])];
  if (sans.length > 0) out.push(raw({ oid: "2.5.29.17", value: d.seq(...sans.map(generalName)) }));
  if (!o.noKeyIdentifiers) {
    out.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
    if (o.issuer) out.push(await x509.AuthorityKeyIdentifierExtension.create(signer.publicKey));
  }
  if (o.crlUrls?.length) out.push(new x509.CRLDistributionPointsExtension([...o.crlUrls]));
  if (o.caIssuersUrls?.length)
    out.push(new x509.AuthorityInfoAccessExtension({ caIssuers: [...o.caIssuersUrls] }));
  if (o.policies?.length) out.push(new x509.CertificatePolicyExtension([...o.policies]));
  if (o.nameConstraints) out.push(raw(ext.nameConstraints(o.nameConstraints)));
  if (o.policyConstraints) out.push(raw(ext.policyConstraints(o.policyConstraints)));
  if (o.policyMappings) out.push(raw(ext.policyMappings(o.policyMappings)));
  if (o.inhibitAnyPolicy !== undefined) out.push(raw(ext.inhibitAnyPolicy(o.inhibitAnyPolicy)));
  for (const e of o.extensions ?? []) out.push(raw(e));
  return out;
}

const raw = (e: RawExtension): x509.Extension => new x509.Extension(e.oid, e.critical ?? false, e.value);

/** The DER of a distinguished name written as a string ("CN=Alice, O=Contoso"). */
export const nameDer = (dn: string): Uint8Array => new Uint8Array(new x509.Name(dn).toArrayBuffer());

/** A GeneralName TLV. */
export function generalName(n: NameSpec): Uint8Array {
  if ("email" in n) return d.implicit(1, d.ia5(n.email));
  if ("dns" in n) return d.implicit(2, d.ia5(n.dns));
  if ("uri" in n) return d.implicit(6, d.ia5(n.uri));
  if ("dn" in n) return d.explicit(4, nameDer(n.dn));
  const [address, bits] = n.ip.split("/");
  const bytes = (address ?? "").split(".").map(Number);
  if (bits !== undefined) {
    const prefix = Number(bits);
    for (let i = 0; i < 4; i++) bytes.push((0xff << (8 - Math.min(8, Math.max(0, prefix - i * 8)))) & 0xff);
  }
  return d.tlv(0x87, Uint8Array.from(bytes));
}

const uriName = (url: string): Uint8Array => d.implicit(6, d.ia5(url));

/** Encoders for extensions @peculiar/x509 has no class for; each returns a RawExtension. */
export const ext = {
  nameConstraints(nc: NonNullable<CertOptions["nameConstraints"]>): RawExtension {
    const subtrees = (tag: number, names?: readonly NameSpec[]) =>
      names?.length ? [d.explicit(tag, ...names.map((n) => d.seq(generalName(n))))] : [];
    const value = d.seq(...subtrees(0, nc.permitted), ...subtrees(1, nc.excluded));
    return { oid: "2.5.29.30", critical: nc.critical ?? true, value };
  },
  policyConstraints(pc: NonNullable<CertOptions["policyConstraints"]>): RawExtension {
    const fields: Uint8Array[] = [];
    if (pc.requireExplicitPolicy !== undefined) fields.push(d.implicit(0, d.int(pc.requireExplicitPolicy)));
    if (pc.inhibitPolicyMapping !== undefined) fields.push(d.implicit(1, d.int(pc.inhibitPolicyMapping)));
    return { oid: "2.5.29.36", critical: true, value: d.seq(...fields) };
  },
  policyMappings(pairs: readonly (readonly [string, string])[]): RawExtension {
    const value = d.seq(...pairs.map(([from, to]) => d.seq(d.oid(from), d.oid(to))));
    return { oid: "2.5.29.33", critical: true, value };
  },
  inhibitAnyPolicy: (skipCerts: number): RawExtension => ({
    oid: "2.5.29.54",
    critical: true,
    value: d.int(skipCerts),
  }),
  crlNumber: (n: number | string): RawExtension => ({ oid: "2.5.29.20", value: d.int(n) }),
  deltaCrlIndicator: (base: number | string): RawExtension => ({
    oid: "2.5.29.27",
    critical: true,
    value: d.int(base),
  }),
  /** A CRL's issuingDistributionPoint; `reasons` is a ReasonFlag mask (bit n is `1 << n`). */
  issuingDistributionPoint(idp: {
    urls?: readonly string[];
    onlyUser?: boolean;
    onlyCa?: boolean;
    reasons?: number;
    indirect?: boolean;
  }): RawExtension {
    const fields: Uint8Array[] = [];
    if (idp.urls?.length) fields.push(d.explicit(0, d.explicit(0, ...idp.urls.map(uriName))));
    if (idp.onlyUser) fields.push(d.implicit(1, d.bool(true)));
    if (idp.onlyCa) fields.push(d.implicit(2, d.bool(true)));
    if (idp.reasons !== undefined) fields.push(d.implicit(3, d.namedBits(idp.reasons)));
    if (idp.indirect) fields.push(d.implicit(4, d.bool(true)));
    return { oid: "2.5.29.28", critical: true, value: d.seq(...fields) };
  },
  /** A CRL entry's certificateIssuer (indirect CRLs). */
  certificateIssuer: (dn: string): RawExtension => ({
    oid: "2.5.29.29",
    critical: true,
    value: d.seq(d.explicit(4, nameDer(dn))),
  }),
};

export interface CrlEntrySpec {
  readonly serial: string;
  /** Defaults to 2026-05-01. */
  readonly date?: Date;
  /** CRLReason code (x509.X509CrlReason). */
  readonly reason?: number;
  readonly invalidity?: Date;
  readonly extensions?: readonly RawExtension[];
}

export interface CrlOptions {
  /** The CA whose name and (unless `signer`) key the CRL carries. */
  readonly issuer: Minted;
  /** Signs with another key (a CRL whose signature does not verify, or a separate CRL signer). */
  readonly signer?: KeyPair;
  /** Overrides the issuer DN (e.g. an indirect CRL issuer). */
  readonly issuerName?: string;
  readonly entries?: readonly CrlEntrySpec[];
  readonly thisUpdate?: Date;
  /** null leaves nextUpdate out. */
  readonly nextUpdate?: Date | null;
  /** null leaves the extension out; default 1. */
  readonly crlNumber?: number | null;
  readonly noAuthorityKeyIdentifier?: boolean;
  readonly extensions?: readonly RawExtension[];
}

export interface MintedCrl {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly crl: x509.X509Crl;
}

/** A v2 CRL, valid 2026-05-25 … 2026-06-08 by default, with crlNumber 1 and the issuer's AKI. */
export async function mintCrl(o: CrlOptions): Promise<MintedCrl> {
  const signer = o.signer ?? o.issuer.keys;
  const extensions: x509.Extension[] = [];
  if (o.crlNumber !== null) extensions.push(raw(ext.crlNumber(o.crlNumber ?? 1)));
  if (!o.noAuthorityKeyIdentifier)
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(signer.publicKey));
  for (const e of o.extensions ?? []) extensions.push(raw(e));
  const crl = await x509.X509CrlGenerator.create({
    issuer: o.issuerName ?? o.issuer.cert.subject,
    thisUpdate: o.thisUpdate ?? CRL_THIS_UPDATE,
    ...(o.nextUpdate === null ? {} : { nextUpdate: o.nextUpdate ?? CRL_NEXT_UPDATE }),
    entries: (o.entries ?? []).map((e) => ({
      serialNumber: e.serial,
      revocationDate: e.date ?? new Date("2026-05-01T00:00:00Z"),
      ...(e.reason === undefined ? {} : { reason: e.reason }),
      ...(e.invalidity ? { invalidity: e.invalidity } : {}),
      ...(e.extensions?.length ? { extensions: e.extensions.map(raw) } : {}),
    })),
    extensions,
    signingKey: signer.privateKey,
    signingAlgorithm: SIGNING[signer.type],
  });
  const der = new Uint8Array(crl.rawData);
  // @peculiar/x509 labels CRLs "CRL"; OpenSSL and RFC 7468 want "X509 CRL".
  return { der, pem: toPem(der, "X509 CRL"), crl };
}
