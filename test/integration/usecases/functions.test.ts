import { createHash } from "node:crypto";
import { InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onCertificateEvent } from "../../../functions/on-certificate-event.ts";
import { createJsonLogger } from "../../../shared/adapters/logger.ts";
import { parseSettings } from "../../../shared/config.ts";
import { createEvent } from "../../../shared/contracts/events.ts";
import { PermanentError, PoisonMessageError } from "../../../shared/errors.ts";
import { installRuntime, uninstallRuntime } from "../../../shared/runtime.ts";
import { base64, type Harness, harness, NOW } from "./harness.ts";

let h: Harness;
const lines: string[] = [];

beforeAll(async () => {
  h = await harness("ucfunctions");
  installRuntime({
    mode: "local",
    settings: parseSettings({}),
    logger: createJsonLogger({ write: (line) => void lines.push(line) }),
    deps: { ...h.deps, notifications: h.stores.notifications, operations: h.stores.operations },
    close: async () => undefined,
  });
});
afterAll(async () => {
  uninstallRuntime();
  await h.close();
});

const context = (messageId: string) =>
  new InvocationContext({
    functionName: "onCertificateEvent",
    invocationId: `inv-${messageId}`,
    triggerMetadata: { messageId, deliveryCount: 1, sessionId: "user-f", enqueuedTimeUtc: NOW.toISOString() },
  });

describe("onCertificateEvent (the function)", () => {
  it("runs the use case on the message body and completes", async () => {
    const leaf = await h.pki.leaf({ email: "grace@contoso.com" });
    const thumbprint = createHash("sha1").update(leaf.der).digest("hex").toUpperCase();
    const event = createEvent(
      "certificate.discovered",
      {
        userId: "user-f",
        thumbprint,
        userPrincipalName: "grace@contoso.com",
        source: "manual",
        purpose: "both",
        certificate: base64(leaf.der),
        smtp: "grace@contoso.com",
      },
      { source: "/test", time: NOW },
    );
    await onCertificateEvent(JSON.parse(JSON.stringify(event)), context(event.id));
    expect((await h.stores.certificates.get("user-f", thumbprint))?.value.state).toBe("valid");
  });

  it("throws a poison message on, for the bus to dead-letter", async () => {
    await expect(onCertificateEvent("{broken", context("poison"))).rejects.toBeInstanceOf(PoisonMessageError);
  });

  it("completes on a permanent failure instead of retrying what cannot succeed", async () => {
    const broken = {
      ...h.deps.certificates,
      get: async () => Promise.reject(new PermanentError("corrupt row")),
    };
    installRuntime({
      mode: "local",
      settings: parseSettings({}),
      logger: createJsonLogger({ write: (line) => void lines.push(line) }),
      deps: {
        ...h.deps,
        certificates: {
          ...broken,
          put: h.deps.certificates.put,
          listByUser: h.deps.certificates.listByUser,
          scan: h.deps.certificates.scan,
        },
        notifications: h.stores.notifications,
        operations: h.stores.operations,
      },
      close: async () => undefined,
    });
    const event = createEvent(
      "certificate.removed",
      { userId: "user-f", thumbprint: "F".repeat(40), reason: "x" },
      { source: "/test", time: NOW },
    );
    await expect(onCertificateEvent(event, context(event.id))).resolves.toBeUndefined();
  });
});
