/**
 * A notice as the e-mail Graph sends: a MIME message with the text and the HTML of the notice (Graph's JSON
 * form holds only one). Its Message-ID derives from the ledger key, so a notice sent again after a lost reply
 * is recognisably the same message (mail clients and Exchange's duplicate detection see one id).
 */
import { createHash } from "node:crypto";
import type { SendMailBody } from "../contracts/graph.ts";
import type { NotificationKey } from "../contracts/rows.ts";
import { composeMimeMessage, isMailAddress } from "../domain/mime-message.ts";
import type { Notice } from "../domain/notification-messages.ts";
import { PermanentError } from "../errors.ts";

export interface MailTarget {
  readonly sender: string;
  readonly to: string;
  readonly name?: string;
}

/** `<hash of the key>@<the sender's domain>`: one id per notice, user, reason, threshold and channel. */
export function noticeMessageId(key: NotificationKey, sender: string): string {
  const { userId, subjectId, reason, thresholdDays, channel } = key;
  const digest = createHash("sha256")
    .update(JSON.stringify([userId, subjectId, reason, thresholdDays, channel]))
    .digest("hex")
    .slice(0, 32);
  return `notice.${digest}@${sender.slice(sender.lastIndexOf("@") + 1)}`;
}

/** @throws PermanentError when the sender or the recipient is not a mail address (no retry mends that) */
export function noticeMail(
  key: NotificationKey,
  target: MailTarget,
  notice: Notice,
  now: Date,
): SendMailBody {
  for (const address of [target.sender, target.to])
    if (!isMailAddress(address)) throw new PermanentError(`not a mail address: ${JSON.stringify(address)}`);
  const mime = composeMimeMessage({
    from: { address: target.sender },
    to: [{ address: target.to, ...(target.name ? { name: target.name } : {}) }],
    subject: notice.mail.subject,
    text: notice.mail.text,
    html: notice.mail.html,
    date: now,
    messageId: noticeMessageId(key, target.sender),
    language: notice.language,
  });
  return { mime };
}
