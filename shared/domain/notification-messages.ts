/**
 * What a user is told, in English or Swedish: the Company Portal notice (title ≤ 50, body ≤ 500 characters,
 * Graph's limits for sendCustomNotificationToCompanyPortal) and the e-mail (subject, HTML and text). Pure: the
 * clock's reading comes in as `now`.
 *
 * Users are not PKI people: a problem code becomes what is wrong in plain words and what to do about it.
 */
import type { EventData } from "../contracts/events.ts";

export type NoticeLanguage = "en" | "sv";
export type NoticeReason = EventData<"notification.requested">["reason"];

/** Graph's limits on a Company Portal notice. */
export const COMPANY_PORTAL_LIMITS = { title: 50, body: 500 } as const;

/** `sv`, `sv-SE`, `sv-FI` → Swedish; anything else (or nothing) → English. */
export function languageOf(preferredLanguage: string | undefined): NoticeLanguage {
  return /^sv\b/i.test(preferredLanguage?.trim() ?? "") ? "sv" : "en";
}

export interface NoticeInput {
  readonly reason: NoticeReason;
  readonly language: NoticeLanguage;
  readonly displayName?: string;
  readonly thresholdDays?: number;
  readonly notAfter?: string;
  readonly problemCodes?: readonly string[];
  readonly now: Date;
}

export interface Notice {
  readonly language: NoticeLanguage;
  readonly companyPortal: { readonly notificationTitle: string; readonly notificationBody: string };
  readonly mail: { readonly subject: string; readonly html: string; readonly text: string };
}

interface Wording {
  readonly title: string;
  /** Paragraphs, the first the news, the rest what to do. */
  readonly lines: readonly string[];
}

const DAY_MS = 86_400_000;
const OUTLOOK_SV = "Slå på S/MIME i Outlook: Inställningar → kontot → Säkerhet → S/MIME.";
const OUTLOOK_EN = "Turn S/MIME on in Outlook: Settings → your account → Security → S/MIME.";

/** Whole days until notAfter, at least 0 (rounded up: 12 hours left is "1 day"); the threshold without one. */
export function daysLeft(input: Pick<NoticeInput, "notAfter" | "thresholdDays" | "now">): number {
  if (input.notAfter === undefined) return input.thresholdDays ?? 0;
  return Math.max(0, Math.ceil((Date.parse(input.notAfter) - input.now.getTime()) / DAY_MS));
}

const dateOf = (iso: string | undefined, language: NoticeLanguage): string =>
  iso === undefined ? "" : new Date(iso).toISOString().slice(0, 10) + (language === "sv" ? "" : " (UTC)");

/** Plain words for each problem code: what is wrong, and what the user should do. */
export const PROBLEM_WORDING: Readonly<Record<NoticeLanguage, Readonly<Record<string, string>>>> = {
  en: {
    MALFORMED: "The certificate file is damaged. IT will issue a new one; you do not need to do anything.",
    CHAIN_UNTRUSTED:
      "The certificate comes from an issuer that Exchange Online does not trust. Contact IT support.",
    SIGNATURE_INVALID: "The certificate has been altered and cannot be trusted. Contact IT support.",
    EXPIRED: "The certificate has expired. Open Company Portal to get a new one.",
    NOT_YET_VALID: "The certificate is not valid yet. Wait until its start date or contact IT support.",
    ISSUER_NOT_CA: "The certificate's issuer is not allowed to issue certificates. Contact IT support.",
    PATH_LENGTH_EXCEEDED: "The certificate's issuer chain is not allowed. Contact IT support.",
    NAME_CONSTRAINTS_VIOLATED: "The certificate names an address its issuer may not use. Contact IT support.",
    POLICY_INVALID: "The certificate does not meet the issuer's policy. Contact IT support.",
    UNSUPPORTED_CRITICAL_EXTENSION: "The certificate has a feature Outlook cannot use. Contact IT support.",
    REVOKED: "The certificate has been revoked and can no longer be used. IT will issue a new one.",
    CRL_UNREACHABLE: "The revocation list cannot be checked right now. IT is looking into it.",
    CRL_STALE: "The revocation list is out of date. IT is looking into it.",
    CRL_INVALID: "The revocation list is broken. IT is looking into it.",
    EKU_NOT_EMAIL_PROTECTION: "The certificate is not made for e-mail. Contact IT support for a new one.",
    KEY_USAGE_SIGNING: "The certificate cannot sign e-mail. Contact IT support for a new one.",
    KEY_USAGE_ENCRYPTION: "The certificate cannot encrypt e-mail. Contact IT support for a new one.",
    NO_EMAIL_ADDRESS: "The certificate holds no e-mail address. Contact IT support for a new one.",
    SMTP_MISMATCH:
      "The certificate names a different e-mail address than yours (has your address changed?). Contact IT support for a new one.",
    NONCONFORMANT: "The certificate breaks a technical rule. Contact IT support.",
    ENCRYPTION_NOT_IMPORTED:
      "Your encryption certificate was made on the device, so other devices cannot read your encrypted mail. Contact IT support.",
    NOT_PUBLISHED_FOR_RECIPIENTS:
      "Your encryption certificate is not in the address book, so others cannot send you encrypted mail. IT will publish it.",
    POLICY_DRIFT: "Outlook's settings on your device are not as IT intended. IT is fixing them.",
    NOT_DELIVERED:
      "The certificate has not reached your device. Open Company Portal and check your device status.",
  },
  sv: {
    MALFORMED: "Certifikatfilen är skadad. IT utfärdar ett nytt; du behöver inte göra något.",
    CHAIN_UNTRUSTED:
      "Certifikatet kommer från en utfärdare som Exchange Online inte litar på. Kontakta IT-support.",
    SIGNATURE_INVALID: "Certifikatet har ändrats och går inte att lita på. Kontakta IT-support.",
    EXPIRED: "Certifikatet har gått ut. Öppna Företagsportalen för att hämta ett nytt.",
    NOT_YET_VALID: "Certifikatet gäller inte än. Vänta till startdatumet eller kontakta IT-support.",
    ISSUER_NOT_CA: "Certifikatets utfärdare får inte utfärda certifikat. Kontakta IT-support.",
    PATH_LENGTH_EXCEEDED: "Certifikatets utfärdarkedja är inte tillåten. Kontakta IT-support.",
    NAME_CONSTRAINTS_VIOLATED:
      "Certifikatet anger en adress som utfärdaren inte får använda. Kontakta IT-support.",
    POLICY_INVALID: "Certifikatet uppfyller inte utfärdarens regler. Kontakta IT-support.",
    UNSUPPORTED_CRITICAL_EXTENSION:
      "Certifikatet har en funktion som Outlook inte kan använda. Kontakta IT-support.",
    REVOKED: "Certifikatet har spärrats och kan inte användas längre. IT utfärdar ett nytt.",
    CRL_UNREACHABLE: "Spärrlistan går inte att kontrollera just nu. IT undersöker saken.",
    CRL_STALE: "Spärrlistan är inaktuell. IT undersöker saken.",
    CRL_INVALID: "Spärrlistan är trasig. IT undersöker saken.",
    EKU_NOT_EMAIL_PROTECTION: "Certifikatet är inte gjort för e-post. Kontakta IT-support för ett nytt.",
    KEY_USAGE_SIGNING: "Certifikatet kan inte signera e-post. Kontakta IT-support för ett nytt.",
    KEY_USAGE_ENCRYPTION: "Certifikatet kan inte kryptera e-post. Kontakta IT-support för ett nytt.",
    NO_EMAIL_ADDRESS: "Certifikatet saknar e-postadress. Kontakta IT-support för ett nytt.",
    SMTP_MISMATCH:
      "Certifikatet anger en annan e-postadress än din (har din adress ändrats?). Kontakta IT-support för ett nytt.",
    NONCONFORMANT: "Certifikatet bryter mot en teknisk regel. Kontakta IT-support.",
    ENCRYPTION_NOT_IMPORTED:
      "Ditt krypteringscertifikat skapades på enheten, så dina andra enheter kan inte läsa krypterad e-post. Kontakta IT-support.",
    NOT_PUBLISHED_FOR_RECIPIENTS:
      "Ditt krypteringscertifikat finns inte i adressboken, så andra kan inte skicka krypterad e-post till dig. IT publicerar det.",
    POLICY_DRIFT: "Outlooks inställningar på din enhet är inte som IT avsett. IT rättar dem.",
    NOT_DELIVERED:
      "Certifikatet har inte nått din enhet. Öppna Företagsportalen och kontrollera enhetens status.",
  },
};

const FALLBACK_PROBLEM: Record<NoticeLanguage, string> = {
  en: "The certificate cannot be used for S/MIME. Contact IT support.",
  sv: "Certifikatet kan inte användas för S/MIME. Kontakta IT-support.",
};

/** The plain-language sentence for one problem code (a generic one for a code not known here). */
export function plainProblem(code: string, language: NoticeLanguage): string {
  return PROBLEM_WORDING[language][code] ?? FALLBACK_PROBLEM[language];
}

function wordingEn(input: NoticeInput): Wording {
  switch (input.reason) {
    case "expiring": {
      const n = daysLeft(input);
      return {
        title: `S/MIME certificate expires in ${n} day${n === 1 ? "" : "s"}`,
        lines: [
          `Your S/MIME certificate expires in ${n} day${n === 1 ? "" : "s"}${input.notAfter ? `, on ${dateOf(input.notAfter, "en")}` : ""}.`,
          "Open Company Portal and sync your device so it can fetch the new certificate. If nothing changes within a day, contact IT support.",
        ],
      };
    }
    case "expired":
      return {
        title: "Your S/MIME certificate has expired",
        lines: [
          "Your S/MIME certificate has expired: you cannot sign mail, or read new encrypted mail, on your phone.",
          "Open Company Portal and sync your device to fetch a new certificate. If nothing changes within a day, contact IT support.",
        ],
      };
    case "revoked":
      return {
        title: "Your S/MIME certificate was revoked",
        lines: [
          "Your S/MIME certificate has been revoked and can no longer be used to sign or encrypt mail.",
          "IT will issue a new one. Open Company Portal and sync your device to fetch it.",
        ],
      };
    case "validationFailed":
      return {
        title: "Your S/MIME certificate cannot be used",
        lines: ["Outlook cannot use your S/MIME certificate:", ...problemLines(input)],
      };
    case "reprovisioned":
      return {
        title: "New S/MIME certificates are ready",
        lines: [
          "New S/MIME certificates are ready for you.",
          "Open Company Portal and sync your device to fetch them.",
          OUTLOOK_EN,
        ],
      };
  }
}

function wordingSv(input: NoticeInput): Wording {
  switch (input.reason) {
    case "expiring": {
      const n = daysLeft(input);
      return {
        title: `S/MIME-certifikatet går ut om ${n} ${n === 1 ? "dag" : "dagar"}`,
        lines: [
          `Ditt S/MIME-certifikat går ut om ${n} ${n === 1 ? "dag" : "dagar"}${input.notAfter ? `, den ${dateOf(input.notAfter, "sv")}` : ""}.`,
          "Öppna Företagsportalen och synkronisera enheten så att den hämtar det nya certifikatet. Kontakta IT-support om inget händer inom ett dygn.",
        ],
      };
    }
    case "expired":
      return {
        title: "Ditt S/MIME-certifikat har gått ut",
        lines: [
          "Ditt S/MIME-certifikat har gått ut: du kan inte signera e-post, eller läsa ny krypterad e-post, i telefonen.",
          "Öppna Företagsportalen och synkronisera enheten för att hämta ett nytt certifikat. Kontakta IT-support om inget händer inom ett dygn.",
        ],
      };
    case "revoked":
      return {
        title: "Ditt S/MIME-certifikat har spärrats",
        lines: [
          "Ditt S/MIME-certifikat har spärrats och kan inte längre användas för att signera eller kryptera e-post.",
          "IT utfärdar ett nytt. Öppna Företagsportalen och synkronisera enheten för att hämta det.",
        ],
      };
    case "validationFailed":
      return {
        title: "Ditt S/MIME-certifikat kan inte användas",
        lines: ["Outlook kan inte använda ditt S/MIME-certifikat:", ...problemLines(input)],
      };
    case "reprovisioned":
      return {
        title: "Nya S/MIME-certifikat är klara",
        lines: [
          "Nya S/MIME-certifikat är klara åt dig.",
          "Öppna Företagsportalen och synkronisera enheten för att hämta dem.",
          OUTLOOK_SV,
        ],
      };
  }
}

/** One line per distinct problem, in plain words; a generic line when none was given. */
function problemLines(input: NoticeInput): string[] {
  const codes = [...new Set(input.problemCodes ?? [])];
  if (codes.length === 0) return [FALLBACK_PROBLEM[input.language]];
  return [...new Set(codes.map((c) => plainProblem(c, input.language)))];
}

/** Cuts `text` to `max` characters, ending in "…" when cut (at a word boundary when one is near). */
export function fitWithin(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max - 1).join("");
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Every value that goes into the HTML passes here: names and wordings alike, quotes included. */
const escapeHtml = (s: string): string =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

const GREETING: Record<NoticeLanguage, (name?: string) => string> = {
  en: (name) => (name ? `Hello ${name},` : "Hello,"),
  sv: (name) => (name ? `Hej ${name},` : "Hej,"),
};
const SIGNATURE: Record<NoticeLanguage, string> = {
  en: "This message was sent automatically by IT. Please do not reply.",
  sv: "Meddelandet skickades automatiskt av IT. Svara inte på det.",
};

/** The notice for a reason in a language, within Company Portal's limits. */
export function composeNotice(input: NoticeInput): Notice {
  const wording = input.language === "sv" ? wordingSv(input) : wordingEn(input);
  const paragraphs = [
    GREETING[input.language](input.displayName),
    ...wording.lines,
    SIGNATURE[input.language],
  ];
  const html = [
    '<!DOCTYPE html><html><body style="font-family:Segoe UI,Arial,sans-serif">',
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    "</body></html>",
  ].join("\n");
  return {
    language: input.language,
    companyPortal: {
      notificationTitle: fitWithin(wording.title, COMPANY_PORTAL_LIMITS.title),
      notificationBody: fitWithin(wording.lines.join(" "), COMPANY_PORTAL_LIMITS.body),
    },
    mail: { subject: wording.title, html, text: paragraphs.join("\n\n") },
  };
}
