/**
 * The demo tenant's people: about fifty users who between them show every state a certificate can be in
 * and every problem code the demo CA can produce, each with the story it tells and what the pipeline is
 * expected to conclude (tests and the end-to-end check read `expect`).
 *
 * Realism that matters for the pipeline:
 * - SCEP and PKCS profiles issue one certificate per device; an imported PFX is one certificate on every device.
 * - Signing certificates come by SCEP (the usual setup), encryption certificates by imported PFX (DESIGN.md
 *   rule 5); an encryption certificate from SCEP or PKCS is the ENCRYPTION_NOT_IMPORTED finding.
 * - The directory (what LDAP would return) holds the encryption certificates that recipients can find;
 *   one that is not there is NOT_PUBLISHED_FOR_RECIPIENTS.
 * - The Android Outlook policy is misconfigured (see `policies.ts`), so every user with an Android device shows
 *   POLICY_DRIFT for Android.
 *
 * Codes the demo CA cannot mint (it has one fixed extension profile and one CRL endpoint that always answers):
 * ISSUER_NOT_CA, PATH_LENGTH_EXCEEDED, NAME_CONSTRAINTS_VIOLATED, POLICY_INVALID, UNSUPPORTED_CRITICAL_EXTENSION,
 * EKU_NOT_EMAIL_PROTECTION, NO_EMAIL_ADDRESS, NONCONFORMANT, CRL_UNREACHABLE, CRL_STALE, CRL_INVALID — the
 * engine's own tests cover those with certificates minted in the test.
 */
import type { ProblemCode } from "../../pki/problems.ts";
import type { DemoPurpose } from "../demo-ca.ts";

export type ProblemCodeName = (typeof ProblemCode)[keyof typeof ProblemCode];
export type DemoState = "valid" | "invalid" | "expiring" | "expired" | "revoked" | "removed";
export type DemoPlatform = "iOS" | "android";
/** How Intune delivers the certificate: imported PKCS (PFX), or issued per device by SCEP or PKCS. */
export type Delivery = "pfx" | "scep" | "pkcs";

export interface Expectation {
  readonly state: DemoState;
  /** The codes this certificate is there to show (empty: none). */
  readonly problems: readonly ProblemCodeName[];
}

export interface DemoCertificateSpec {
  /** What Intune deploys it for (a PFX's intendedPurpose, a profile's key usage). */
  readonly purpose: "signing" | "encryption";
  /** What the certificate's own key usage allows; default `purpose`. */
  readonly keyPurpose?: DemoPurpose;
  readonly delivery: Delivery;
  /** The devices it goes to; default every device of the user. */
  readonly platforms?: readonly DemoPlatform[];
  /** Days from now to notAfter (fractions allowed); default 365. */
  readonly validDays?: number;
  /** Days from now to notBefore; default -30. */
  readonly startsInDays?: number;
  /** Revoked on the demo CA's CRL; `intune` also shows certificateRevokeStatus "revoked". */
  readonly revoked?: "crl" | "intune";
  /** A device on which Intune reports it failed or pending (NOT_DELIVERED). */
  readonly issuance?: { readonly platform: DemoPlatform; readonly state: "installFailed" | "issuePending" };
  /** In the directory for recipients; default true for encryption, false for signing. */
  readonly published?: boolean;
  /** The certificate names the user's old alias instead of the primary SMTP address. */
  readonly namesAlias?: boolean;
  /** Issued by a CA outside the trust store, or with its signature broken after issuance. */
  readonly variant?: "foreignCa" | "tamperedSignature";
  readonly expect: Expectation;
  /** What it should be after the user's scripted change (`DemoUserSpec.afterFirstDelta`). */
  readonly expectAfterChange?: Expectation;
}

/** A change to a directory user (the admin hook, and the scripted changes below). */
export interface UserChange {
  /** A new primary SMTP address; the old one stays as an `smtp:` alias. */
  readonly primarySmtp?: string;
  readonly accountEnabled?: boolean;
  /** Deleted from the directory: delta reports `@removed`. */
  readonly deleted?: true;
  /** Intune drops the user's certificates (PFX and device states). */
  readonly removeCertificates?: true;
}

export interface DemoUserSpec {
  readonly name: string;
  readonly displayName: string;
  readonly language: "en-US" | "sv-SE";
  readonly devices: readonly DemoPlatform[];
  /** Local part of the primary SMTP address when it is not the UPN's. */
  readonly primaryLocal?: string;
  /** Local parts of `smtp:` aliases. */
  readonly aliases?: readonly string[];
  readonly accountEnabled?: false;
  readonly certificates: readonly DemoCertificateSpec[];
  /** Certificates only the directory has: an older one, or bytes that are not a certificate at all. */
  readonly directoryExtras?: readonly ("olderEncryption" | "malformed")[];
  /** Applied by the tenant as soon as the first delta round completes (so the next delta reports it). */
  readonly afterFirstDelta?: UserChange;
  /** User-level codes not tied to one certificate (NOT_DELIVERED of a pending issuance, POLICY_DRIFT is added for Android users). */
  readonly userProblems?: readonly ProblemCodeName[];
  readonly story: string;
}

const VALID: Expectation = { state: "valid", problems: [] };
const both: readonly DemoPlatform[] = ["iOS", "android"];

/** The usual setup: a SCEP signing certificate per device and one imported encryption certificate. */
function standard(extra: Partial<DemoCertificateSpec> = {}): DemoCertificateSpec[] {
  return [
    { purpose: "signing", delivery: "scep", expect: VALID },
    { purpose: "encryption", delivery: "pfx", expect: VALID, ...extra },
  ];
}

function healthy(name: string, displayName: string, language: DemoUserSpec["language"], devices = both) {
  return {
    name,
    displayName,
    language,
    devices,
    certificates: standard(),
    story:
      "ready: signs with a SCEP certificate per device, encrypts with an imported PFX published for recipients",
  } satisfies DemoUserSpec;
}

export const DEMO_USERS: readonly DemoUserSpec[] = [
  healthy("aino", "Aino Virtanen", "sv-SE"),
  healthy("bertil", "Bertil Lund", "sv-SE", ["iOS"]),
  healthy("carmen", "Carmen Diaz", "en-US"),
  healthy("dag", "Dag Holm", "sv-SE", ["iOS"]),
  healthy("ebba", "Ebba Nyberg", "sv-SE"),
  healthy("frank", "Frank Miller", "en-US", ["iOS"]),
  healthy("gun", "Gun Ek", "sv-SE"),
  healthy("harriet", "Harriet Cole", "en-US", ["iOS"]),
  healthy("isak", "Isak Berg", "sv-SE"),
  healthy("jenny", "Jenny Park", "en-US", ["iOS"]),
  healthy("klas", "Klas Strand", "sv-SE"),
  healthy("lisa", "Lisa Brown", "en-US", ["iOS"]),
  healthy("mohammed", "Mohammed Ali", "en-US"),
  healthy("oliver", "Oliver Grant", "en-US", ["iOS"]),
  healthy("paula", "Paula Reed", "en-US"),
  healthy("ronja", "Ronja Sandberg", "sv-SE", ["iOS"]),
  healthy("samuel", "Samuel Hayes", "en-US"),
  healthy("tilda", "Tilda Wik", "sv-SE", ["iOS"]),
  healthy("ulf", "Ulf Lindqvist", "sv-SE", ["iOS"]),
  healthy("agnes", "Agnes Moberg", "sv-SE", ["iOS"]),
  {
    name: "astrid",
    displayName: "Astrid Falk",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: [
      { purpose: "signing", delivery: "scep", validDays: 25, expect: { state: "expiring", problems: [] } },
      { purpose: "encryption", delivery: "pfx", expect: VALID },
    ],
    story: "signing certificate expires in 25 days: inside the 30-day threshold",
  },
  {
    name: "bjorn",
    displayName: "Björn Sjöberg",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: standard({ validDays: 10, expect: { state: "expiring", problems: [] } }),
    story: "encryption certificate expires in 10 days: inside the 14-day threshold",
  },
  {
    name: "cissi",
    displayName: "Cissi Ahl",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: [
      { purpose: "signing", delivery: "scep", validDays: 5, expect: { state: "expiring", problems: [] } },
      { purpose: "encryption", delivery: "pfx", expect: VALID },
    ],
    story: "signing certificate expires in 5 days: inside the 7-day threshold",
  },
  {
    name: "dennis",
    displayName: "Dennis Walsh",
    language: "en-US",
    devices: ["iOS"],
    certificates: standard({ validDays: 0.5, expect: { state: "expiring", problems: [] } }),
    story: "encryption certificate expires in 12 hours: inside the 1-day threshold",
  },
  {
    name: "eskil",
    displayName: "Eskil Dahl",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: [
      {
        purpose: "signing",
        delivery: "scep",
        validDays: -3,
        startsInDays: -368,
        expect: { state: "expired", problems: ["EXPIRED"] },
      },
      { purpose: "encryption", delivery: "pfx", expect: VALID },
    ],
    story: "signing certificate expired 3 days ago and was never renewed",
  },
  {
    name: "filippa",
    displayName: "Filippa Roos",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: standard({ startsInDays: 2, expect: { state: "invalid", problems: ["NOT_YET_VALID"] } }),
    story: "encryption certificate imported early: valid only from the day after tomorrow",
  },
  {
    name: "gosta",
    displayName: "Gösta Wall",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: standard({ revoked: "crl", expect: { state: "revoked", problems: ["REVOKED"] } }),
    story: "encryption certificate revoked at the CA (on the demo CA's CRL); Intune still shows it",
  },
  {
    name: "hedda",
    displayName: "Hedda Norén",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: [
      {
        purpose: "signing",
        delivery: "scep",
        revoked: "intune",
        expect: { state: "revoked", problems: ["REVOKED"] },
      },
      { purpose: "encryption", delivery: "pfx", expect: VALID },
    ],
    story: "signing certificate revoked through Intune (revoke status revoked, and on the CRL)",
  },
  {
    name: "morgan",
    displayName: "Morgan O'Neil",
    language: "en-US",
    devices: ["iOS"],
    certificates: standard({ revoked: "crl", expect: { state: "revoked", problems: ["REVOKED"] } }),
    story: "encryption certificate revoked at the CA; reads English, so is told in English",
  },
  {
    name: "sigrid",
    displayName: "Sigrid Åkesson",
    language: "sv-SE",
    devices: [],
    certificates: [
      { purpose: "encryption", delivery: "pfx", validDays: 12, expect: { state: "expiring", problems: [] } },
    ],
    story:
      "reads mail on a Windows laptop only; her imported encryption certificate expires in 12 days: with no phone for Company Portal, she is told by e-mail",
  },
  {
    name: "ivan",
    displayName: "Ivan Petrov",
    language: "en-US",
    devices: ["iOS"],
    primaryLocal: "ivan.petrov",
    aliases: ["ivan"],
    certificates: [
      {
        purpose: "signing",
        delivery: "scep",
        namesAlias: true,
        expect: { state: "invalid", problems: ["SMTP_MISMATCH"] },
      },
      {
        purpose: "encryption",
        delivery: "pfx",
        namesAlias: true,
        expect: { state: "invalid", problems: ["SMTP_MISMATCH"] },
      },
    ],
    story: "primary SMTP changed to ivan.petrov@ before the demo; both certificates still name ivan@",
  },
  {
    name: "jasmin",
    displayName: "Jasmin Kaya",
    language: "en-US",
    devices: ["iOS"],
    certificates: [
      { purpose: "signing", delivery: "scep", expect: VALID },
      {
        purpose: "encryption",
        delivery: "scep",
        expect: { state: "invalid", problems: ["ENCRYPTION_NOT_IMPORTED"] },
      },
    ],
    story: "encryption certificate issued by SCEP: a new key per device, old mail unreadable elsewhere",
  },
  {
    name: "kevin",
    displayName: "Kevin O'Brien",
    language: "en-US",
    devices: ["android"],
    certificates: [
      { purpose: "signing", delivery: "scep", expect: VALID },
      {
        purpose: "encryption",
        delivery: "pkcs",
        expect: { state: "invalid", problems: ["ENCRYPTION_NOT_IMPORTED"] },
      },
    ],
    story: "encryption certificate issued by a PKCS profile instead of imported",
  },
  {
    name: "linnea",
    displayName: "Linnea Hed",
    language: "sv-SE",
    devices: both,
    certificates: [
      {
        purpose: "signing",
        delivery: "scep",
        issuance: { platform: "android", state: "installFailed" },
        expect: VALID,
      },
      { purpose: "encryption", delivery: "pfx", expect: VALID },
    ],
    userProblems: ["NOT_DELIVERED"],
    story: "signing certificate issued for her Android phone but Intune reports the install failed",
  },
  {
    name: "martin",
    displayName: "Martin Ståhl",
    language: "sv-SE",
    devices: both,
    certificates: [
      {
        purpose: "signing",
        delivery: "scep",
        issuance: { platform: "iOS", state: "issuePending" },
        expect: VALID,
      },
      { purpose: "encryption", delivery: "pfx", expect: VALID },
    ],
    userProblems: ["NOT_DELIVERED"],
    story: "signing certificate for his iPhone still pending at the CA (no certificate yet, no thumbprint)",
  },
  {
    name: "nadia",
    displayName: "Nadia Haddad",
    language: "en-US",
    devices: ["iOS"],
    certificates: standard({
      published: false,
      expect: { state: "invalid", problems: ["NOT_PUBLISHED_FOR_RECIPIENTS"] },
    }),
    story: "encryption certificate imported to Intune but never published to the directory",
  },
  {
    name: "otto",
    displayName: "Otto Lindgren",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: standard({
      published: false,
      expect: { state: "invalid", problems: ["NOT_PUBLISHED_FOR_RECIPIENTS"] },
    }),
    directoryExtras: ["olderEncryption"],
    story: "the directory still publishes his previous encryption certificate, not the current one",
  },
  {
    name: "pia",
    displayName: "Pia Engström",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: standard({
      keyPurpose: "signing",
      expect: { state: "invalid", problems: ["KEY_USAGE_ENCRYPTION"] },
    }),
    story: "a signing-only certificate was imported as her encryption certificate",
  },
  {
    name: "quentin",
    displayName: "Quentin Moreau",
    language: "en-US",
    devices: ["iOS"],
    certificates: [
      {
        purpose: "signing",
        delivery: "scep",
        keyPurpose: "encryption",
        expect: { state: "invalid", problems: ["KEY_USAGE_SIGNING"] },
      },
      { purpose: "encryption", delivery: "pfx", expect: VALID },
    ],
    story: "the SCEP profile issues a key-agreement-only certificate, useless for signing",
  },
  {
    name: "rakel",
    displayName: "Rakel Ström",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: standard({
      variant: "foreignCa",
      expect: { state: "invalid", problems: ["CHAIN_UNTRUSTED"] },
    }),
    story: "encryption certificate from a CA that is not in Exchange Online's virtual certificate collection",
  },
  {
    name: "stina",
    displayName: "Stina Åberg",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: standard({
      variant: "tamperedSignature",
      expect: { state: "invalid", problems: ["SIGNATURE_INVALID"] },
    }),
    story: "encryption certificate whose signature does not verify (altered after issuance)",
  },
  {
    name: "tobias",
    displayName: "Tobias Friberg",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: standard(),
    directoryExtras: ["malformed"],
    userProblems: ["MALFORMED"],
    story: "ready, but the directory also holds bytes that are no certificate at all (MALFORMED)",
  },
  {
    ...healthy("ulrika", "Ulrika Hall", "sv-SE", ["android"]),
    story: "ready certificates, Android only: the drifted Android Outlook policy is her only problem",
  },
  {
    ...healthy("vera", "Vera Blom", "sv-SE", ["iOS"]),
    accountEnabled: false,
    story: "account disabled in Entra ID: her valid certificates belong to nobody who can sign in",
  },
  {
    ...healthy("wilhelm", "Wilhelm Ek", "sv-SE", ["iOS"]),
    afterFirstDelta: { deleted: true },
    story: "leaves the company: deleted from the directory after the first sync (delta reports @removed)",
  },
  {
    name: "xenia",
    displayName: "Xenia Novak",
    language: "en-US",
    devices: ["iOS"],
    certificates: [
      {
        purpose: "signing",
        delivery: "scep",
        expect: VALID,
        expectAfterChange: { state: "invalid", problems: ["SMTP_MISMATCH"] },
      },
      {
        purpose: "encryption",
        delivery: "pfx",
        expect: VALID,
        expectAfterChange: { state: "invalid", problems: ["SMTP_MISMATCH"] },
      },
    ],
    afterFirstDelta: { primarySmtp: "xenia.novak" },
    story:
      "marries after the first sync: her primary SMTP becomes xenia.novak@, her certificates no longer match",
  },
  {
    name: "yngve",
    displayName: "Yngve Karlsson",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: [
      {
        purpose: "signing",
        delivery: "scep",
        expect: VALID,
        expectAfterChange: { state: "removed", problems: [] },
      },
      {
        purpose: "encryption",
        delivery: "pfx",
        expect: VALID,
        expectAfterChange: { state: "removed", problems: [] },
      },
    ],
    afterFirstDelta: { removeCertificates: true },
    story: "his device is retired after the first sync: Intune drops his certificates",
  },
  {
    name: "zara",
    displayName: "Zara Khan",
    language: "en-US",
    devices: ["iOS"],
    certificates: [],
    story: "enrolled iPhone but no certificate profile reached her yet: cannot sign or encrypt",
  },
  {
    name: "alva",
    displayName: "Alva Lundin",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: [{ purpose: "signing", delivery: "scep", expect: VALID }],
    story: "can sign, cannot encrypt: no encryption certificate was imported for her",
  },
  {
    name: "edvin",
    displayName: "Edvin Sund",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: [
      { purpose: "signing", delivery: "scep", expect: VALID },
      {
        purpose: "encryption",
        delivery: "pfx",
        validDays: -40,
        startsInDays: -405,
        published: false,
        expect: { state: "expired", problems: ["EXPIRED"] },
      },
      { purpose: "encryption", delivery: "pfx", expect: VALID },
    ],
    story:
      "keeps last year's expired encryption certificate beside the current one, so old mail stays readable",
  },
  {
    name: "freja",
    displayName: "Freja Lind",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: [
      { purpose: "signing", delivery: "scep", validDays: 3, expect: { state: "expiring", problems: [] } },
      { purpose: "signing", delivery: "scep", expect: VALID },
      { purpose: "encryption", delivery: "pfx", expect: VALID },
    ],
    story: "renewal already delivered: the old signing certificate expires in 3 days, the new one is ready",
  },
  {
    name: "gabriel",
    displayName: "Gabriel Silva",
    language: "en-US",
    devices: ["iOS"],
    certificates: [
      { purpose: "signing", delivery: "scep", expect: VALID },
      {
        purpose: "encryption",
        delivery: "pfx",
        validDays: -10,
        startsInDays: -375,
        expect: { state: "expired", problems: ["EXPIRED"] },
      },
    ],
    story: "encryption certificate expired 10 days ago and nothing replaced it: cannot encrypt",
  },
  {
    name: "hampus",
    displayName: "Hampus Eriksson",
    language: "sv-SE",
    devices: both,
    certificates: [
      { purpose: "signing", delivery: "pkcs", expect: VALID },
      { purpose: "encryption", delivery: "pfx", expect: VALID },
    ],
    story:
      "signs with a PKCS-issued certificate per device (allowed for signing), encrypts with an imported PFX",
  },
  {
    name: "ida",
    displayName: "Ida Holmberg",
    language: "sv-SE",
    devices: ["iOS"],
    certificates: [
      { purpose: "signing", delivery: "pfx", expect: VALID },
      { purpose: "encryption", delivery: "pfx", expect: VALID },
    ],
    story: "both certificates imported as PFX (smimeSigning and smimeEncryption)",
  },
  {
    name: "jakob",
    displayName: "Jakob Nilsson",
    language: "sv-SE",
    devices: ["iOS"],
    aliases: ["jakob.nilsson", "jn"],
    certificates: standard(),
    story: "several smtp: aliases; certificates name the primary address, so all is well",
  },
  {
    name: "karl",
    displayName: "Karl Jansson",
    language: "sv-SE",
    devices: both,
    certificates: [
      { purpose: "signing", delivery: "scep", validDays: 20, expect: { state: "expiring", problems: [] } },
      { purpose: "encryption", delivery: "pfx", validDays: 20, expect: { state: "expiring", problems: [] } },
    ],
    story: "both certificates expire in 20 days on both of his devices",
  },
  {
    name: "nils",
    displayName: "Nils Forsberg",
    language: "sv-SE",
    devices: [],
    certificates: [],
    story:
      "reads mail on a Windows laptop only: no enrolled iOS or Android device for Intune to deliver to, so re-provisioning him fails, naming that",
  },
];

/** The users' domain (the same as the four users `serve --demo` registers by hand). */
export const DEMO_TENANT_DOMAIN = "demo.smime-lifecycle.local";

/**
 * The tenant's shared mailbox the notices go out from: `serve --demo`'s MAIL_SENDER when none is set. It can
 * send mail but is no person, so it stays out of the user listing (the demo's counts are about people).
 */
export const DEMO_NOTICES_MAILBOX = `smime-notices@${DEMO_TENANT_DOMAIN}`;

/** Every code a user is expected to show, certificate and user level together (before scripted changes). */
export function expectedProblems(user: DemoUserSpec): ProblemCodeName[] {
  const codes = new Set<ProblemCodeName>(user.userProblems ?? []);
  for (const c of user.certificates) for (const p of c.expect.problems) codes.add(p);
  if (user.devices.includes("android")) codes.add("POLICY_DRIFT");
  return [...codes].sort();
}

/** Every certificate state a user is expected to show, before and after the scripted change. */
export function expectedStates(user: DemoUserSpec): DemoState[] {
  const states = new Set<DemoState>();
  for (const c of user.certificates) {
    states.add(c.expect.state);
    if (c.expectAfterChange) states.add(c.expectAfterChange.state);
  }
  return [...states].sort();
}
