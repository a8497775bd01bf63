/**
 * What the demo tenant serves, as the routes see it: collections that can be paged by offset without
 * holding them whole (the 100,000-certificate generator computes each page on demand), plus the few
 * lookups the routes need. The demo dataset and the generator both implement it.
 */

/** One Graph entity as JSON (the shapes follow Microsoft's Graph documentation, property for property). */
export type GraphItem = Record<string, unknown>;

/** A collection in a fixed order, read a page at a time. */
export interface Collection {
  readonly count: number;
  slice(offset: number, limit: number): GraphItem[];
}

/** The columns of Intune's `AllDeviceCertificates` export report, in the order the CSV carries them. */
export const ALL_DEVICE_CERTIFICATES_COLUMNS = [
  "CertificateStatus",
  "DeviceId",
  "DeviceName",
  "EnhancedKeyUsage",
  "IssuerName",
  "KeyUsage",
  "PolicyId",
  "SerialNumber",
  "SubjectName",
  "Thumbprint",
  "UPN",
  "UserId",
  "ValidFrom",
  "ValidTo",
] as const;
export type ExportRow = Readonly<Record<(typeof ALL_DEVICE_CERTIFICATES_COLUMNS)[number], string>>;

export interface TenantData {
  readonly tenantId: string;
  /** Directory users as they were when the tenant started (changes are laid over them by the directory). */
  readonly users: Collection;
  findUser(idOrUpn: string): GraphItem | undefined;
  /** beta `deviceManagement/userPfxCertificates`. */
  readonly pfxCertificates: Collection;
  /** `deviceManagement/deviceConfigurations`: certificate profiles and a few unrelated ones. */
  readonly deviceConfigurations: readonly GraphItem[];
  /** A profile's `managedDeviceCertificateStates`; undefined for a profile that has none. */
  certificateStates(profileId: string): Collection | undefined;
  /** beta `deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates`: every profile's, with UPN. */
  readonly allCertificateStates: Collection;
  readonly managedDevices: Collection;
  findDevice(id: string): GraphItem | undefined;
  /** A user's devices (`users/{id}/managedDevices`), by user id. */
  devicesOf(userId: string): GraphItem[];
  /** `deviceAppManagement/mobileAppConfigurations`. */
  readonly mobileAppConfigurations: readonly GraphItem[];
  /** The `AllDeviceCertificates` report, row by row (lazily: the generator's has 100,000 rows). */
  exportRows(): Iterable<ExportRow>;
  /** Takes a user's certificates out of Intune (PFX and device states); false when the data cannot. */
  removeCertificatesOf(userPrincipalName: string): boolean;
}

/**
 * X.509 key usage as the integer `managedAllDeviceCertificateState.certificateKeyUsages` carries (the .NET
 * X509KeyUsageFlags values Intune reports).
 */
export const KEY_USAGE_BITS = {
  digitalSignature: 128,
  nonRepudiation: 64,
  keyEncipherment: 32,
  keyAgreement: 8,
} as const;

/** A fixed array as a Collection. */
export function arrayCollection(items: () => readonly GraphItem[]): Collection {
  return {
    get count() {
      return items().length;
    },
    slice: (offset, limit) => items().slice(offset, offset + limit),
  };
}

/** The user properties Graph returns when no `$select` is given (proxyAddresses and accountEnabled are not). */
export const USER_DEFAULT_PROPERTIES = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
] as const;

/** Every user property the demo tenant knows; `$select` of another is answered 400 like Graph does. */
export const USER_PROPERTIES: ReadonlySet<string> = new Set([
  ...USER_DEFAULT_PROPERTIES,
  "accountEnabled",
  "proxyAddresses",
  "createdDateTime",
  "userType",
  "onPremisesSyncEnabled",
]);
