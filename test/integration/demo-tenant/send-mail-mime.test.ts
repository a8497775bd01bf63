/**
 * sendMail's MIME form on the demo tenant, as Graph takes it: the message base64-encoded in a text/plain body.
 * A good one lands in the outbox with its subject, recipients and both bodies decoded; garbage is Graph's 400.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeMimeMessage } from "../../../shared/domain/mime-message.ts";
import { type Started, startTestTenant } from "./support.ts";

let s: Started;
beforeAll(async () => {
  s = await startTestTenant();
});
afterAll(() => s.stop());

const SENDER = "aino@demo.smime-lifecycle.local";
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

const swedish = composeMimeMessage({
  from: { address: SENDER },
  to: [{ address: "carmen@demo.smime-lifecycle.local", name: "Carmen Åström" }],
  subject: "Ditt S/MIME-certifikat går ut om 7 dagar",
  text: "Hej Carmen,\n\nÖppna Företagsportalen.",
  html: "<p>Hej Carmen,</p><p>Öppna Företagsportalen.</p>",
  date: new Date("2026-11-28T10:00:00Z"),
  messageId: "notice.1@demo.smime-lifecycle.local",
});

async function post(body: string, contentType = "text/plain") {
  const res = await fetch(`${s.tenant.baseUrl}/v1.0/users/${SENDER}/sendMail`, {
    method: "POST",
    headers: { authorization: "Bearer demo-token", "content-type": contentType },
    body,
  });
  const text = await res.text();
  return {
    status: res.status,
    code: text ? (JSON.parse(text) as { error?: { code?: string } }).error?.code : undefined,
  };
}

describe("sendMail as MIME on the demo tenant", () => {
  it.each([
    {
      name: "a multipart/alternative message in Swedish → 202, both parts in the outbox",
      body: () => b64(swedish),
      status: 202,
      entry: {
        kind: "mail",
        format: "mime",
        from: SENDER,
        to: ["carmen@demo.smime-lifecycle.local"],
        subject: "Ditt S/MIME-certifikat går ut om 7 dagar",
        text: "Hej Carmen,\n\nÖppna Företagsportalen.",
        html: "<p>Hej Carmen,</p><p>Öppna Företagsportalen.</p>",
        messageId: "notice.1@demo.smime-lifecycle.local",
      },
    },
    {
      name: "base64 wrapped at 76 characters, as encoders write it → 202",
      body: () => (b64(swedish).match(/.{1,76}/g) ?? []).join("\r\n"),
      status: 202,
      entry: { kind: "mail", format: "mime", subject: "Ditt S/MIME-certifikat går ut om 7 dagar" },
    },
    {
      name: "not base64 → 400",
      body: () => "this is not base64!",
      status: 400,
      code: "ErrorMimeContentInvalidBase64String",
    },
    {
      name: "base64 of something that is no message → 400",
      body: () => b64("just some words, no header section at all"),
      status: 400,
      code: "ErrorMimeContentInvalid",
    },
    {
      name: "a message with no recipient → 400",
      body: () => b64("From: aino@demo.smime-lifecycle.local\r\nSubject: hi\r\n\r\nbody\r\n"),
      status: 400,
      code: "ErrorInvalidRecipients",
    },
    {
      name: "over Graph's 4 MB → 413",
      body: () => "QUFB".repeat(1024 * 1024 + 1),
      status: 413,
      code: "RequestEntityTooLarge",
    },
  ])("$name", async ({ body, status, code, entry }) => {
    const before = s.tenant.outbox().length;
    const res = await post(body());
    expect(res.status).toBe(status);
    if (code) expect(res.code).toBe(code);
    const added = s.tenant.outbox().slice(before);
    expect(added).toEqual(entry ? [expect.objectContaining(entry)] : []);
  });

  it("the JSON form still works beside it, recorded with its one body", async () => {
    const before = s.tenant.outbox().length;
    const res = await fetch(`${s.tenant.baseUrl}/v1.0/users/${SENDER}/sendMail`, {
      method: "POST",
      headers: { authorization: "Bearer demo-token", "content-type": "application/json" },
      body: JSON.stringify({
        message: {
          subject: "Plain",
          body: { contentType: "html", content: "<p>Hi</p>" },
          toRecipients: [{ emailAddress: { address: "carmen@demo.smime-lifecycle.local" } }],
        },
        saveToSentItems: false,
      }),
    });
    expect(res.status).toBe(202);
    expect(s.tenant.outbox().slice(before)).toEqual([
      expect.objectContaining({ format: "json", html: "<p>Hi</p>", saveToSentItems: false }),
    ]);
  });
});
