/** Graph contracts: Mail (v1.0: POST /users/{sender}/sendMail → 202). */
import { z } from "zod";

const Recipient = z.object({
  emailAddress: z.object({ address: z.email(), name: z.string().optional() }),
});

export const SendMailBody = z.object({
  message: z.object({
    subject: z.string().min(1),
    body: z.object({ contentType: z.enum(["text", "html"]), content: z.string() }),
    toRecipients: z.array(Recipient).min(1),
  }),
  saveToSentItems: z.boolean().default(false),
});
export type SendMailBody = z.input<typeof SendMailBody>;
