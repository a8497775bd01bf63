import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fieldPath, limitParameter, readBytes, readJson, readQuery } from "../../../shared/http/body.ts";
import { HttpError } from "../../../shared/http/errors.ts";
import { request } from "./fixtures.ts";

const KIB = 1024;
const bytes = (n: number) => new Uint8Array(n).fill(0x41);

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`);
  return error;
}

describe("readBytes under a limit", () => {
  const cases: {
    name: string;
    chunks: Uint8Array[];
    declared?: number | null;
    status?: number;
    /** At most this many bytes may be pulled from the stream. */
    pulledAtMost: number;
  }[] = [
    { name: "under the limit", chunks: [bytes(KIB), bytes(KIB)], pulledAtMost: 2 * KIB },
    { name: "exactly the limit", chunks: [bytes(4 * KIB)], pulledAtMost: 4 * KIB },
    { name: "empty", chunks: [], pulledAtMost: 0 },
    {
      name: "declared over the limit: refused before reading",
      chunks: [bytes(8 * KIB)],
      status: 413,
      pulledAtMost: 0,
    },
    {
      name: "undeclared, streamed past the limit: stopped at the chunk that crosses it",
      chunks: Array.from({ length: 100 }, () => bytes(KIB)),
      declared: null,
      status: 413,
      pulledAtMost: 5 * KIB,
    },
    {
      name: "declared small, sent large: the stream still stops",
      chunks: Array.from({ length: 100 }, () => bytes(KIB)),
      declared: 10,
      status: 413,
      pulledAtMost: 5 * KIB,
    },
  ];

  it.each(cases)("$name", async ({ chunks, declared, status, pulledAtMost }) => {
    const req = request({ method: "POST", path: "/api/x", body: chunks, declaredLength: declared });
    const read = readBytes(req.body, 4 * KIB);
    if (status === undefined) {
      expect((await read).byteLength).toBe(chunks.reduce((n, c) => n + c.byteLength, 0));
    } else {
      const error = await refusal(read);
      expect(error.status).toBe(status);
      expect(error.code).toBe("payload_too_large");
      expect(error.headers["connection"]).toBe("close");
    }
    expect(req.pulled()).toBeLessThanOrEqual(pulledAtMost);
  });
});

describe("readJson", () => {
  const Schema = z.strictObject({
    name: z.string(),
    purpose: z.enum(["signing", "encryption"]),
    items: z.array(z.object({ url: z.url() })).optional(),
    count: z.number().int().optional(),
  });
  const good = JSON.stringify({ name: "a", purpose: "signing" });
  const cases: {
    name: string;
    contentType?: string;
    body: string | Uint8Array;
    status: number;
    message?: string;
  }[] = [
    { name: "valid", contentType: "application/json", body: good, status: 200 },
    { name: "valid, charset utf-8", contentType: "application/json; charset=UTF-8", body: good, status: 200 },
    { name: "no content type", body: good, status: 415, message: "content-type must be application/json" },
    { name: "text/plain", contentType: "text/plain", body: good, status: 415 },
    { name: "form encoding", contentType: "application/x-www-form-urlencoded", body: "name=a", status: 415 },
    { name: "another charset", contentType: "application/json; charset=latin1", body: good, status: 415 },
    { name: "empty body", contentType: "application/json", body: "", status: 400, message: "body: required" },
    {
      name: "bad JSON, not echoed",
      contentType: "application/json",
      body: '{"name": secret-value',
      status: 400,
      message: "body: not valid JSON",
    },
    {
      name: "bad UTF-8",
      contentType: "application/json",
      body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      status: 400,
      message: "body: not valid UTF-8",
    },
    {
      name: "not an object",
      contentType: "application/json",
      body: "[1,2]",
      status: 400,
      message: "body: must be an object",
    },
    {
      name: "missing field",
      contentType: "application/json",
      body: JSON.stringify({ purpose: "signing" }),
      status: 400,
      message: "body.name: required",
    },
    {
      name: "wrong type",
      contentType: "application/json",
      body: JSON.stringify({ name: 5, purpose: "signing" }),
      status: 400,
      message: "body.name: must be a string",
    },
    {
      name: "not one of the values",
      contentType: "application/json",
      body: JSON.stringify({ name: "a", purpose: "both-ways" }),
      status: 400,
      message: "body.purpose: must be one of signing, encryption",
    },
    {
      name: "nested field",
      contentType: "application/json",
      body: JSON.stringify({
        name: "a",
        purpose: "signing",
        items: [{ url: "https://ok" }, { url: "nope" }],
      }),
      status: 400,
      message: "body.items[1].url:",
    },
    {
      name: "unknown field",
      contentType: "application/json",
      body: JSON.stringify({ name: "a", purpose: "signing", smpt: "x" }),
      status: 400,
      message: 'body: unknown field "smpt"',
    },
    {
      name: "every problem listed",
      contentType: "application/json",
      body: JSON.stringify({ count: 1.5 }),
      status: 400,
      message: "body.name: required; body.purpose: required; body.count: must be a whole number",
    },
  ];

  it.each(cases)("$name → $status", async ({ contentType, body, status, message }) => {
    const req = request({
      method: "POST",
      path: "/api/x",
      body,
      headers: contentType === undefined ? {} : { "content-type": contentType },
    });
    const read = readJson(req, Schema, 16 * KIB);
    if (status === 200) {
      expect(await read).toEqual({ name: "a", purpose: "signing" });
      return;
    }
    const error = await refusal(read);
    expect(error.status).toBe(status);
    if (message) expect(error.message).toContain(message);
    expect(error.message).not.toContain("secret-value");
  });

  it("refuses the content type before reading the body", async () => {
    const req = request({
      method: "POST",
      path: "/api/x",
      body: good,
      headers: { "content-type": "text/xml" },
    });
    await refusal(readJson(req, Schema, 16 * KIB));
    expect(req.pulled()).toBe(0);
  });
});

describe("readQuery", () => {
  const Query = z.strictObject({
    state: z.enum(["ready", "notReady"]).optional(),
    limit: limitParameter(100, 1000),
  });
  const cases: { name: string; query: string; result?: object; message?: string }[] = [
    { name: "nothing: defaults", query: "", result: { limit: 100 } },
    { name: "both", query: "state=ready&limit=5", result: { state: "ready", limit: 5 } },
    { name: "limit at the top", query: "limit=1000", result: { limit: 1000 } },
    { name: "limit 0", query: "limit=0", message: "query.limit: must be a whole number from 1 to 1000" },
    {
      name: "limit over",
      query: "limit=1001",
      message: "query.limit: must be a whole number from 1 to 1000",
    },
    {
      name: "limit negative",
      query: "limit=-1",
      message: "query.limit: must be a whole number from 1 to 1000",
    },
    { name: "limit fraction", query: "limit=1.5", message: "query.limit: must be a whole number" },
    { name: "limit words", query: "limit=ten", message: "query.limit: must be a whole number" },
    { name: "limit empty", query: "limit=", message: "query.limit: must be a whole number" },
    { name: "limit huge", query: `limit=${"9".repeat(30)}`, message: "query.limit: must be a whole number" },
    { name: "bad state", query: "state=gone", message: "query.state: must be one of ready, notReady" },
    { name: "unknown parameter", query: "limt=5", message: 'query: unknown parameter "limt"' },
    { name: "repeated parameter", query: "limit=5&limit=6", message: "query.limit: given more than once" },
  ];

  it.each(cases)("$name", ({ query, result, message }) => {
    const params = new URLSearchParams(query);
    if (result) {
      expect(readQuery(params, Query)).toEqual(result);
      return;
    }
    let error: unknown;
    try {
      readQuery(params, Query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 400, code: "invalid_request" });
    expect((error as HttpError).message).toContain(message);
  });
});

describe("fieldPath", () => {
  it.each([
    { path: [], expected: "body" },
    { path: ["a"], expected: "body.a" },
    { path: ["a", 0, "b"], expected: "body.a[0].b" },
    { path: ["x".repeat(60)], expected: `body.${"x".repeat(40)}…` },
  ])("$expected", ({ path, expected }) => {
    expect(fieldPath("body", path)).toBe(expected);
  });
});
