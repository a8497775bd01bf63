/**
 * Local mode's webhook secret: the `clientState` Graph echoes in every change notification, which is the
 * only thing that tells the host's `POST graph/notifications` a real notification from a forged one. In
 * Azure it is GRAPH_CLIENT_STATE (a Key Vault reference); locally, with none set, a random one is made on
 * the first start of a data directory and kept there, so a subscription created yesterday still matches
 * today's host.
 *
 * Written to a temporary file and hard-linked into place (like the demo issuer's key), so two processes
 * starting together end with one secret and neither reads half of it.
 */
import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

/** Where the secret lives under the data directory. */
export const CLIENT_STATE_FILE = join("graph", "client-state");

/** Graph allows at most 128 characters; 32 random bytes in base64url are 43. */
const ClientState = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{16,128}$/, "expected 16 to 128 base64url characters");

/**
 * The data directory's clientState, made on first use.
 * @throws Error naming the file when it holds something that is not a clientState
 */
export async function loadOrCreateClientState(dataDir: string): Promise<string> {
  const file = join(dataDir, CLIENT_STATE_FILE);
  const existing = await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined;
    throw e;
  });
  if (existing !== undefined) return parse(existing, file);
  await mkdir(join(dataDir, "graph"), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temporary, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600 });
  try {
    await link(temporary, file);
  } catch (e) {
    // Another process made it first: theirs is the one.
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  } finally {
    await unlink(temporary);
  }
  return parse(await readFile(file, "utf8"), file);
}

function parse(text: string, file: string): string {
  const parsed = ClientState.safeParse(text);
  if (!parsed.success)
    throw new Error(`${file}: not a Graph clientState (${parsed.error.issues[0]?.message})`);
  return parsed.data;
}
