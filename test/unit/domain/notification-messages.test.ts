import { describe, expect, it } from "vitest";
import {
  COMPANY_PORTAL_LIMITS,
  composeNotice,
  daysLeft,
  fitWithin,
  languageOf,
  type NoticeInput,
  type NoticeLanguage,
  type NoticeReason,
  PROBLEM_WORDING,
  plainProblem,
} from "../../../shared/domain/notification-messages.ts";
import { ProblemCode } from "../../../shared/pki/problems.ts";

const NOW = new Date("2026-03-02T09:00:00Z");
const REASONS: readonly NoticeReason[] = [
  "expiring",
  "expired",
  "revoked",
  "validationFailed",
  "reprovisioned",
];
const LANGUAGES: readonly NoticeLanguage[] = ["en", "sv"];

const input = (
  reason: NoticeReason,
  language: NoticeLanguage,
  extra: Partial<NoticeInput> = {},
): NoticeInput => ({
  reason,
  language,
  displayName: "Astrid Falk",
  thresholdDays: 30,
  notAfter: "2026-03-27T09:00:00.000Z",
  problemCodes: ["SMTP_MISMATCH"],
  now: NOW,
  ...extra,
});

describe("languageOf", () => {
  it.each([
    { name: "Swedish (Sweden)", preferred: "sv-SE", expected: "sv" },
    { name: "Swedish (Finland)", preferred: "sv-FI", expected: "sv" },
    { name: "bare sv, upper case", preferred: "SV", expected: "sv" },
    { name: "English (US)", preferred: "en-US", expected: "en" },
    { name: "another language falls back to English", preferred: "fi-FI", expected: "en" },
    { name: "a look-alike is not Swedish", preferred: "svx", expected: "en" },
    { name: "none", preferred: undefined, expected: "en" },
  ])("$name: $preferred → $expected", ({ preferred, expected }) => {
    expect(languageOf(preferred)).toBe(expected);
  });
});

/** What each reason must say, per language (a phrase of the title, a phrase of the body). */
const EXPECTED: Record<NoticeReason, Record<NoticeLanguage, { title: string; body: readonly string[] }>> = {
  expiring: {
    en: { title: "expires in 25 days", body: ["Your S/MIME certificate expires in 25 days", "2026-03-27"] },
    sv: { title: "går ut om 25 dagar", body: ["Ditt S/MIME-certifikat går ut om 25 dagar", "2026-03-27"] },
  },
  expired: {
    en: { title: "has expired", body: ["has expired", "Company Portal"] },
    sv: { title: "har gått ut", body: ["har gått ut", "Företagsportalen"] },
  },
  revoked: {
    en: { title: "was revoked", body: ["revoked", "IT will issue a new one"] },
    sv: { title: "har spärrats", body: ["spärrats", "IT utfärdar ett nytt"] },
  },
  validationFailed: {
    en: { title: "cannot be used", body: ["different e-mail address than yours"] },
    sv: { title: "kan inte användas", body: ["annan e-postadress än din"] },
  },
  reprovisioned: {
    en: {
      title: "New S/MIME certificates",
      body: ["Open Company Portal", "Settings → your account → Security → S/MIME"],
    },
    sv: {
      title: "Nya S/MIME-certifikat",
      body: ["Öppna Företagsportalen", "Inställningar → kontot → Säkerhet → S/MIME"],
    },
  },
};

const cases = REASONS.flatMap((reason) => LANGUAGES.map((language) => ({ reason, language })));

describe("composeNotice: each reason in each language", () => {
  it.each(cases)("$reason in $language", ({ reason, language }) => {
    const notice = composeNotice(input(reason, language));
    const want = EXPECTED[reason][language];
    expect(notice.companyPortal.notificationTitle).toContain(want.title);
    expect(notice.mail.subject).toContain(want.title);
    for (const phrase of want.body) {
      expect(notice.companyPortal.notificationBody).toContain(phrase);
      expect(notice.mail.text).toContain(phrase);
      expect(notice.mail.html).toContain(phrase.replace(/&/g, "&amp;"));
    }
    expect(notice.mail.text).toContain(language === "sv" ? "Hej Astrid Falk," : "Hello Astrid Falk,");
  });

  it.each(cases)("$reason in $language: within Company Portal's limits", ({ reason, language }) => {
    const every = Object.values(ProblemCode);
    const { companyPortal } = composeNotice(input(reason, language, { problemCodes: every }));
    expect([...companyPortal.notificationTitle].length).toBeLessThanOrEqual(COMPANY_PORTAL_LIMITS.title);
    expect([...companyPortal.notificationBody].length).toBeLessThanOrEqual(COMPANY_PORTAL_LIMITS.body);
    expect(companyPortal.notificationTitle.length).toBeGreaterThan(0);
  });

  it("a long problem list is cut with an ellipsis, not mid-word", () => {
    const every = Object.values(ProblemCode);
    const body = composeNotice(input("validationFailed", "en", { problemCodes: every })).companyPortal
      .notificationBody;
    expect(body.endsWith("…")).toBe(true);
    expect(body.length).toBeGreaterThan(400);
  });

  it("the HTML escapes the user's name", () => {
    const { mail } = composeNotice(input("expired", "en", { displayName: "<b>Kevin O'Brien & co</b>" }));
    expect(mail.html).toContain("&lt;b&gt;Kevin O&#39;Brien &amp; co&lt;/b&gt;");
    expect(mail.html).not.toContain("<b>Kevin");
  });

  it("validationFailed without problems still says what to do", () => {
    const { mail } = composeNotice(input("validationFailed", "sv", { problemCodes: [] }));
    expect(mail.text).toContain("Kontakta IT-support");
  });

  it("one day is singular", () => {
    const en = composeNotice(
      input("expiring", "en", { notAfter: "2026-03-02T21:00:00.000Z", thresholdDays: 1 }),
    );
    const sv = composeNotice(
      input("expiring", "sv", { notAfter: "2026-03-02T21:00:00.000Z", thresholdDays: 1 }),
    );
    expect(en.companyPortal.notificationTitle).toBe("S/MIME certificate expires in 1 day");
    expect(sv.companyPortal.notificationTitle).toBe("S/MIME-certifikatet går ut om 1 dag");
  });
});

describe("daysLeft", () => {
  it.each([
    { name: "whole days", notAfter: "2026-03-12T09:00:00.000Z", threshold: 14, expected: 10 },
    {
      name: "12 hours rounds up to one day",
      notAfter: "2026-03-02T21:00:00.000Z",
      threshold: 1,
      expected: 1,
    },
    { name: "already past is 0", notAfter: "2026-03-01T09:00:00.000Z", threshold: 1, expected: 0 },
    { name: "no notAfter: the threshold", notAfter: undefined, threshold: 7, expected: 7 },
  ])("$name", ({ notAfter, threshold, expected }) => {
    expect(daysLeft({ ...(notAfter ? { notAfter } : {}), thresholdDays: threshold, now: NOW })).toBe(
      expected,
    );
  });
});

describe("problem codes in plain words", () => {
  const codes = Object.values(ProblemCode);
  it.each(LANGUAGES)("every problem code has its own wording in %s", (language) => {
    for (const code of codes) {
      const words = PROBLEM_WORDING[language][code];
      expect(words, code).toBeDefined();
      expect(words, code).not.toContain(code);
      expect(words, code).not.toMatch(/\b(CRL|EKU|SAN|SMTP|CA)\b(?! support)/);
    }
  });

  it.each([
    { code: "SMTP_MISMATCH", language: "en", says: "different e-mail address" },
    { code: "SMTP_MISMATCH", language: "sv", says: "annan e-postadress" },
    { code: "CHAIN_UNTRUSTED", language: "en", says: "does not trust" },
    { code: "ENCRYPTION_NOT_IMPORTED", language: "en", says: "other devices cannot read" },
    { code: "NOT_PUBLISHED_FOR_RECIPIENTS", language: "sv", says: "adressboken" },
    { code: "NOT_DELIVERED", language: "en", says: "Open Company Portal" },
    { code: "SOMETHING_NEW", language: "en", says: "cannot be used for S/MIME" },
    { code: "SOMETHING_NEW", language: "sv", says: "kan inte användas för S/MIME" },
  ] as const)("$code in $language says “$says”", ({ code, language, says }) => {
    expect(plainProblem(code, language)).toContain(says);
  });
});

describe("fitWithin", () => {
  it.each([
    { name: "short text unchanged", text: "hello", max: 10, expected: "hello" },
    { name: "exactly the limit unchanged", text: "0123456789", max: 10, expected: "0123456789" },
    { name: "cut at a word boundary", text: "alpha beta gamma delta", max: 15, expected: "alpha beta…" },
    { name: "one long word cut hard", text: "abcdefghijklmnop", max: 8, expected: "abcdefg…" },
    { name: "counts characters, not UTF-16 units", text: "ååå ååå", max: 7, expected: "ååå ååå" },
  ])("$name", ({ text, max, expected }) => {
    expect(fitWithin(text, max)).toBe(expected);
    expect([...fitWithin(text, max)].length).toBeLessThanOrEqual(max);
  });
});
