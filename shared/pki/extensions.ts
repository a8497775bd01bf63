/**
 * The certificate and CRL extensions that validation reads (RFC 5280 §4.2 and §5.2), decoded from DER.
 */
import type { GeneralName } from "./general-name.ts";
import type { Name } from "./name.ts";

export const ExtensionOid = {
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  issuerAltName: "2.5.29.18",
  basicConstraints: "2.5.29.19",
  crlNumber: "2.5.29.20",
  reasonCode: "2.5.29.21",
  invalidityDate: "2.5.29.24",
  deltaCrlIndicator: "2.5.29.27",
  issuingDistributionPoint: "2.5.29.28",
  certificateIssuer: "2.5.29.29",
  nameConstraints: "2.5.29.30",
  crlDistributionPoints: "2.5.29.31",
  certificatePolicies: "2.5.29.32",
  policyMappings: "2.5.29.33",
  authorityKeyIdentifier: "2.5.29.35",
  policyConstraints: "2.5.29.36",
  extKeyUsage: "2.5.29.37",
  freshestCrl: "2.5.29.46",
  inhibitAnyPolicy: "2.5.29.54",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  subjectInfoAccess: "1.3.6.1.5.5.7.1.11",
} as const;

export const ANY_POLICY = "2.5.29.32.0";

/** A raw extension: `value` is the content of the extnValue OCTET STRING. */
export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

export interface BasicConstraints {
  readonly ca: boolean;
  readonly pathLenConstraint?: number;
}

/** keyUsage bits as a mask: bit n of the BIT STRING is `1 << n`. */
export const KeyUsage = {
  digitalSignature: 1 << 0,
  nonRepudiation: 1 << 1,
  keyEncipherment: 1 << 2,
  dataEncipherment: 1 << 3,
  keyAgreement: 1 << 4,
  keyCertSign: 1 << 5,
  cRLSign: 1 << 6,
  encipherOnly: 1 << 7,
  decipherOnly: 1 << 8,
} as const;

export const Eku = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  any: "2.5.29.37.0",
} as const;

export interface GeneralSubtree {
  readonly base: GeneralName;
  readonly minimum: number;
  readonly maximum?: number;
}

export interface NameConstraints {
  readonly permitted?: readonly GeneralSubtree[];
  readonly excluded?: readonly GeneralSubtree[];
}

export interface PolicyQualifier {
  readonly id: string;
  /** DER of the qualifier. */
  readonly qualifier: Uint8Array;
}

export interface PolicyInformation {
  readonly policyId: string;
  readonly qualifiers: readonly PolicyQualifier[];
}

export interface PolicyMapping {
  readonly issuerDomainPolicy: string;
  readonly subjectDomainPolicy: string;
}

export interface PolicyConstraints {
  readonly requireExplicitPolicy?: number;
  readonly inhibitPolicyMapping?: number;
}

/** ReasonFlags as a mask: bit n of the BIT STRING is `1 << n` (bit 0 is `unused`). */
export const ReasonFlag = {
  unused: 1 << 0,
  keyCompromise: 1 << 1,
  cACompromise: 1 << 2,
  affiliationChanged: 1 << 3,
  superseded: 1 << 4,
  cessationOfOperation: 1 << 5,
  certificateHold: 1 << 6,
  privilegeWithdrawn: 1 << 7,
  aACompromise: 1 << 8,
} as const;

/** Every reason RFC 5280 defines (what `onlySomeReasons` absent means). */
export const ALL_REASONS = 0x1fe;

export type DistributionPointName =
  | { readonly fullName: readonly GeneralName[] }
  | { readonly nameRelativeToCrlIssuer: Uint8Array };

export interface DistributionPoint {
  readonly name?: DistributionPointName;
  /** ReasonFlag mask; absent means all reasons. */
  readonly reasons?: number;
  readonly crlIssuer?: readonly GeneralName[];
}

export interface AccessDescription {
  readonly method: string;
  readonly location: GeneralName;
}

export const AccessMethod = {
  ocsp: "1.3.6.1.5.5.7.48.1",
  caIssuers: "1.3.6.1.5.5.7.48.2",
} as const;

export interface AuthorityKeyIdentifier {
  readonly keyIdentifier?: Uint8Array;
  readonly authorityCertIssuer?: readonly GeneralName[];
  /** serialKey form (lower-case hex, no redundant leading zeros). */
  readonly authorityCertSerialNumber?: string;
}

export interface IssuingDistributionPoint {
  readonly distributionPoint?: DistributionPointName;
  readonly onlyContainsUserCerts: boolean;
  readonly onlyContainsCACerts: boolean;
  /** ReasonFlag mask; absent means all reasons. */
  readonly onlySomeReasons?: number;
  readonly indirectCrl: boolean;
  readonly onlyContainsAttributeCerts: boolean;
}

/** The decoded extensions a certificate may carry; a field is absent when the extension is. */
export interface CertificateExtensions {
  readonly basicConstraints?: BasicConstraints;
  /** KeyUsage mask. */
  readonly keyUsage?: number;
  readonly extKeyUsage?: readonly string[];
  readonly subjectAltName?: readonly GeneralName[];
  readonly nameConstraints?: NameConstraints;
  readonly certificatePolicies?: readonly PolicyInformation[];
  readonly policyMappings?: readonly PolicyMapping[];
  readonly policyConstraints?: PolicyConstraints;
  readonly inhibitAnyPolicy?: number;
  readonly crlDistributionPoints?: readonly DistributionPoint[];
  readonly freshestCrl?: readonly DistributionPoint[];
  readonly authorityInfoAccess?: readonly AccessDescription[];
  readonly authorityKeyIdentifier?: AuthorityKeyIdentifier;
  readonly subjectKeyIdentifier?: Uint8Array;
}

/** A Name used where a GeneralName directoryName is expected. */
export type DirectoryName = Name;
