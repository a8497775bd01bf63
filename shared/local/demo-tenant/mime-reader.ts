/**
 * Reads an Internet message the way Exchange does when Graph's sendMail is given MIME: headers unfolded, RFC 2047
 * encoded words decoded, multipart bodies split, base64 and quoted-printable parts decoded to text. Enough for
 * the demo tenant to put a MIME message in its outbox with its subject, recipients and both bodies readable;
 * not a general mail parser (no attachments, no nested encodings beyond multipart).
 */

export interface ReadMessage {
  readonly from?: string;
  /** Recipient addresses (To and Cc), without display names. */
  readonly to: readonly string[];
  readonly subject: string;
  readonly messageId?: string;
  readonly date?: string;
  /** The text/plain and text/html bodies, decoded, with "\n" line ends. */
  readonly text?: string;
  readonly html?: string;
}

/** Why a message could not be read. */
export class MimeReadError extends Error {
  override readonly name = "MimeReadError";
}

interface Entity {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/** @throws MimeReadError for text without a header section */
export function readMimeMessage(raw: string): ReadMessage {
  const entity = splitEntity(raw);
  if (entity.headers.size === 0) throw new MimeReadError("no header section");
  const parts: Record<"text" | "html", string | undefined> = { text: undefined, html: undefined };
  collectText(entity, parts, 0);
  const header = (name: string) => entity.headers.get(name);
  const from = header("from");
  const messageId = header("message-id");
  const date = header("date");
  return {
    to: [header("to"), header("cc")].flatMap((v) => (v ? addressesOf(decodeWords(v)) : [])),
    subject: decodeWords(header("subject") ?? ""),
    ...(from !== undefined && { from: addressesOf(decodeWords(from))[0] ?? from }),
    ...(messageId !== undefined && { messageId: messageId.replace(/^<|>$/g, "") }),
    ...(date !== undefined && { date }),
    ...(parts.text !== undefined && { text: parts.text }),
    ...(parts.html !== undefined && { html: parts.html }),
  };
}

function splitEntity(raw: string): Entity {
  const normalized = raw.replace(/\r\n/g, "\n");
  const end = normalized.indexOf("\n\n");
  const head = end < 0 ? normalized : normalized.slice(0, end);
  const body = end < 0 ? "" : normalized.slice(end + 2);
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of head.split("\n")) {
    if (/^[ \t]/.test(line) && last) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      if (line.trim() === "") continue;
      throw new MimeReadError(`not a header line: ${JSON.stringify(line.slice(0, 80))}`);
    }
    last = line.slice(0, colon).trim().toLowerCase();
    headers.set(last, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** The first text/plain and text/html bodies, depth first (multipart/alternative, mixed, related). */
function collectText(entity: Entity, into: Record<"text" | "html", string | undefined>, depth: number) {
  if (depth > 5) throw new MimeReadError("multipart nested too deep");
  const type = contentType(entity.headers.get("content-type"));
  if (type.value.startsWith("multipart/")) {
    const boundary = type.params.get("boundary");
    if (!boundary) throw new MimeReadError("multipart without a boundary");
    for (const part of splitParts(entity.body, boundary)) collectText(splitEntity(part), into, depth + 1);
    return;
  }
  const key = type.value === "text/plain" ? "text" : type.value === "text/html" ? "html" : undefined;
  if (!key || into[key] !== undefined) return;
  const bytes = decodeTransfer(entity.body, entity.headers.get("content-transfer-encoding"));
  into[key] = decodeCharset(bytes, type.params.get("charset")).replace(/\r\n/g, "\n");
}

function splitParts(body: string, boundary: string): string[] {
  const lines = body.split("\n");
  const parts: string[] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === `--${boundary}--`) break;
    if (trimmed === `--${boundary}`) {
      if (current) parts.push(current.join("\n"));
      current = [];
      continue;
    }
    current?.push(line);
  }
  if (current) parts.push(current.join("\n"));
  if (parts.length === 0) throw new MimeReadError("multipart with no parts");
  return parts;
}

function contentType(value: string | undefined): { value: string; params: Map<string, string> } {
  const [type = "text/plain", ...rest] = (value ?? "text/plain").split(";");
  const params = new Map<string, string>();
  for (const param of rest) {
    const eq = param.indexOf("=");
    if (eq < 0) continue;
    params.set(
      param.slice(0, eq).trim().toLowerCase(),
      param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1"),
    );
  }
  return { value: type.trim().toLowerCase(), params };
}

function decodeTransfer(body: string, encoding: string | undefined): Buffer {
  switch ((encoding ?? "7bit").trim().toLowerCase()) {
    case "base64":
      return Buffer.from(body.replace(/\s+/g, ""), "base64");
    case "quoted-printable":
      return decodeQuotedPrintable(body);
    default:
      return Buffer.from(body, "utf8");
  }
}

/** RFC 2045 §6.7: soft breaks removed, =XX escapes decoded. */
export function decodeQuotedPrintable(body: string): Buffer {
  const joined = body.replace(/=[ \t]*\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i] ?? "", "utf8"));
    }
  }
  return Buffer.from(bytes);
}

function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder((charset ?? "utf-8").toLowerCase()).decode(bytes);
  } catch {
    throw new MimeReadError(`unknown charset ${JSON.stringify(charset)}`);
  }
}

/** RFC 2047: encoded words decoded; the white space between two adjacent ones dropped. */
export function decodeWords(value: string): string {
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  return value
    .replace(/(\?=)\s+(=\?)/g, "$1$2")
    .replace(word, (_all, charset: string, kind: string, text) => {
      const bytes =
        kind.toUpperCase() === "B"
          ? Buffer.from(text, "base64")
          : decodeQuotedPrintable(String(text).replace(/_/g, " "));
      return decodeCharset(bytes, charset);
    });
}

/** The addresses of an address list: `Name <a@b>, c@d, "Last, First" <e@f>`. */
function addressesOf(list: string): string[] {
  const out: string[] = [];
  for (const item of list.match(/(?:"(?:[^"\\]|\\.)*"|<[^>]*>|[^,])+/g) ?? []) {
    const angle = /<([^>]+)>/.exec(item);
    const address = (angle ? angle[1] : item)?.trim();
    if (address) out.push(address);
  }
  return out;
}
