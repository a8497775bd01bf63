/**
 * A notice as an Internet message (RFC 5322 + MIME): one multipart/alternative with a text/plain and a
 * text/html part, both UTF-8 and quoted-printable. Graph's JSON sendMail carries a single body; its MIME form
 * (`POST /users/{id}/sendMail`, `Content-Type: text/plain`, the message base64-encoded) carries both, so a
 * mail client that shows no HTML still shows the words. Pure and deterministic: the date and the Message-ID
 * come in, and the part boundary is derived from the Message-ID, so the same notice always makes the same bytes.
 */
import { createHash } from "node:crypto";

export interface MimeAddress {
  readonly address: string;
  /** A display name; any text (it is encoded, quoted, and stripped of line breaks as needed). */
  readonly name?: string;
}

export interface MimeMessageInput {
  readonly from: MimeAddress;
  readonly to: readonly MimeAddress[];
  readonly subject: string;
  readonly text: string;
  /** The HTML part as given: escaping the values put into it is the caller's job. */
  readonly html: string;
  readonly date: Date;
  /** `local@domain`, without the angle brackets. */
  readonly messageId: string;
  /** `Content-Language` (RFC 3282), e.g. "sv". */
  readonly language?: string;
}

const CRLF = "\r\n";
/** RFC 5322 §2.1.1: lines SHOULD be at most 78 characters; RFC 2045: quoted-printable lines at most 76. */
const HEADER_LINE = 78;
const QP_LINE = 76;
/** RFC 2047 §2: an encoded word is at most 75 characters; "=?UTF-8?B?" + "?=" leave 63, so 45 bytes. */
const ENCODED_WORD_BYTES = 45;

/** A mailbox address Graph would take: no spaces, angle brackets or line breaks, one "@" with a dotted domain. */
const ADDRESS = /^[^\s<>()[\]\\,;:"@]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
/** RFC 5322 atext plus space: a display name that needs no quoting. */
const PLAIN_NAME = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Whether `address` can go in a From or To header as it is. */
export function isMailAddress(address: string): boolean {
  return ADDRESS.test(address);
}

/** The whole message, CRLF line ends. @throws RangeError for an address that is not one */
export function composeMimeMessage(input: MimeMessageInput): string {
  if (input.to.length === 0) throw new RangeError("a message needs at least one recipient");
  const boundary = boundaryOf(input.messageId);
  const headers = [
    header("From", mailbox(input.from)),
    header("To", input.to.map(mailbox).join(", ")),
    header("Subject", unstructured(input.subject)),
    `Date: ${rfc5322Date(input.date)}`,
    `Message-ID: <${messageIdOf(input.messageId)}>`,
    "MIME-Version: 1.0",
    // RFC 3834: an automatic notice; out-of-office replies and auto-forwards leave it alone.
    "Auto-Submitted: auto-generated",
    ...(input.language ? [`Content-Language: ${input.language.replace(/[^A-Za-z0-9-]/g, "")}`] : []),
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ];
  return [
    ...headers,
    "",
    `--${boundary}`,
    ...textPart("plain", input.text),
    `--${boundary}`,
    ...textPart("html", input.html),
    `--${boundary}--`,
    "",
  ].join(CRLF);
}

function textPart(subtype: "plain" | "html", content: string): string[] {
  return [
    `Content-Type: text/${subtype}; charset=UTF-8`,
    "Content-Transfer-Encoding: quoted-printable",
    "",
    encodeQuotedPrintable(content),
  ];
}

/**
 * Quoted-printable (RFC 2045 §6.7) of UTF-8 text: line breaks of any kind become CRLF, lines longer than 76
 * characters are broken with soft breaks ("=" at the end), never inside an escape. An encoded line never
 * holds "=_", which is why the boundary starts with it.
 */
export function encodeQuotedPrintable(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => softWrap(escapeLine(line)))
    .join(CRLF);
}

function escapeLine(line: string): string[] {
  const bytes = Buffer.from(line, "utf8");
  const tokens: string[] = [];
  bytes.forEach((byte, i) => {
    const last = i === bytes.length - 1;
    const literal = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
    tokens.push(literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, "0")}`);
  });
  return tokens;
}

/** Joins escape tokens into lines of at most 76 characters, the soft break "=" included. */
function softWrap(tokens: readonly string[]): string {
  const lines: string[] = [];
  let current = "";
  for (const token of tokens) {
    if (current.length + token.length > QP_LINE - 1) {
      lines.push(`${current}=`);
      current = "";
    }
    current += token;
  }
  lines.push(current);
  return lines.join(CRLF);
}

/** `Name: value`, folded at spaces so that no line passes 78 characters where a space allows. */
function header(name: string, value: string): string {
  const words = value.split(" ");
  const lines: string[] = [];
  let current = `${name}:`;
  for (const word of words) {
    if (current.length + 1 + word.length > HEADER_LINE && current.trim() !== `${name}:`) {
      lines.push(current);
      current = "";
    }
    current += ` ${word}`;
  }
  lines.push(current);
  return lines.join(CRLF);
}

/** Free text for a header: as it is when plain printable ASCII, else RFC 2047 encoded words. */
function unstructured(text: string): string {
  const clean = singleLine(text);
  return PRINTABLE_ASCII.test(clean) && !clean.includes("=?") ? clean : encodedWords(clean);
}

/** RFC 2047 "B" encoded words, each whole characters of at most 45 UTF-8 bytes, separated by spaces. */
export function encodedWords(text: string): string {
  const words: string[] = [];
  let chunk = "";
  for (const char of text) {
    if (Buffer.byteLength(chunk + char, "utf8") > ENCODED_WORD_BYTES) {
      words.push(chunk);
      chunk = "";
    }
    chunk += char;
  }
  if (chunk !== "" || words.length === 0) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, "utf8").toString("base64")}?=`).join(" ");
}

/** `Name <address>` (or the bare address): the name plain, quoted, or encoded as it needs. */
function mailbox({ address, name }: MimeAddress): string {
  if (!isMailAddress(address)) throw new RangeError(`not a mail address: ${JSON.stringify(address)}`);
  const display = name === undefined ? "" : singleLine(name).trim();
  if (display === "") return address;
  if (PLAIN_NAME.test(display)) return `${display} <${address}>`;
  if (PRINTABLE_ASCII.test(display) && !display.includes("=?"))
    return `"${display.replace(/[\\"]/g, (c) => `\\${c}`)}" <${address}>`;
  return `${encodedWords(display)} <${address}>`;
}

/** Line breaks and other control characters out: a header value is one line (no header injection). */
function singleLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is taken out
  return text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/ {2,}/g, " ");
}

function messageIdOf(id: string): string {
  const clean = id.replace(/[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.@]/g, "");
  if (!/^[^@]+@[^@]+$/.test(clean)) throw new RangeError(`not a Message-ID: ${JSON.stringify(id)}`);
  return clean;
}

/** "=_" cannot occur in quoted-printable text, so no part can contain the boundary. */
function boundaryOf(messageId: string): string {
  return `=_alt_${createHash("sha256").update(messageId).digest("hex").slice(0, 24)}`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 5322 §3.3, in UTC: "Sat, 28 Nov 2026 19:05:00 +0000". */
export function rfc5322Date(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
