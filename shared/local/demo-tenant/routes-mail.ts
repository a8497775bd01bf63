/**
 * `users/{id | userPrincipalName}/sendMail`, in both of Graph's forms: a JSON message, or a MIME message sent as
 * base64 in a text/plain body (Graph's errors for each: ErrorInvalidRecipients, ErrorMimeContentInvalidBase64String,
 * ErrorMimeContentInvalid). Either lands in the outbox with its subject, recipients and bodies readable.
 */
import { z } from "zod";
import { DEMO_NOTICES_MAILBOX } from "./dataset.ts";
import { MimeReadError, readMimeMessage } from "./mime-reader.ts";
import { graphError, type Reply } from "./odata.ts";
import type { Request, Route, World } from "./world.ts";

const Recipient = z.object({
  emailAddress: z.object({ address: z.string().min(3), name: z.string().optional() }),
});
const SendMail = z.object({
  message: z.object({
    subject: z.string().optional(),
    body: z
      .object({ contentType: z.enum(["text", "html", "Text", "HTML"]).optional(), content: z.string() })
      .optional(),
    toRecipients: z.array(Recipient).min(1),
    ccRecipients: z.array(Recipient).optional(),
  }),
  saveToSentItems: z.boolean().optional(),
});

/** Graph's request limit (4 MB), which the base64 text counts against. */
const MAX_BASE64_CHARS = 4 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function sendJson(world: World, request: Request, from: string): Reply {
  const parsed = SendMail.safeParse(request.body);
  if (!parsed.success)
    return graphError(400, "ErrorInvalidRecipients", "At least one recipient is not valid.", request.now);
  const { message, saveToSentItems } = parsed.data;
  const html = message.body?.contentType?.toLowerCase() === "html";
  world.outbox.add({
    kind: "mail",
    at: request.now.toISOString(),
    from,
    to: message.toRecipients.map((r) => r.emailAddress.address),
    subject: message.subject ?? "",
    format: "json",
    ...(message.body && (html ? { html: message.body.content } : { text: message.body.content })),
    message,
    saveToSentItems: saveToSentItems ?? true,
  });
  return { status: 202 };
}

function sendMime(world: World, request: Request, from: string, base64: string): Reply {
  const compact = base64.replace(/\s+/g, "");
  if (compact.length > MAX_BASE64_CHARS)
    return graphError(413, "RequestEntityTooLarge", "The MIME message is larger than 4 MB.", request.now);
  if (!BASE64.test(compact) || compact.length % 4 !== 0)
    return graphError(
      400,
      "ErrorMimeContentInvalidBase64String",
      "Invalid base64 string for MIME content.",
      request.now,
    );
  let read: ReturnType<typeof readMimeMessage>;
  try {
    read = readMimeMessage(Buffer.from(compact, "base64").toString("utf8"));
  } catch (error) {
    if (!(error instanceof MimeReadError)) throw error;
    return graphError(
      400,
      "ErrorMimeContentInvalid",
      `The MIME content is invalid: ${error.message}`,
      request.now,
    );
  }
  if (read.to.length === 0)
    return graphError(400, "ErrorInvalidRecipients", "At least one recipient is not valid.", request.now);
  world.outbox.add({
    kind: "mail",
    at: request.now.toISOString(),
    from,
    to: read.to,
    subject: read.subject,
    format: "mime",
    ...(read.text !== undefined && { text: read.text }),
    ...(read.html !== undefined && { html: read.html }),
    ...(read.messageId !== undefined && { messageId: read.messageId }),
    message: { from: read.from, to: read.to, subject: read.subject, date: read.date },
    // Graph saves a message sent as MIME to Sent Items: the form has no saveToSentItems.
    saveToSentItems: true,
  });
  return { status: 202 };
}

const sendMail: Route = {
  method: "POST",
  path: /^users\/([^/]+)\/sendMail$/,
  handle(world, request, [id]) {
    const from = decodeURIComponent(id ?? "");
    const mailbox = from.toLowerCase() === DEMO_NOTICES_MAILBOX || world.directory.find(from) !== undefined;
    if (!mailbox)
      return graphError(404, "ErrorInvalidUser", `The requested user '${from}' is invalid.`, request.now);
    return typeof request.body === "string"
      ? sendMime(world, request, from, request.body)
      : sendJson(world, request, from);
  },
};

export const mailRoutes: readonly Route[] = [sendMail];
