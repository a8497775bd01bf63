/**
 * The demo tenant's own records of its users and certificates (what tests and the e2e check read), and how
 * a user spec becomes one.
 */
import type * as x509 from "@peculiar/x509";
import {
  DEMO_TENANT_DOMAIN,
  type DemoCertificateSpec,
  type DemoPlatform,
  type DemoUserSpec,
  type Expectation,
  type UserChange,
} from "./dataset.ts";
import type { TenantData } from "./model.ts";
import { guid, thumbprintOf } from "./seeded.ts";

/** A demo user as the tenant knows it. */
export interface DemoUserRecord {
  readonly spec: DemoUserSpec;
  readonly id: string;
  readonly userPrincipalName: string;
  readonly primarySmtp: string;
  readonly devices: readonly {
    readonly id: string;
    readonly platform: DemoPlatform;
    readonly name: string;
  }[];
}

/** A certificate of the demo tenant, with what it is there to show. */
export interface DemoCertificateRecord {
  readonly userPrincipalName: string;
  readonly userId: string;
  readonly purpose: "signing" | "encryption";
  readonly delivery: DemoCertificateSpec["delivery"];
  /** The devices Intune put it on (one for SCEP/PKCS, every device for PFX). */
  readonly platforms: readonly DemoPlatform[];
  readonly thumbprint: string;
  /** Upper-case hex, as Intune shows it. */
  readonly serialNumber: string;
  readonly pem: string;
  readonly der: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** In the directory for recipients (what LDAP returns). */
  readonly published: boolean;
  readonly expect: Expectation;
  readonly expectAfterChange?: Expectation;
}

export interface DemoDataset {
  readonly data: TenantData;
  readonly users: readonly DemoUserRecord[];
  readonly certificates: readonly DemoCertificateRecord[];
  /** What the directory publishes per user (lower-case UPN): certificate bytes, malformed ones included. */
  readonly directory: ReadonlyMap<string, readonly Uint8Array[]>;
  /** Changes the tenant applies once the first delta round completes. */
  readonly scriptedChanges: readonly { readonly userId: string; readonly change: UserChange }[];
}

/** A certificate as issued (DER may differ from the stored PEM: a tampered one). */
export interface Issued {
  readonly pem: string;
  readonly der: Uint8Array;
  readonly serialNumber: string;
  readonly cert: x509.X509Certificate;
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function userRecord(seed: string, spec: DemoUserSpec): DemoUserRecord {
  const first = capitalised(spec.displayName.split(" ")[0] ?? spec.name);
  return {
    spec,
    id: guid(seed, "user", spec.name),
    userPrincipalName: `${spec.name}@${DEMO_TENANT_DOMAIN}`,
    primarySmtp: `${spec.primaryLocal ?? spec.name}@${DEMO_TENANT_DOMAIN}`,
    devices: spec.devices.map((platform) => ({
      id: guid(seed, "device", spec.name, platform),
      platform,
      name: `${first}'s ${platform === "iOS" ? "iPhone" : "Pixel"}`,
    })),
  };
}

export function certificateRecord(
  u: DemoUserRecord,
  spec: DemoCertificateSpec,
  platforms: readonly DemoPlatform[],
  issued: Issued,
): DemoCertificateRecord {
  return {
    userPrincipalName: u.userPrincipalName,
    userId: u.id,
    purpose: spec.purpose,
    delivery: spec.delivery,
    platforms,
    thumbprint: thumbprintOf(issued.der),
    serialNumber: issued.serialNumber.toUpperCase(),
    pem: issued.pem,
    der: issued.der,
    notBefore: issued.cert.notBefore,
    notAfter: issued.cert.notAfter,
    published: spec.published ?? spec.purpose === "encryption",
    expect: spec.expect,
    ...(spec.expectAfterChange ? { expectAfterChange: spec.expectAfterChange } : {}),
  };
}
