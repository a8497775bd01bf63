/**
 * `smimectl serve --demo` (what `npm start` runs): on the first start of a data directory, a handful of
 * demo users get certificates from the demo CA, registered through the same use case as `POST
 * certificates`, so a fresh clone shows the pipeline at work within a minute: one user ready, one whose
 * certificate is about to expire, one revoked, one who can sign but not encrypt.
 *
 * Once per data directory: a marker file records the seed, because every run would otherwise mint new
 * certificates (new serials, new thumbprints) that no duplicate detection could recognise.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type {
  RegisterCertificateInput,
  RegisterCertificateResult,
} from "../usecases/register-certificate.ts";
import type { DemoCa, DemoPurpose } from "./demo-ca.ts";

const DAY = 86_400_000;
export const DEMO_DOMAIN = "demo.smime-lifecycle.local";
const MARKER = "demo-seed.json";

interface DemoUser {
  readonly name: string;
  readonly purpose: DemoPurpose;
  /** Days from now until the certificate expires. */
  readonly validDays: number;
  readonly revoked?: boolean;
  /** What the demo shows with this user. */
  readonly story: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { name: "adele", purpose: "both", validDays: 365, story: "ready to sign and encrypt" },
  { name: "bruno", purpose: "both", validDays: 10, story: "expiring: inside the 14-day threshold" },
  { name: "chen", purpose: "both", validDays: 365, revoked: true, story: "revoked on the demo CA's CRL" },
  { name: "dana", purpose: "signing", validDays: 365, story: "can sign, cannot encrypt" },
];

export interface SeedResult {
  readonly seeded: boolean;
  readonly users: readonly {
    readonly userPrincipalName: string;
    readonly thumbprint: string;
    readonly story: string;
  }[];
}

/** Seeds the demo users unless this data directory was seeded before. */
export async function seedDemo(options: {
  readonly dataDir: string;
  readonly ca: DemoCa;
  readonly now: Date;
  readonly register: (input: RegisterCertificateInput) => Promise<RegisterCertificateResult>;
}): Promise<SeedResult> {
  const marker = join(options.dataDir, MARKER);
  const previous = await readFile(marker, "utf8").catch(() => undefined);
  if (previous !== undefined) return { seeded: false, users: (JSON.parse(previous) as SeedResult).users };
  const users: SeedResult["users"][number][] = [];
  for (const user of DEMO_USERS) {
    const email = `${user.name}@${DEMO_DOMAIN}`;
    const leaf = await options.ca.issue({
      email,
      purpose: user.purpose,
      displayName: user.name[0]?.toUpperCase() + user.name.slice(1),
      notBefore: new Date(options.now.getTime() - DAY),
      notAfter: new Date(options.now.getTime() + user.validDays * DAY),
    });
    if (user.revoked) await options.ca.revoke(leaf.serialNumber, options.now);
    const { thumbprint } = await options.register({
      userPrincipalName: email,
      certificate: leaf.pem,
      purpose: user.purpose,
      requestedBy: "smimectl serve --demo",
    });
    users.push({ userPrincipalName: email, thumbprint, story: user.story });
  }
  await writeFile(marker, JSON.stringify({ seeded: true, users }, null, 2));
  return { seeded: true, users };
}
