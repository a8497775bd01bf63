/**
 * The demo CA of local mode: a root and an issuing CA the local host mints on first start, so that
 * `npm start` with no settings has a trust store, and demo certificates that validate end to end, CRLs
 * included. Kept under `<data>/demo-ca/` and loaded on later starts, so certificates issued yesterday still
 * chain today.
 *
 * It plays the part of a real PKI: leaves carry an http CRL distribution point on the local host
 * (`<baseUrl>/demo-ca/issuing.crl`), the host serves the CRLs, and a revoked serial appears on the next CRL.
 * Keys are EC P-256: fast to mint, and keyAgreement makes them fit for encryption as well as signing.
 * Never use it for anything but local mode and tests: its private keys sit unencrypted on disk.
 */
import "reflect-metadata";
import { randomBytes, webcrypto } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { z } from "zod";

x509.cryptoProvider.set(webcrypto);

type CryptoKey = webcrypto.CryptoKey;

const EC = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGN = { name: "ECDSA", hash: "SHA-256" } as const;
const EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
const CRL_NUMBER = "2.5.29.20";
const { keyCertSign, cRLSign, digitalSignature, nonRepudiation, keyAgreement } = x509.KeyUsageFlags;
const DAY = 86_400_000;
/** How long a served CRL is good for: short, so a revocation shows up within the day. */
const CRL_LIFETIME_MS = DAY;

export type DemoPurpose = "signing" | "encryption" | "both";

export interface IssueOptions {
  readonly email: string;
  /** Default "both". */
  readonly purpose?: DemoPurpose;
  readonly displayName?: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** A key to certify; default a new P-256 key per certificate. */
  readonly publicKey?: CryptoKey;
}

export interface IssuedCertificate {
  readonly der: Uint8Array;
  readonly pem: string;
  /** Lower-case hex. */
  readonly serialNumber: string;
}

export interface DemoCa {
  /** Where the CA's files live. */
  readonly dir: string;
  /** The trust store file: the root and the issuing CA (PEM), what TRUST_STORE_PATH would name. */
  readonly trustStorePath: string;
  readonly rootPem: string;
  readonly issuingPem: string;
  /** The CRL URLs the CA writes into certificates, and that `crl` answers. */
  readonly crlUrls: { readonly root: string; readonly issuing: string };
  /** Issues an S/MIME leaf for an address. */
  issue(options: IssueOptions): Promise<IssuedCertificate>;
  /** Puts a serial on the issuing CA's next CRL (kept on disk). */
  revoke(serialNumber: string, at: Date): Promise<void>;
  /** The current CRL (DER) for one of `crlUrls`, signed for `now`; undefined for any other URL. */
  crl(url: string, now: Date): Promise<Uint8Array | undefined>;
}

/**
 * The CA's state file. Serials are random and CRL numbers come from the clock, so the only thing written
 * after creation is a revocation: the host and another process (a test, a script) may share the folder.
 */
const State = z.object({
  baseUrl: z.string(),
  createdAt: z.iso.datetime(),
  revoked: z.array(z.object({ serialNumber: z.string(), at: z.iso.datetime() })),
});
type State = z.infer<typeof State>;

interface Authority {
  readonly cert: x509.X509Certificate;
  readonly key: CryptoKey;
}

const FILES = {
  rootCert: "root.pem",
  rootKey: "root.key",
  issuingCert: "issuing.pem",
  issuingKey: "issuing.key",
  trust: "trust.pem",
  state: "state.json",
} as const;

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

async function importKey(pem: string): Promise<CryptoKey> {
  const [der] = x509.PemConverter.decode(pem);
  if (!der) throw new Error("demo CA: empty private key file");
  return webcrypto.subtle.importKey("pkcs8", der, EC, false, ["sign"]);
}

const newKeys = () =>
  webcrypto.subtle.generateKey(EC, true, ["sign", "verify"]) as Promise<webcrypto.CryptoKeyPair>;

/** Writes a file whole or not at all: a crash mid-write must not leave half a key behind. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}

async function mintAuthorities(now: Date, baseUrl: string): Promise<{ root: Authority; issuing: Authority }> {
  const rootKeys = await newKeys();
  const issuingKeys = await newKeys();
  const notBefore = new Date(now.getTime() - DAY);
  const notAfter = new Date(now.getTime() + 10 * 365 * DAY);
  const rootName = "CN=smime-lifecycle Demo Root CA, O=Demo Tenant";
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: rootName,
    notBefore,
    notAfter,
    keys: rootKeys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(keyCertSign | cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const issuing = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: "CN=smime-lifecycle Demo Issuing CA, O=Demo Tenant",
    issuer: rootName,
    notBefore,
    notAfter,
    publicKey: issuingKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(keyCertSign | cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(issuingKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
      new x509.CRLDistributionPointsExtension([`${baseUrl}/demo-ca/root.crl`]),
    ],
  });
  return {
    root: { cert: root, key: rootKeys.privateKey },
    issuing: { cert: issuing, key: issuingKeys.privateKey },
  };
}

async function create(dir: string, now: Date, baseUrl: string): Promise<void> {
  const { root, issuing } = await mintAuthorities(now, baseUrl);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomically(join(dir, FILES.rootKey), await exportKey(root.key));
  await writeAtomically(join(dir, FILES.issuingKey), await exportKey(issuing.key));
  await writeAtomically(join(dir, FILES.rootCert), root.cert.toString("pem"));
  await writeAtomically(join(dir, FILES.issuingCert), issuing.cert.toString("pem"));
  await writeAtomically(
    join(dir, FILES.trust),
    `${root.cert.toString("pem")}\n${issuing.cert.toString("pem")}\n`,
  );
  const state: State = {
    baseUrl,
    createdAt: now.toISOString(),
    revoked: [],
  };
  // The state file is written last: its presence says the CA is complete.
  await writeAtomically(join(dir, FILES.state), JSON.stringify(state, null, 2));
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}

/** DER INTEGER content for a CRL number (non-negative). */
function derInteger(n: number): Uint8Array {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return Uint8Array.from([0x02, bytes.length, ...bytes]);
}

/** 16 random bytes, positive (RFC 5280 §4.1.2.2; the S/MIME BRs want at least 64 bits of entropy). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return bytes.toString("hex");
}

function usageFor(purpose: DemoPurpose): number {
  if (purpose === "signing") return digitalSignature | nonRepudiation;
  if (purpose === "encryption") return keyAgreement;
  return digitalSignature | nonRepudiation | keyAgreement;
}

export interface DemoCaOptions {
  /** The CA's folder (`<data>/demo-ca`). */
  readonly dir: string;
  /** The local host's origin, e.g. "http://127.0.0.1:7071": written into CRL distribution points on first start. */
  readonly baseUrl: string;
  readonly now: Date;
}

/** Loads the demo CA from `dir`, minting it first when the folder holds none. */
export async function openDemoCa(options: DemoCaOptions): Promise<DemoCa> {
  const { dir } = options;
  if (!(await exists(join(dir, FILES.state)))) await create(dir, options.now, options.baseUrl);
  const read = (name: string) => readFile(join(dir, name), "utf8");
  const readState = async () => State.parse(JSON.parse(await read(FILES.state)));
  const { baseUrl } = await readState();
  const root: Authority = {
    cert: new x509.X509Certificate(await read(FILES.rootCert)),
    key: await importKey(await read(FILES.rootKey)),
  };
  const issuing: Authority = {
    cert: new x509.X509Certificate(await read(FILES.issuingCert)),
    key: await importKey(await read(FILES.issuingKey)),
  };
  const crlUrls = { root: `${baseUrl}/demo-ca/root.crl`, issuing: `${baseUrl}/demo-ca/issuing.crl` };
  // One CRL per authority, re-signed when half its lifetime has passed or the revocations changed.
  const crlCache = new Map<string, { der: Uint8Array; until: number; revoked: string }>();

  async function signCrl(authority: Authority, revoked: State["revoked"], now: Date): Promise<Uint8Array> {
    const crl = await x509.X509CrlGenerator.create({
      issuer: authority.cert.subject,
      thisUpdate: new Date(now.getTime() - 60_000),
      nextUpdate: new Date(now.getTime() + CRL_LIFETIME_MS),
      entries: revoked.map((r) => ({ serialNumber: r.serialNumber, revocationDate: new Date(r.at) })),
      extensions: [
        // Seconds since the epoch: grows from one CRL to the next without a counter to keep.
        new x509.Extension(CRL_NUMBER, false, derInteger(Math.floor(now.getTime() / 1000))),
        await x509.AuthorityKeyIdentifierExtension.create(authority.cert),
      ],
      signingKey: authority.key,
      signingAlgorithm: SIGN,
    });
    return new Uint8Array(crl.rawData);
  }

  return {
    dir,
    trustStorePath: join(dir, FILES.trust),
    rootPem: root.cert.toString("pem"),
    issuingPem: issuing.cert.toString("pem"),
    crlUrls,

    async issue(o) {
      const serialNumber = randomSerial();
      const publicKey = o.publicKey ?? (await newKeys()).publicKey;
      const cn = o.displayName ?? o.email;
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber,
        subject: `CN=${cn.replace(/[,+="\\<>;]/g, " ")}, E=${o.email}`,
        issuer: issuing.cert.subject,
        notBefore: o.notBefore,
        notAfter: o.notAfter,
        publicKey,
        signingKey: issuing.key,
        signingAlgorithm: SIGN,
        extensions: [
          new x509.KeyUsagesExtension(usageFor(o.purpose ?? "both"), true),
          new x509.ExtendedKeyUsageExtension([EMAIL_PROTECTION]),
          new x509.SubjectAlternativeNameExtension([{ type: "email", value: o.email }]),
          await x509.SubjectKeyIdentifierExtension.create(publicKey),
          await x509.AuthorityKeyIdentifierExtension.create(issuing.cert),
          new x509.CRLDistributionPointsExtension([crlUrls.issuing]),
        ],
      });
      return { der: new Uint8Array(cert.rawData), pem: cert.toString("pem"), serialNumber };
    },

    async revoke(serialNumber, at) {
      const serial = serialNumber.toLowerCase().replace(/^0+(?=.)/, "");
      const state = await readState();
      if (state.revoked.some((r) => r.serialNumber === serial)) return;
      state.revoked.push({ serialNumber: serial, at: at.toISOString() });
      await writeAtomically(join(dir, FILES.state), JSON.stringify(state, null, 2));
    },

    async crl(url, now) {
      const authority = url === crlUrls.issuing ? issuing : url === crlUrls.root ? root : undefined;
      if (!authority) return undefined;
      // Read each time: another process may have revoked a certificate since.
      const revoked = authority === issuing ? (await readState()).revoked : [];
      const key = revoked.map((r) => r.serialNumber).join(",");
      const hit = crlCache.get(url);
      if (hit && hit.until > now.getTime() && hit.revoked === key) return hit.der;
      const der = await signCrl(authority, revoked, now);
      crlCache.set(url, { der, until: now.getTime() + CRL_LIFETIME_MS / 2, revoked: key });
      return der;
    },
  };
}
