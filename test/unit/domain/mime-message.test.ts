import { describe, expect, it } from "vitest";
import {
  composeMimeMessage,
  encodedWords,
  encodeQuotedPrintable,
  type MimeMessageInput,
  rfc5322Date,
} from "../../../shared/domain/mime-message.ts";
import { composeNotice } from "../../../shared/domain/notification-messages.ts";
import { decodeQuotedPrintable, readMimeMessage } from "../../../shared/local/demo-tenant/mime-reader.ts";

const NOW = new Date("2026-11-28T09:05:03.000Z");

function message(overrides: Partial<MimeMessageInput> = {}): MimeMessageInput {
  return {
    from: { address: "it-notices@contoso.com", name: "IT" },
    to: [{ address: "alice@contoso.com", name: "Alice Smith" }],
    subject: "Your S/MIME certificate expires in 7 days",
    text: "Hello Alice,\n\nOpen Company Portal.",
    html: "<p>Hello Alice,</p><p>Open Company Portal.</p>",
    date: NOW,
    messageId: "notice.1234@contoso.com",
    ...overrides,
  };
}

/** The header section, unfolded, as name → raw value. */
function headersOf(mime: string): Map<string, string> {
  const head = mime.slice(0, mime.indexOf("\r\n\r\n")).replace(/\r\n[ \t]/g, " ");
  return new Map(
    head.split("\r\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
  );
}

describe("composeMimeMessage", () => {
  it.each([
    {
      name: "ASCII",
      input: message(),
      subject: "Your S/MIME certificate expires in 7 days",
      rawSubject: "Your S/MIME certificate expires in 7 days",
      to: "Alice Smith <alice@contoso.com>",
    },
    {
      name: "Swedish åäö in subject, name and body",
      input: message({
        subject: "Ditt S/MIME-certifikat går ut om 7 dagar",
        to: [{ address: "asa@contoso.se", name: "Åsa Öberg" }],
        text: "Hej Åsa,\n\nÖppna Företagsportalen och synkronisera enheten.",
        html: "<p>Hej Åsa,</p><p>Öppna Företagsportalen.</p>",
      }),
      subject: "Ditt S/MIME-certifikat går ut om 7 dagar",
      rawSubject: /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=( =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=)*$/,
      to: /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <asa@contoso\.se>$/,
    },
    {
      name: "a display name with specials is quoted",
      input: message({ to: [{ address: "bob@contoso.com", name: 'Smith, Bob "The Builder"' }] }),
      subject: "Your S/MIME certificate expires in 7 days",
      rawSubject: "Your S/MIME certificate expires in 7 days",
      to: '"Smith, Bob \\"The Builder\\"" <bob@contoso.com>',
    },
    {
      name: "line breaks in a name or subject cannot add a header",
      input: message({
        subject: "Expiring\r\nBcc: everyone@contoso.com",
        to: [{ address: "eve@contoso.com", name: "Eve\r\nBcc: all@contoso.com" }],
      }),
      subject: "Expiring Bcc: everyone@contoso.com",
      rawSubject: "Expiring Bcc: everyone@contoso.com",
      to: '"Eve Bcc: all@contoso.com" <eve@contoso.com>',
    },
  ])("$name", ({ input, subject, rawSubject, to }) => {
    const mime = composeMimeMessage(input);
    const headers = headersOf(mime);
    expect([...headers.keys()]).toEqual([
      "From",
      "To",
      "Subject",
      "Date",
      "Message-ID",
      "MIME-Version",
      "Auto-Submitted",
      "Content-Type",
    ]);
    expect(headers.get("Subject")).toEqual(
      typeof rawSubject === "string" ? rawSubject : expect.stringMatching(rawSubject),
    );
    expect(headers.get("To")).toEqual(typeof to === "string" ? to : expect.stringMatching(to));
    expect(headers.get("Date")).toBe("Sat, 28 Nov 2026 09:05:03 +0000");
    expect(headers.get("Message-ID")).toBe("<notice.1234@contoso.com>");
    // Every line is 7-bit and within RFC 5322's 78 characters.
    for (const line of mime.split("\r\n")) {
      expect(line).toMatch(/^[\x20-\x7e]*$/);
      expect(line.length).toBeLessThanOrEqual(78);
    }
    const read = readMimeMessage(mime);
    expect(read).toMatchObject({
      subject,
      to: [input.to[0]?.address],
      from: "it-notices@contoso.com",
      messageId: "notice.1234@contoso.com",
      text: input.text,
      html: input.html,
    });
  });

  it("is the same bytes for the same notice (a retry is recognisable), other bytes for another", () => {
    expect(composeMimeMessage(message())).toBe(composeMimeMessage(message()));
    const other = composeMimeMessage(message({ messageId: "notice.5678@contoso.com" }));
    expect(other).not.toBe(composeMimeMessage(message()));
    expect(headersOf(other).get("Content-Type")).toMatch(
      /^multipart\/alternative; boundary="=_alt_[0-9a-f]{24}"$/,
    );
  });

  it("names the language when given, and refuses what is no address", () => {
    expect(headersOf(composeMimeMessage(message({ language: "sv" }))).get("Content-Language")).toBe("sv");
    expect(() =>
      composeMimeMessage(message({ to: [{ address: "alice@contoso.com>\r\nBcc: x@y.z" }] })),
    ).toThrow(RangeError);
    expect(() => composeMimeMessage(message({ to: [] }))).toThrow(RangeError);
    expect(() => composeMimeMessage(message({ from: { address: "not an address" } }))).toThrow(RangeError);
  });

  it("escapes every value put into the HTML: a display name with markup arrives as text", () => {
    const notice = composeNotice({
      reason: "revoked",
      language: "en",
      displayName: `<img src=x onerror="alert('x')"> & Co`,
      now: NOW,
    });
    const read = readMimeMessage(
      composeMimeMessage(message({ html: notice.mail.html, text: notice.mail.text })),
    );
    expect(read.html).toContain("Hello &lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; Co,");
    expect(read.html).not.toContain("<img");
    expect(read.text).toContain(`Hello <img src=x onerror="alert('x')"> & Co,`);
  });
});

describe("encodeQuotedPrintable", () => {
  it.each([
    { name: "plain ASCII stays as it is", text: "Open Company Portal.", encoded: "Open Company Portal." },
    { name: "= is escaped", text: "a=b", encoded: "a=3Db" },
    { name: "UTF-8 bytes are escaped", text: "Företag", encoded: "F=C3=B6retag" },
    { name: "a space at a line's end is escaped", text: "end \nnext", encoded: "end=20\r\nnext" },
    { name: "any line break becomes CRLF", text: "a\r\nb\rc\nd", encoded: "a\r\nb\r\nc\r\nd" },
  ])("$name", ({ text, encoded }) => {
    expect(encodeQuotedPrintable(text)).toBe(encoded);
    expect(decodeQuotedPrintable(encoded).toString("utf8")).toBe(
      text.replace(/\r\n|\r/g, "\n").replace(/\n/g, "\r\n"),
    );
  });

  it("breaks long lines softly at 76 characters, never inside an escape", () => {
    const text = `${"x".repeat(74)}åäö ${"y".repeat(200)}`;
    const encoded = encodeQuotedPrintable(text);
    const lines = encoded.split("\r\n");
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(76);
      expect(line).not.toMatch(/=[0-9A-F]?=$/);
    }
    expect(decodeQuotedPrintable(encoded).toString("utf8")).toBe(text);
  });
});

describe("encodedWords", () => {
  it("splits into words of at most 75 characters on whole characters", () => {
    const subject = "Åäö ".repeat(30);
    const words = encodedWords(subject).split(" ");
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) {
      expect(word.length).toBeLessThanOrEqual(75);
      const bytes = Buffer.from(word.slice(10, -2), "base64");
      expect(bytes.toString("utf8")).not.toContain("\ufffd");
    }
  });
});

describe("rfc5322Date", () => {
  it("writes UTC with a numeric zone", () => {
    expect(rfc5322Date(new Date("2026-01-04T23:59:59.999Z"))).toBe("Sun, 4 Jan 2026 23:59:59 +0000");
  });
});
