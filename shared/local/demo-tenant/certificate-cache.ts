/**
 * The demo certificates of one data directory (`<dataDir>/demo-tenant/certificates.json`): each issued once,
 * read back on later starts, so a restart serves the same certificates and thumbprints and the pipeline sees
 * no change. A different demo CA (its issuing certificate changed) starts the file over.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

const Stored = z.object({
  issuer: z.string(),
  certificates: z.record(z.string(), z.object({ pem: z.string(), serialNumber: z.string() })),
});
type Stored = z.infer<typeof Stored>;

/** Issues each certificate once per data directory; later starts read them back. */
export class CertificateCache {
  private dirty = false;
  private readonly path: string;
  private readonly stored: Stored;
  private constructor(path: string, stored: Stored) {
    this.path = path;
    this.stored = stored;
  }

  static async open(dir: string, issuer: string): Promise<CertificateCache> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, "certificates.json");
    const text = await readFile(path, "utf8").catch(() => undefined);
    const parsed = text === undefined ? undefined : Stored.safeParse(JSON.parse(text));
    // Another CA (a new demo-ca folder) means the old certificates no longer chain: start over.
    const stored =
      parsed?.success && parsed.data.issuer === issuer ? parsed.data : { issuer, certificates: {} };
    return new CertificateCache(path, stored);
  }

  async get(key: string, issue: () => Promise<{ pem: string; serialNumber: string }>) {
    const hit = this.stored.certificates[key];
    if (hit) return hit;
    const made = await issue();
    this.stored.certificates[key] = made;
    this.dirty = true;
    return made;
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(this.stored, null, 1));
    await rename(temporary, this.path);
  }
}
