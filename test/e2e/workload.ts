/**
 * What the end-to-end test and the benchmark register: N certificates for U users, each certificate of a kind
 * whose final lifecycle state is known in advance. Dates are relative to `now` because the host runs on the
 * real clock (a child process cannot be handed a fixed one).
 *
 * The kinds cycle over the certificates (`KIND_CYCLE`), half of them valid; certificate i belongs to user
 * i mod U. With U = 300 and a cycle of 8, user u holds the kinds of positions u mod 8 and (u + 300) mod 8 =
 * (u + 4) mod 8: valid+valid, expiring+revoked, valid+valid or expired+invalid — so a quarter of the users
 * have nothing usable left, and their readiness says so.
 */
import type { LeafMinter, LeafSpec, MintedLeaf } from "./leaf-minter.ts";

export type CertificateKind = "valid" | "expiringSoon" | "expired" | "revoked" | "wrongEku";
export type LifecycleStateName = "valid" | "expiring" | "expired" | "revoked" | "invalid";

export interface KindDefinition {
  /** The state the pipeline must end the certificate in. */
  readonly state: LifecycleStateName;
  /** Whether the certificate is still usable (makes its user ready). */
  readonly usable: boolean;
  readonly leaf: (now: Date) => Omit<LeafSpec, "email">;
  /** Put on the demo CA's CRL before the host starts. */
  readonly revoke?: true;
}

const DAY = 86_400_000;
const days = (now: Date, n: number) => new Date(now.getTime() + n * DAY);

/** Each kind of certificate, the leaf that makes it, and the state it must end in. */
export const KINDS: Readonly<Record<CertificateKind, KindDefinition>> = {
  valid: {
    state: "valid",
    usable: true,
    leaf: (now) => ({ notBefore: days(now, -30), notAfter: days(now, 365), eku: "emailProtection" }),
  },
  // Five days left: inside every threshold from 7 up (30, 14, 7), outside 1.
  expiringSoon: {
    state: "expiring",
    usable: true,
    leaf: (now) => ({ notBefore: days(now, -360), notAfter: days(now, 5), eku: "emailProtection" }),
  },
  expired: {
    state: "expired",
    usable: false,
    leaf: (now) => ({ notBefore: days(now, -400), notAfter: days(now, -10), eku: "emailProtection" }),
  },
  revoked: {
    state: "revoked",
    usable: false,
    revoke: true,
    leaf: (now) => ({ notBefore: days(now, -30), notAfter: days(now, 365), eku: "emailProtection" }),
  },
  // serverAuth only: EKU_NOT_EMAIL_PROTECTION for both purposes.
  wrongEku: {
    state: "invalid",
    usable: false,
    leaf: (now) => ({ notBefore: days(now, -30), notAfter: days(now, 365), eku: "serverAuth" }),
  },
};

export const KIND_CYCLE: readonly CertificateKind[] = [
  "valid",
  "expiringSoon",
  "valid",
  "expired",
  "valid",
  "revoked",
  "valid",
  "wrongEku",
];

export interface PlannedCertificate {
  readonly index: number;
  readonly kind: CertificateKind;
  readonly userPrincipalName: string;
  readonly leaf: MintedLeaf;
}

export interface Workload {
  readonly certificates: readonly PlannedCertificate[];
  readonly byThumbprint: ReadonlyMap<string, PlannedCertificate>;
  /** How many certificates must end in each state. */
  readonly expectedStates: Readonly<Record<LifecycleStateName, number>>;
  /** Per user principal name: whether any of the user's certificates stays usable. */
  readonly userUsable: ReadonlyMap<string, boolean>;
}

export const userPrincipalName = (user: number, domain = "contoso.test") =>
  `user${String(user).padStart(5, "0")}@${domain}`;

/** Mints the workload's leaves at `now`. */
export function planWorkload(options: {
  readonly certificates: number;
  readonly users: number;
  readonly now: Date;
  readonly minter: LeafMinter;
  /** The cycle of kinds (default KIND_CYCLE). */
  readonly cycle?: readonly CertificateKind[];
}): Workload {
  const cycle = options.cycle ?? KIND_CYCLE;
  const certificates: PlannedCertificate[] = [];
  const expectedStates: Record<LifecycleStateName, number> = {
    valid: 0,
    expiring: 0,
    expired: 0,
    revoked: 0,
    invalid: 0,
  };
  const userUsable = new Map<string, boolean>();
  for (let index = 0; index < options.certificates; index++) {
    const kind = cycle[index % cycle.length]!;
    const upn = userPrincipalName(index % options.users);
    const leaf = options.minter.mint({ ...KINDS[kind].leaf(options.now), email: upn }, index);
    certificates.push({ index, kind, userPrincipalName: upn, leaf });
    expectedStates[KINDS[kind].state] += 1;
    userUsable.set(upn, (userUsable.get(upn) ?? false) || KINDS[kind].usable);
  }
  return {
    certificates,
    byThumbprint: new Map(certificates.map((c) => [c.leaf.thumbprint, c])),
    expectedStates,
    userUsable,
  };
}

/** The `POST /api/certificates` body for a planned certificate: both purposes, the UPN as primary SMTP address. */
export const registrationBody = (c: PlannedCertificate) => ({
  userPrincipalName: c.userPrincipalName,
  certificate: c.leaf.pem,
  purpose: "both" as const,
  smtp: c.userPrincipalName,
});
