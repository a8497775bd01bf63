import { describe, expect, it } from "vitest";
import { createJsonLogger, REDACTED, redactText } from "../../../shared/adapters/logger.ts";

const NOW = new Date("2026-06-01T00:00:00Z");

function capture(level: "debug" | "info" | "warn" | "error" = "info") {
  const lines: { line: Record<string, unknown>; level: string }[] = [];
  const logger = createJsonLogger({
    level,
    now: () => NOW,
    write: (line, l) => lines.push({ line: JSON.parse(line) as Record<string, unknown>, level: l }),
  });
  return { logger, lines };
}

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsInJvbGVzIjpbIkFkbWluIl19.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";

describe("redaction", () => {
  const fieldCases: ReadonlyArray<{ name: string; fields: Record<string, unknown>; secret: string }> = [
    {
      name: "Authorization header",
      fields: { headers: { Authorization: "Bearer abc.def" } },
      secret: "abc.def",
    },
    {
      name: "lower-case authorization",
      fields: { headers: { authorization: "xyz-secret" } },
      secret: "xyz-secret",
    },
    { name: "access token field", fields: { accessToken: "tok-123" }, secret: "tok-123" },
    { name: "client secret field", fields: { graph: { clientSecret: "s3cr3t" } }, secret: "s3cr3t" },
    { name: "client state field", fields: { clientState: "cs-value-1" }, secret: "cs-value-1" },
    {
      name: "connection string field",
      fields: { connectionString: "UseDevelopmentStorage=true" },
      secret: "UseDevelopmentStorage",
    },
    { name: "JWT inside a message field", fields: { note: `got ${JWT} from client` }, secret: "eyJzdWIi" },
    { name: "bearer inside an array", fields: { seen: ["ok", "Bearer qwerty123"] }, secret: "qwerty123" },
    {
      name: "SAS key in a connection string",
      fields: { target: "Endpoint=sb://x/;SharedAccessKeyName=r;SharedAccessKey=KEYVALUE=" },
      secret: "KEYVALUE",
    },
    {
      name: "account key",
      fields: { cs: "AccountName=devstoreaccount1;AccountKey=Eby8vdM02x==;" },
      secret: "Eby8vdM02x",
    },
    {
      name: "private key PEM",
      fields: { pem: "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----" },
      secret: "MIIEvQ",
    },
    {
      name: "error message with a token",
      fields: { error: new Error(`401 for Bearer ${JWT}`) },
      secret: "eyJ",
    },
  ];
  it.each(fieldCases)("$name", ({ fields, secret }) => {
    const { logger, lines } = capture();
    logger.info("request", fields);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(secret);
    expect(text).toContain(REDACTED);
  });

  it("redacts the message itself", () => {
    const { logger, lines } = capture();
    logger.warn(`token was Bearer ${JWT}`);
    expect(lines[0]?.line.message).toBe(`token was ${REDACTED}`);
  });

  it("keeps ordinary text and the names of connection-string keys", () => {
    expect(redactText("thumbprint=0A1B user=alice@contoso.com")).toBe(
      "thumbprint=0A1B user=alice@contoso.com",
    );
    expect(redactText("AccountName=a;AccountKey=zzz;")).toBe(`AccountName=a;AccountKey=${REDACTED};`);
  });
});

describe("structured lines", () => {
  it("carries the child's invocation and correlation ids on every line", () => {
    const { logger, lines } = capture();
    const child = logger.child({ invocationId: "inv-1" }).child({ correlationId: "corr-9" });
    child.info("handled", { queue: "notifications" });
    expect(lines[0]?.line).toEqual({
      time: "2026-06-01T00:00:00.000Z",
      level: "info",
      message: "handled",
      invocationId: "inv-1",
      correlationId: "corr-9",
      queue: "notifications",
    });
  });

  const levelCases: ReadonlyArray<{
    name: string;
    level: "debug" | "info" | "warn" | "error";
    written: string[];
  }> = [
    { name: "debug writes all", level: "debug", written: ["debug", "info", "warn", "error"] },
    { name: "info drops debug", level: "info", written: ["info", "warn", "error"] },
    { name: "error writes errors only", level: "error", written: ["error"] },
  ];
  it.each(levelCases)("$name", ({ level, written }) => {
    const { logger, lines } = capture(level);
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    expect(lines.map((l) => l.level)).toEqual(written);
  });
});
