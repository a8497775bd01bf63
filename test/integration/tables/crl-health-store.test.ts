import { describe, expect, it } from "vitest";
import { ConflictError } from "../../../shared/errors.ts";
import { crlHealth, storesFor } from "./fixtures.ts";

const { crlHealth: store } = storesFor("crlstore");

describe("CrlHealthStore on Azure Tables", () => {
  const urls = [
    ["a plain http URL", "http://crl.contoso.com/issuing.crl"],
    ["a query string and fragment", "http://crl.contoso.com/get?ca=Issuing%20CA&x=1#frag"],
    ["a backslash and port", "http://crl.contoso.com:8080/a\\b.crl"],
    ["a URL of 600 characters (hashed key)", `https://crl.contoso.com/${"p".repeat(570)}.crl`],
  ] as const;

  it.each(urls)("puts and gets the health of %s", async (_name, url) => {
    const record = crlHealth({
      url,
      status: "unreachable",
      downSince: "2026-03-01T07:00:00.000Z",
      lastError: "timed out",
    });
    const etag = await store.put(record, { force: true });
    expect(await store.get(url)).toEqual({ value: record, etag });
  });

  it("lists every distribution point once", async () => {
    const listed = await store.list();
    expect(listed.map((r) => r.url).sort()).toEqual(urls.map(([, url]) => url).sort());
  });

  it("a URL differing only in case is another row", async () => {
    expect(await store.get("HTTP://CRL.CONTOSO.COM/ISSUING.CRL")).toBeUndefined();
  });

  it("ifAbsent twice and a stale ifMatch are ConflictErrors", async () => {
    const record = crlHealth({ url: "http://crl.fabrikam.com/root.crl" });
    const etag = await store.put(record, { ifAbsent: true });
    await expect(store.put(record, { ifAbsent: true })).rejects.toBeInstanceOf(ConflictError);
    await store.put({ ...record, status: "stale" }, { ifMatch: etag });
    await expect(store.put({ ...record, status: "invalid" }, { ifMatch: etag })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await store.get(record.url))?.value.status).toBe("stale");
  });
});
