/**
 * Builds the demo tenant's data from `DEMO_USERS`: certificates issued by the demo CA (once per data
 * directory, see certificate-cache.ts), then the Graph entities that describe them (demo-items.ts) gathered
 * into the collections the routes page through.
 *
 * Ids come from the seed, dates from the certificates themselves: deterministic for a given CA folder.
 */
import "reflect-metadata";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import type { DemoCa } from "../demo-ca.ts";
import { CertificateCache } from "./certificate-cache.ts";
import { DEMO_TENANT_DOMAIN, DEMO_USERS, type DemoCertificateSpec } from "./dataset.ts";
import { allStateItem, exportRow, graphDevice, graphUser, pfxItem, stateItem } from "./demo-items.ts";
import {
  certificateRecord,
  type DemoCertificateRecord,
  type DemoDataset,
  type DemoUserRecord,
  type Issued,
  userRecord,
} from "./demo-records.ts";
import { issueFromForeignCa } from "./foreign-ca.ts";
import { arrayCollection, type ExportRow, type GraphItem, type TenantData } from "./model.ts";
import { mobileAppConfigurations } from "./policies.ts";
import { deviceConfigurations, type ProfileKey, profileId } from "./profiles.ts";
import { digest, guid } from "./seeded.ts";

export type { DemoCertificateRecord, DemoDataset, DemoUserRecord } from "./demo-records.ts";

const DAY = 86_400_000;

/** Flips the last byte of the signature: the certificate still parses, its signature no longer verifies. */
function tamper(der: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(der);
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x01;
  return copy;
}

async function issueOne(
  ca: DemoCa,
  cache: CertificateCache,
  key: string,
  u: DemoUserRecord,
  spec: DemoCertificateSpec,
  now: Date,
): Promise<Issued> {
  const email = spec.namesAlias
    ? `${u.spec.aliases?.[0] ?? u.spec.name}@${DEMO_TENANT_DOMAIN}`
    : u.primarySmtp;
  const notBefore = new Date(now.getTime() + (spec.startsInDays ?? -30) * DAY);
  const notAfter = new Date(now.getTime() + (spec.validDays ?? 365) * DAY);
  const stored = await cache.get(key, async () => {
    if (spec.variant === "foreignCa")
      return issueFromForeignCa({
        email,
        displayName: u.spec.displayName,
        notBefore,
        notAfter,
        serialNumber: digest(key).subarray(0, 16).toString("hex").replace(/^./, "4"),
      });
    const leaf = await ca.issue({
      email,
      purpose: spec.keyPurpose ?? spec.purpose,
      displayName: u.spec.displayName,
      notBefore,
      notAfter,
    });
    if (spec.revoked) await ca.revoke(leaf.serialNumber, new Date(now.getTime() - DAY));
    return { pem: leaf.pem, serialNumber: leaf.serialNumber };
  });
  const cert = new x509.X509Certificate(stored.pem);
  const raw = new Uint8Array(cert.rawData);
  const der = spec.variant === "tamperedSignature" ? tamper(raw) : raw;
  return {
    pem:
      spec.variant === "tamperedSignature"
        ? x509.PemConverter.encode(der.buffer as ArrayBuffer, "CERTIFICATE")
        : stored.pem,
    der,
    serialNumber: stored.serialNumber,
    cert,
  };
}

interface Owned {
  readonly upn: string;
  readonly item: GraphItem;
}

/** Builds (issuing what the data directory does not hold yet) the demo tenant. */
export async function buildDemoDataset(options: {
  readonly ca: DemoCa;
  readonly dataDir: string;
  readonly seed: string;
  readonly now: Date;
  /** The LDAP host the Outlook policies name. */
  readonly ldapHost?: string;
}): Promise<DemoDataset> {
  const { ca, seed, now } = options;
  const cache = await CertificateCache.open(join(options.dataDir, "demo-tenant"), ca.issuingPem);
  const users = DEMO_USERS.map((spec) => userRecord(seed, spec));
  const certificates: DemoCertificateRecord[] = [];
  const pfx: Owned[] = [];
  const states = new Map<string, Owned[]>();
  const rows: { upn: string; row: ExportRow }[] = [];
  const allStates: Owned[] = [];
  const directory = new Map<string, Uint8Array[]>();

  const addState = (key: ProfileKey, owned: Owned) => {
    const id = profileId(seed, key);
    const list = states.get(id) ?? [];
    list.push(owned);
    states.set(id, list);
  };

  for (const u of users) {
    const published: Uint8Array[] = [];
    for (const [index, spec] of u.spec.certificates.entries()) {
      const platforms = (spec.platforms ?? u.spec.devices).filter((p) => u.spec.devices.includes(p));
      // PFX: one certificate on every device; SCEP/PKCS: one per device.
      const groups = spec.delivery === "pfx" ? [platforms] : platforms.map((p) => [p]);
      for (const group of groups) {
        const pending =
          group.length === 1 &&
          spec.issuance?.platform === group[0] &&
          spec.issuance?.state === "issuePending";
        const key = `${u.spec.name}/${index}/${spec.delivery === "pfx" ? "all" : group[0]}`;
        const issued = pending ? undefined : await issueOne(ca, cache, key, u, spec, now);
        if (issued) {
          const record = certificateRecord(u, spec, group, issued);
          certificates.push(record);
          if (record.published) published.push(record.der);
          if (spec.delivery === "pfx")
            pfx.push({ upn: u.userPrincipalName, item: pfxItem(seed, key, u, spec, record) });
        }
        for (const platform of group) {
          const device = u.devices.find((d) => d.platform === platform);
          if (!device) continue;
          const profile: ProfileKey = { delivery: spec.delivery, platform, purpose: spec.purpose };
          const state = stateItem({ seed, key, u, device, spec, profile, issued, now });
          addState(profile, { upn: u.userPrincipalName, item: state });
          allStates.push({ upn: u.userPrincipalName, item: allStateItem(state, u, spec, issued) });
          rows.push({
            upn: u.userPrincipalName,
            row: exportRow(seed, u, device, spec, profile, state, issued),
          });
        }
      }
    }
    for (const extra of u.spec.directoryExtras ?? []) {
      if (extra === "malformed")
        published.push(Uint8Array.from(Buffer.concat([Buffer.from("0\x82not a certificate"), digest(u.id)])));
      else {
        const older = await issueOne(
          ca,
          cache,
          `${u.spec.name}/older`,
          u,
          {
            purpose: "encryption",
            delivery: "pfx",
            startsInDays: -200,
            validDays: 165,
            expect: { state: "valid", problems: [] },
          },
          now,
        );
        published.push(older.der);
      }
    }
    directory.set(u.userPrincipalName.toLowerCase(), published);
  }
  await cache.save();

  const removed = new Set<string>();
  const visible = (list: readonly Owned[]) => list.filter((o) => !removed.has(o.upn)).map((o) => o.item);
  const graphUsers = users.map((u) => graphUser(u, now));
  const devices = users.flatMap((u) => u.devices.map((d) => graphDevice(u, d, now)));
  const configurations = deviceConfigurations(seed, now);
  const data: TenantData = {
    tenantId: guid(seed, "tenant"),
    users: arrayCollection(() => graphUsers),
    findUser: (idOrUpn) => {
      const key = idOrUpn.toLowerCase();
      return graphUsers.find((u) => u.id === key || String(u.userPrincipalName).toLowerCase() === key);
    },
    pfxCertificates: arrayCollection(() => visible(pfx)),
    deviceConfigurations: configurations,
    certificateStates: (id) => {
      if (!configurations.some((c) => c.id === id && String(c["@odata.type"]).includes("Certificate")))
        return undefined;
      return arrayCollection(() => visible(states.get(id) ?? []));
    },
    allCertificateStates: arrayCollection(() => visible(allStates)),
    managedDevices: arrayCollection(() => devices),
    findDevice: (id) => devices.find((d) => d.id === id),
    devicesOf: (userId) => devices.filter((d) => d.userId === userId),
    mobileAppConfigurations: mobileAppConfigurations({
      seed,
      ldapHost: options.ldapHost ?? "ldap.demo.smime-lifecycle.local",
      at: now,
    }),
    exportRows: () => rows.filter((r) => !removed.has(r.upn)).map((r) => r.row),
    removeCertificatesOf: (upn) => {
      removed.add(upn.toLowerCase());
      return true;
    },
  };
  const scriptedChanges = users.flatMap((u) => {
    const change = u.spec.afterFirstDelta;
    if (!change) return [];
    const primarySmtp = change.primarySmtp ? `${change.primarySmtp}@${DEMO_TENANT_DOMAIN}` : undefined;
    return [{ userId: u.id, change: { ...change, ...(primarySmtp ? { primarySmtp } : {}) } }];
  });
  return { data, users, certificates, directory, scriptedChanges };
}
