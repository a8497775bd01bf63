import { describe, expect, it } from "vitest";
import type { NotificationKey } from "../../../shared/contracts/rows.ts";
import { composeNotice } from "../../../shared/domain/notification-messages.ts";
import { PermanentError } from "../../../shared/errors.ts";
import { readMimeMessage } from "../../../shared/local/demo-tenant/mime-reader.ts";
import { noticeMail, noticeMessageId } from "../../../shared/usecases/notification-mail.ts";

const NOW = new Date("2026-11-28T12:00:00Z");
const KEY: NotificationKey = {
  userId: "user-1",
  subjectId: "A".repeat(40),
  reason: "expiring",
  thresholdDays: 7,
  channel: "email",
};
const SENDER = "it-notices@contoso.com";

describe("noticeMessageId", () => {
  it.each([
    { name: "another threshold", other: { thresholdDays: 1 } },
    { name: "another reason", other: { reason: "expired" as const } },
    { name: "another certificate", other: { subjectId: "B".repeat(40) } },
    { name: "another user", other: { userId: "user-2" } },
  ])("is the same for the same notice, another for $name", ({ other }) => {
    const id = noticeMessageId(KEY, SENDER);
    expect(noticeMessageId({ ...KEY }, SENDER)).toBe(id);
    expect(id).toMatch(/^notice\.[0-9a-f]{32}@contoso\.com$/);
    expect(noticeMessageId({ ...KEY, ...other }, SENDER)).not.toBe(id);
  });
});

describe("noticeMail", () => {
  const notice = composeNotice({ reason: "revoked", language: "sv", displayName: "Åsa", now: NOW });

  it("is a MIME message with the notice's subject, both bodies, the language and the key's Message-ID", () => {
    const body = noticeMail(KEY, { sender: SENDER, to: "asa@contoso.se", name: "Åsa" }, notice, NOW);
    if (!("mime" in body)) throw new Error("expected the MIME form");
    expect(body.mime).toContain("Content-Language: sv");
    expect(readMimeMessage(body.mime)).toMatchObject({
      from: SENDER,
      to: ["asa@contoso.se"],
      subject: "Ditt S/MIME-certifikat har spärrats",
      text: notice.mail.text,
      html: notice.mail.html,
      messageId: noticeMessageId(KEY, SENDER),
    });
  });

  it("refuses for good an address that is none (a retry would not mend it)", () => {
    expect(() =>
      noticeMail(KEY, { sender: SENDER, to: "asa@contoso.se\r\nBcc: x@y.z" }, notice, NOW),
    ).toThrow(PermanentError);
  });
});
