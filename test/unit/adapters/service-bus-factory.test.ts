import type { TokenCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { createServiceBusBusForSettings } from "../../../shared/adapters/service-bus-factory.ts";

const neverUsed: TokenCredential = {
  getToken: () => Promise.reject(new Error("the factory must not ask for a token before a send")),
};

describe("createServiceBusBusForSettings", () => {
  it.each([
    {
      name: "a connection string",
      settings: {
        kind: "connectionString",
        connectionString:
          "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s",
      },
      credentialAsked: 0,
    },
    {
      name: "the namespace with the managed identity",
      settings: { kind: "identity", fullyQualifiedNamespace: "contoso.servicebus.windows.net" },
      credentialAsked: 1,
    },
  ] as const)("builds a bus from $name without connecting", async ({ settings, credentialAsked }) => {
    let asked = 0;
    const bus = createServiceBusBusForSettings(settings, () => {
      asked++;
      return neverUsed;
    });
    expect(typeof bus.publish).toBe("function");
    expect(typeof bus.depth).toBe("function");
    expect(asked).toBe(credentialAsked);
    await bus.close();
  });
});
