import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runToken } from "../../../shared/cli/token-command.ts";
import { UsageError } from "../../../shared/cli/usage-error.ts";
import { AppRoles } from "../../../shared/http/auth.ts";
import { loadDemoIssuer } from "../../../shared/http/demo-issuer.ts";

const NOW = new Date("2026-11-28T12:00:00Z");
let data: string;
let output: string;

beforeEach(async () => {
  data = await mkdtemp(join(tmpdir(), "smimectl-token-"));
  output = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(data, { recursive: true, force: true });
});

describe("smimectl token", () => {
  it.each([
    { args: ["--role", "reader"], roles: [AppRoles.reader], upn: "reader@demo.smime-lifecycle.local" },
    {
      args: ["--role", "admin", "--user", "alice@contoso.com"],
      roles: [AppRoles.admin],
      upn: "alice@contoso.com",
    },
    { args: ["--role", "none"], roles: [], upn: "none@demo.smime-lifecycle.local" },
  ])("$args prints a token the local host accepts", async ({ args, roles, upn }) => {
    expect(await runToken([...args, "--data", data], NOW)).toBe(0);
    const token = output.trim();
    expect(output.endsWith("\n")).toBe(true);
    expect(decodeJwt(token)).toMatchObject({ roles, upn, exp: NOW.getTime() / 1000 + 3600 });
    const issuer = await loadDemoIssuer(data);
    const principal = await issuer.verifier({ now: () => NOW }).verify(`Bearer ${token}`);
    expect(principal.name).toBe(upn);
    expect((await stat(join(data, "demo-issuer", "key.json"))).mode & 0o777).toBe(0o600);
  });

  it.each([
    { name: "no role", args: [], message: "--role is required" },
    { name: "unknown role", args: ["--role", "owner"], message: "--role must be reader, admin or none" },
    {
      name: "bad user",
      args: ["--role", "admin", "--user", "alice"],
      message: "--user must be a user principal name",
    },
    { name: "unknown flag", args: ["--role", "admin", "--tenant", "x"], message: "--tenant" },
    { name: "a positional", args: ["admin"], message: "admin" },
  ])("$name: usage error", async ({ args, message }) => {
    const error = await runToken([...args, "--data", data], NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain(message);
    expect((error as UsageError).message).toContain("usage: smimectl token");
    expect(output).toBe("");
  });

  it("--help prints the usage", async () => {
    expect(await runToken(["--help"], NOW)).toBe(0);
    expect(output).toContain("usage: smimectl token --role reader|admin|none");
  });
});
