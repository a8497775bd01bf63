/**
 * Graph contracts: Mail (v1.0: POST /users/{sender}/sendMail → 202). Two forms: Graph's JSON message (one
 * body, text or HTML), and a whole MIME message (Content-Type text/plain, the message base64-encoded), which
 * carries a text and an HTML body at once.
 */
import { z } from "zod";

const Recipient = z.object({
  emailAddress: z.object({ address: z.email(), name: z.string().optional() }),
});

export const SendMailJson = z.object({
  message: z.object({
    subject: z.string().min(1),
    body: z.object({ contentType: z.enum(["text", "html"]), content: z.string() }),
    toRecipients: z.array(Recipient).min(1),
  }),
  saveToSentItems: z.boolean().default(false),
});

/** Graph refuses a request over 4 MB; the MIME form's base64 adds a third to the message. */
export const MAX_MIME_MESSAGE_BYTES = 3 * 1024 * 1024;

/** The MIME form: the RFC 5322 message itself; the adapter base64-encodes it. */
export const SendMailMime = z.object({
  mime: z
    .string()
    .min(1)
    .refine((m) => Buffer.byteLength(m, "utf8") <= MAX_MIME_MESSAGE_BYTES, "larger than Graph accepts"),
});

export const SendMailBody = z.union([SendMailJson, SendMailMime]);
export type SendMailBody = z.input<typeof SendMailBody>;
