import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings } from "../../shared/config.ts";
import { parseTrustStoreLocation } from "../../shared/contracts/blob-url.ts";

describe("TRUST_STORE_PATH: a path or a blob URL", () => {
  const accepted = [
    {
      name: "an Azure blob",
      value: "https://stsmime01.blob.core.windows.net/trust-store/trust-store.sst",
      expected: {
        accountName: "stsmime01",
        containerName: "trust-store",
        blobName: "trust-store.sst",
        emulator: false,
      },
    },
    {
      name: "a blob in a virtual folder, percent-encoded",
      value: "https://stsmime01.blob.core.windows.net/trust-store/2026/issuing%20CAs.p7b",
      expected: { containerName: "trust-store", blobName: "2026/issuing CAs.p7b" },
    },
    {
      name: "a sovereign cloud's blob",
      value: "https://stgov.blob.core.usgovcloudapi.net/trust-store/trust.pem",
      expected: { accountName: "stgov", emulator: false },
    },
    {
      name: "Azurite on loopback",
      value: "http://127.0.0.1:10000/devstoreaccount1/trust-store/trust.sst",
      expected: {
        accountName: "devstoreaccount1",
        containerName: "trust-store",
        blobName: "trust.sst",
        emulator: true,
      },
    },
  ];
  it.each(accepted)("$name", ({ value, expected }) => {
    const parsed = parseTrustStoreLocation(value);
    expect(parsed.kind).toBe("blob");
    if (parsed.kind === "blob") expect(parsed.location).toMatchObject({ url: value, ...expected });
  });

  it.each(["/home/site/wwwroot/trust/trust-store.sst", "trust/trust.pem", "C:\\trust\\trust.sst"])(
    "a path: %s",
    (value) => expect(parseTrustStoreLocation(value)).toEqual({ kind: "path" }),
  );

  const refused = [
    {
      name: "a SAS token",
      value: "https://st1.blob.core.windows.net/c0n/trust.sst?sv=2024&sig=abc",
      message: /no SAS token/,
    },
    {
      name: "plain http to Azure",
      value: "http://stsmime01.blob.core.windows.net/trust-store/t.sst",
      message: /expected a file path or a blob URL/,
    },
    {
      name: "another host",
      value: "https://example.com/trust-store/t.sst",
      message: /expected a file path or a blob URL/,
    },
    {
      name: "no blob name",
      value: "https://stsmime01.blob.core.windows.net/trust-store/",
      message: /expected a blob name/,
    },
    {
      name: "a container name Azure refuses",
      value: "https://stsmime01.blob.core.windows.net/Trust_Store/t.sst",
      message: /expected a container name/,
    },
    {
      name: "Azurite with another account",
      value: "http://127.0.0.1:10000/myaccount/trust-store/t.sst",
      message: /devstoreaccount1/,
    },
  ];
  it.each(refused)("refuses $name", ({ value, message }) => {
    const parsed = parseTrustStoreLocation(value);
    expect(parsed.kind).toBe("invalid");
    if (parsed.kind === "invalid") expect(parsed.message).toMatch(message);
  });

  it("is checked at start: a bad URL is a ConfigError naming TRUST_STORE_PATH; a good one is kept as given", () => {
    const bad = () =>
      parseSettings({ TRUST_STORE_PATH: "https://st1.blob.core.windows.net/c0n/t.sst?sig=x" }, "/");
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/TRUST_STORE_PATH/);
    const url = "https://stsmime01.blob.core.windows.net/trust-store/trust-store.sst";
    expect(parseSettings({ TRUST_STORE_PATH: url }, "/").trustStorePath).toBe(url);
  });
});
