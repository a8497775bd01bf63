/**
 * Certificates the demo tenant installs when a device checks in: `syncDevice` on a demo user's device (what
 * onReprovision asks for) makes the device fetch its policies, and Intune then delivers a new certificate for
 * each purpose the user has nothing in force for (install-needs.ts) — issued by the demo CA, a SCEP or PKCS
 * signing certificate as the device's profile state, an encryption certificate as an imported
 * userPFXCertificate (published in the directory for recipients, as the admin's import would be). The next
 * Intune listing shows them like the dataset's own; nothing tells the pipeline, which finds them by polling.
 *
 * A real device takes a while to check in: the install happens `delayMs` after the sync request (a few
 * seconds in the local host), or before the request is answered when it is 0, so a test sees it at once.
 * Installs run one at a time, so two devices of one user syncing together get one encryption PFX.
 *
 * Installs are kept in the data directory (`<dataDir>/demo-tenant/installs.json`), like the dataset's own
 * certificates: after a restart Intune still lists them, and the pipeline sees no certificate vanish.
 */
import "reflect-metadata";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import * as x509 from "@peculiar/x509";
import { z } from "zod";
import type { Clock, Logger } from "../../ports.ts";
import type { DemoCa } from "../demo-ca.ts";
import type { DemoCertificateSpec } from "./dataset.ts";
import { allStateItem, exportRow, pfxItem, stateItem } from "./demo-items.ts";
import { certificateRecord, type DemoDataset, type DemoUserRecord, type Issued } from "./demo-records.ts";
import { type HeldCertificate, type InstallNeed, installNeeds } from "./install-needs.ts";
import type { ExportRow, GraphItem } from "./model.ts";
import { type ProfileKey, profileId } from "./profiles.ts";
import { thumbprintOf } from "./seeded.ts";

const HOUR = 3_600_000;
const YEAR = 365 * 24 * HOUR;

/** One certificate the tenant installed after a device sync, with the Graph items that describe it. */
export interface InstalledCertificate {
  readonly userPrincipalName: string;
  readonly userId: string;
  readonly purpose: "signing" | "encryption";
  readonly delivery: InstallNeed["delivery"];
  readonly platforms: InstallNeed["platforms"];
  readonly thumbprint: string;
  readonly der: Uint8Array;
  readonly notAfter: Date;
  readonly installedAt: string;
  /** The device whose sync brought it. */
  readonly deviceId: string;
  readonly items: {
    readonly pfx?: GraphItem;
    /** Per-profile device states, by profile id. */
    readonly states: readonly { readonly profileId: string; readonly item: GraphItem }[];
    readonly allStates: readonly GraphItem[];
    readonly rows: readonly ExportRow[];
  };
}

export interface DeviceInstallsOptions {
  readonly dataset: DemoDataset;
  /** The tenant's data directory: installs are kept in `demo-tenant/installs.json` there. */
  readonly dataDir: string;
  readonly ca: DemoCa;
  readonly seed: string;
  readonly clock: Clock;
  /** From the sync request to the install; 0 installs before the request is answered. */
  readonly delayMs: number;
  readonly logger?: Logger;
}

/** What is kept of an install: enough to describe it again as it was. */
const Kept = z.array(
  z.object({
    user: z.string(),
    deviceId: z.string(),
    purpose: z.enum(["signing", "encryption"]),
    delivery: z.enum(["pfx", "scep", "pkcs"]),
    platforms: z.array(z.enum(["iOS", "android"])),
    pem: z.string(),
    serialNumber: z.string(),
    installedAt: z.string(),
  }),
);
type Kept = z.infer<typeof Kept>;

export class DeviceInstalls {
  private readonly installed: InstalledCertificate[] = [];
  private readonly kept: Kept = [];
  /** Users whose certificates Intune dropped (`removeCertificatesOf`): their older ones are gone. */
  private readonly removedBefore = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pending = new Set<Promise<unknown>>();

  private constructor(private readonly options: DeviceInstallsOptions) {}

  /** The installs of the data directory, read back (one from another demo CA is dropped: it no longer chains). */
  static async open(options: DeviceInstallsOptions): Promise<DeviceInstalls> {
    const installs = new DeviceInstalls(options);
    const text = await readFile(installs.file, "utf8").catch(() => undefined);
    // An unreadable file (edited by hand, from another version) starts the installs over; it never stops the tenant.
    const parsed = text === undefined ? undefined : Kept.safeParse(parseJson(text));
    const issuer = new x509.X509Certificate(options.ca.issuingPem).subject;
    for (const k of parsed?.success ? parsed.data : []) {
      const user = options.dataset.users.find((u) => u.spec.name === k.user);
      const cert = new x509.X509Certificate(k.pem);
      if (!user || cert.issuer !== issuer) continue;
      const issued = { pem: k.pem, der: new Uint8Array(cert.rawData), serialNumber: k.serialNumber, cert };
      installs.installed.push(installs.describe(user, k.deviceId, k, issued, new Date(k.installedAt)));
      installs.kept.push(k);
    }
    return installs;
  }

  private get file(): string {
    return join(this.options.dataDir, "demo-tenant", "installs.json");
  }

  /** Installs visible now, in order (certificates of users whose certificates were removed since are not). */
  list(): readonly InstalledCertificate[] {
    return this.installed.filter((c) => !this.removedLater(c));
  }

  /** The encryption certificates installed for a user that the directory publishes. */
  publishedFor(userPrincipalName: string): Uint8Array[] {
    const upn = userPrincipalName.toLowerCase();
    return this.list()
      .filter((c) => c.purpose === "encryption" && c.userPrincipalName.toLowerCase() === upn)
      .map((c) => c.der);
  }

  /** Intune dropped the user's certificates: those installed so far go with the dataset's. */
  removed(userPrincipalName: string): void {
    this.removedBefore.set(userPrincipalName.toLowerCase(), this.installed.length);
  }

  /**
   * A sync request for a device. Resolves once the install is done when the delay is 0, else at once (the
   * install follows; `settled` waits for it). Devices that are no demo user's install nothing.
   */
  async synced(deviceId: string): Promise<void> {
    const owner = this.options.dataset.users.find((u) => u.devices.some((d) => d.id === deviceId));
    if (!owner) return;
    const run = () => this.serially(() => this.install(owner, deviceId));
    if (this.options.delayMs <= 0) {
      await run();
      return;
    }
    const later = new Promise<void>((resolve) => setTimeout(resolve, this.options.delayMs)).then(run);
    this.pending.add(later);
    void later.finally(() => this.pending.delete(later));
  }

  /** Waits for the installs still to come (on close). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private removedLater(c: InstalledCertificate): boolean {
    const cut = this.removedBefore.get(c.userPrincipalName.toLowerCase());
    return cut !== undefined && this.installed.indexOf(c) < cut;
  }

  private serially(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => undefined);
    return next.catch((error: unknown) =>
      this.options.logger?.error("demo tenant install failed", { error }),
    );
  }

  /** What the user holds or held: the dataset's certificates and the installs since, withdrawn ones marked. */
  private held(user: DemoUserRecord): HeldCertificate[] {
    const removed = this.removedBefore.has(user.userPrincipalName.toLowerCase());
    const base = this.options.dataset.certificates
      .filter((c) => c.userId === user.id)
      .map((c) => ({ ...c, withdrawn: removed || c.expect.state === "revoked" }));
    const since = this.installed
      .filter((c) => c.userId === user.id)
      .map((c) => ({ ...c, withdrawn: this.removedLater(c) }));
    return [...base, ...since];
  }

  private async install(user: DemoUserRecord, deviceId: string): Promise<void> {
    const device = user.devices.find((d) => d.id === deviceId);
    if (!device) return;
    const now = this.options.clock.now();
    const platforms = user.devices.map((d) => d.platform);
    for (const need of installNeeds(this.held(user), device.platform, platforms, now)) {
      const issued = await this.issue(user, need, now);
      this.installed.push(this.describe(user, deviceId, need, issued, now));
      this.kept.push({
        user: user.spec.name,
        deviceId,
        purpose: need.purpose,
        delivery: need.delivery,
        platforms: [...need.platforms],
        pem: issued.pem,
        serialNumber: issued.serialNumber,
        installedAt: now.toISOString(),
      });
      await this.save();
      this.options.logger?.info("demo tenant installed a certificate", {
        userPrincipalName: user.userPrincipalName,
        purpose: need.purpose,
        delivery: need.delivery,
        thumbprint: thumbprintOf(issued.der),
      });
    }
  }

  private async save(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(this.kept, null, 1));
    await rename(temporary, this.file);
  }

  private async issue(user: DemoUserRecord, need: InstallNeed, now: Date): Promise<Issued> {
    const leaf = await this.options.ca.issue({
      email: user.primarySmtp,
      purpose: need.purpose,
      displayName: user.spec.displayName,
      notBefore: new Date(now.getTime() - HOUR),
      notAfter: new Date(now.getTime() + YEAR),
    });
    return { ...leaf, cert: new x509.X509Certificate(leaf.der) };
  }

  /** The Graph items of a new certificate, as the dataset describes its own (demo-data.ts). */
  private describe(
    user: DemoUserRecord,
    deviceId: string,
    need: InstallNeed,
    issued: Issued,
    now: Date,
  ): InstalledCertificate {
    const { seed } = this.options;
    const spec: DemoCertificateSpec = {
      purpose: need.purpose,
      delivery: need.delivery,
      platforms: need.platforms,
      expect: { state: "valid", problems: [] },
    };
    const record = certificateRecord(user, spec, need.platforms, issued);
    // Seeded like the dataset's keys: the n-th install of a user has the same ids in every run.
    const key = `${user.spec.name}/installed/${this.installed.filter((c) => c.userId === user.id).length}`;
    const states: { profileId: string; item: GraphItem }[] = [];
    const allStates: GraphItem[] = [];
    const rows: ExportRow[] = [];
    for (const platform of need.platforms) {
      const device = user.devices.find((d) => d.platform === platform);
      if (!device) continue;
      const profile: ProfileKey = { delivery: need.delivery, platform, purpose: need.purpose };
      const state = stateItem({ seed, key, u: user, device, spec, profile, issued, now });
      states.push({ profileId: profileId(seed, profile), item: state });
      allStates.push(allStateItem(state, user, spec, issued));
      rows.push(exportRow(seed, user, device, spec, profile, state, issued));
    }
    return {
      userPrincipalName: user.userPrincipalName,
      userId: user.id,
      purpose: need.purpose,
      delivery: need.delivery,
      platforms: need.platforms,
      thumbprint: record.thumbprint,
      der: record.der,
      notAfter: record.notAfter,
      installedAt: now.toISOString(),
      deviceId,
      items: {
        ...(need.delivery === "pfx" ? { pfx: pfxItem(seed, key, user, spec, record) } : {}),
        states,
        allStates,
        rows,
      },
    };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
