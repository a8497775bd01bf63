import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createTableStores } from "../../../shared/adapters/tables/index.ts";
import { startAzurite } from "../../support/azurite.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until the process is gone; fails the test if it outlives the deadline. */
async function gone(pid: number, deadlineMs = 15_000): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

describe("startAzurite", () => {
  it("keeps tables in a data directory across a stop and a start (on another port)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "azurite-test-"));
    dirs.push(dataDir);
    const first = await startAzurite({ dataDir });
    await createTableStores({ connectionString: first.connectionString }).cursors.set(
      "kept",
      "v1",
      new Date("2026-03-01T00:00:00Z"),
    );
    await first.stop();
    expect(alive(first.pid)).toBe(false);
    const second = await startAzurite({ dataDir });
    try {
      const cursors = createTableStores({ connectionString: second.connectionString }).cursors;
      expect(await cursors.get("kept")).toEqual({ value: "v1", updatedAt: "2026-03-01T00:00:00.000Z" });
    } finally {
      await second.stop();
    }
  });

  it("stop is safe to call twice", async () => {
    const azurite = await startAzurite();
    await azurite.stop();
    await azurite.stop();
    expect(alive(azurite.pid)).toBe(false);
  });

  it("leaves no Azurite behind when its parent is killed with SIGKILL", async () => {
    const module = pathToFileURL(join(import.meta.dirname, "../../support/azurite.ts")).href;
    const script = `const { startAzurite } = await import(${JSON.stringify(module)});
      const a = await startAzurite(); console.log(a.pid); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      parent.once("exit", (code) => reject(new Error(`parent exited ${code}`)));
    });
    expect(alive(pid)).toBe(true);
    parent.kill("SIGKILL");
    expect(await gone(pid)).toBe(true);
  });
});
