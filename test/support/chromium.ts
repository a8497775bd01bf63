/**
 * Debian's Chromium, driven by playwright-core, for the dashboard tests: the Debian package (not a browser
 * Playwright downloads), headless, with a fresh profile per launch and every background call home switched
 * off, so a test run talks to nothing but the host under test.
 *
 * Playwright refuses `--user-data-dir` among the arguments; `launchPersistentContext` takes the profile
 * folder instead (a temporary one, removed on close).
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

export interface Chromium {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * Launches Chromium with a new profile.
 * @throws Error naming the Debian package when the browser is not installed
 */
export async function launchChromium(
  options: { readonly viewport?: { width: number; height: number } } = {},
): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}; the dashboard tests need the Debian package: apt-get install chromium`,
    );
  const profile = await mkdtemp(join(tmpdir(), "smime-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_FLAGS],
      viewport: options.viewport ?? { width: 1400, height: 1000 },
    });
    return {
      context,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
