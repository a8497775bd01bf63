import { describe, expect, it } from "vitest";
import { createEvent } from "../../../shared/contracts/events.ts";
import { ConflictError, PoisonMessageError, RetryableError } from "../../../shared/errors.ts";
import { withConflictRetry } from "../../../shared/usecases/conflict-retry.ts";
import { InputError } from "../../../shared/usecases/input-error.ts";
import { parseMessage } from "../../../shared/usecases/process-certificate-event.ts";
import { readCertificate, userIdForUpn } from "../../../shared/usecases/register-certificate.ts";
import { mintChain } from "../../support/pki.ts";

const EVENT = createEvent(
  "certificate.removed",
  { userId: "u1", thumbprint: "A".repeat(40), reason: "gone" },
  { source: "/test", time: new Date("2026-06-01T00:00:00Z") },
);

describe("parseMessage", () => {
  const json = JSON.stringify(EVENT);
  const cases = [
    { name: "a parsed JSON body (the Functions host's)", body: JSON.parse(json) },
    { name: "a JSON string", body: json },
    { name: "UTF-8 bytes", body: new TextEncoder().encode(json) },
  ];
  it.each(cases)("reads $name", ({ body }) => {
    expect(parseMessage({ body })).toEqual(EVENT);
  });

  const poison = [
    { name: "bytes that are not UTF-8", body: new Uint8Array([0xff, 0xfe, 0x00]), message: /not JSON/ },
    {
      name: "an unknown event type",
      body: { ...EVENT, type: "certificate.exploded" },
      message: /unknown event type/,
    },
    { name: "a wrong specversion", body: { ...EVENT, specversion: "0.3" }, message: /CloudEvents 1.0/ },
  ];
  it.each(poison)("refuses $name as poison", ({ body, message }) => {
    expect(() => parseMessage({ body })).toThrow(PoisonMessageError);
    expect(() => parseMessage({ body })).toThrow(message);
  });
});

describe("withConflictRetry", () => {
  it("redoes an attempt that lost a race, and returns its result", async () => {
    let calls = 0;
    const result = await withConflictRetry("x", async () => {
      if (++calls < 3) throw new ConflictError("etag mismatch");
      return "written";
    });
    expect([result, calls]).toEqual(["written", 3]);
  });

  it("hands a record that keeps changing to the bus as retryable", async () => {
    let calls = 0;
    const failing = withConflictRetry("certificate X", async () => {
      calls++;
      throw new ConflictError("etag mismatch");
    });
    await expect(failing).rejects.toBeInstanceOf(RetryableError);
    await expect(failing).rejects.toThrow("certificate X: still conflicting after 5 attempts");
    expect(calls).toBe(5);
  });

  it("lets any other error through at once", async () => {
    let calls = 0;
    await expect(
      withConflictRetry("x", async () => {
        calls++;
        throw new Error("table unavailable");
      }),
    ).rejects.toThrow("table unavailable");
    expect(calls).toBe(1);
  });
});

describe("readCertificate", () => {
  it("reads PEM and base64 DER (with line breaks) to the same certificate", async () => {
    const { leaf } = await mintChain();
    const b64 = Buffer.from(leaf.der)
      .toString("base64")
      .replace(/(.{64})/g, "$1\n");
    expect(readCertificate(b64).thumbprint).toBe(readCertificate(leaf.pem).thumbprint);
  });

  const bad = [
    { name: "plain text", text: "hello world", message: /neither PEM nor base64 DER/ },
    {
      name: "base64 of text",
      text: Buffer.from("hello world!").toString("base64"),
      message: /certificate: /,
    },
    {
      name: "a PEM private key",
      text: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
      message: /certificate: /,
    },
  ];
  it.each(bad)("refuses $name, naming the field", ({ text, message }) => {
    const error = (() => {
      try {
        readCertificate(text);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).toBe("certificate");
    expect((error as InputError).message).toMatch(message);
  });
});

describe("userIdForUpn", () => {
  it("is a stable version-8 UUID, the same whatever the UPN's case", () => {
    const id = userIdForUpn("Alice@Contoso.com");
    expect(id).toBe(userIdForUpn("alice@contoso.com"));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(userIdForUpn("bob@contoso.com")).not.toBe(id);
  });
});
