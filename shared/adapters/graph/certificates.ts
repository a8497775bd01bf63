/**
 * What Intune knows of certificates. All beta: `userPfxCertificates`, the certificate profile types
 * (iosPkcsCertificateProfile and the rest) and their `managedDeviceCertificateStates` exist only in beta
 * (Microsoft supports Intune's beta APIs; there is no v1.0 equivalent to fall back on).
 */

import { z } from "zod";
import {
  CertificateProfile,
  DEVICE_CONFIGURATION_SELECT,
  isSmimeCertificateProfileType,
  MANAGED_ALL_DEVICE_CERTIFICATE_STATE_SELECT,
  MANAGED_DEVICE_CERTIFICATE_STATE_SELECT,
  ManagedAllDeviceCertificateState,
  ManagedDeviceCertificateState,
  USER_PFX_CERTIFICATE_SELECT,
  UserPfxCertificate,
} from "../../contracts/graph.ts";
import type { GraphPage } from "../../ports.ts";
import type { GraphCall, GraphTransport } from "./transport.ts";

const VERSION = "beta";

/** A deviceConfiguration as listed: only its type decides whether it is kept, so nothing else is required. */
const AnyDeviceConfiguration = z.looseObject({ "@odata.type": z.string().optional() });

export async function* pages<T>(
  transport: GraphTransport,
  call: GraphCall,
  schema: z.ZodType<T>,
): AsyncGenerator<GraphPage<T>> {
  for await (const page of transport.pages(call, schema))
    yield { items: page.items, rejected: page.rejected };
}

export function pfxCertificates(transport: GraphTransport): AsyncIterable<GraphPage<UserPfxCertificate>> {
  const call = {
    method: "GET",
    version: VERSION,
    path: "deviceManagement/userPfxCertificates",
    select: USER_PFX_CERTIFICATE_SELECT,
    resource: "userPfxCertificates",
  } as const;
  return pages(transport, call, UserPfxCertificate);
}

/**
 * The S/MIME-capable profiles among all device configurations. Graph's `isof` filter is not reliable on this
 * collection, so the types are picked here; the collection is small (profiles, not devices).
 */
export async function certificateProfiles(transport: GraphTransport): Promise<CertificateProfile[]> {
  const call = {
    method: "GET",
    version: VERSION,
    path: "deviceManagement/deviceConfigurations",
    select: DEVICE_CONFIGURATION_SELECT,
    resource: "deviceConfigurations",
  } as const;
  const profiles: CertificateProfile[] = [];
  for await (const page of transport.pages(call, AnyDeviceConfiguration)) {
    for (const item of page.items) {
      if (!isSmimeCertificateProfileType(item["@odata.type"])) continue;
      const parsed = CertificateProfile.safeParse(item);
      if (parsed.success) profiles.push(parsed.data);
    }
    // An item too broken to read even its type cannot be a profile this pipeline can use; skip it like the rest.
  }
  return profiles;
}

export function certificateStates(
  transport: GraphTransport,
  profile: CertificateProfile,
): AsyncIterable<GraphPage<ManagedDeviceCertificateState>> {
  // The states hang off the derived type, so the path casts to it (Graph's documented form).
  const cast = profile.odataType.replace(/^#/, "");
  const call = {
    method: "GET",
    version: VERSION,
    path: `deviceManagement/deviceConfigurations/${encodeURIComponent(profile.id)}/${cast}/managedDeviceCertificateStates`,
    select: MANAGED_DEVICE_CERTIFICATE_STATE_SELECT,
    resource: `managedDeviceCertificateStates of ${profile.displayName ?? profile.id}`,
  } as const;
  return pages(transport, call, ManagedDeviceCertificateState);
}

export function allCertificateStates(
  transport: GraphTransport,
): AsyncIterable<GraphPage<ManagedAllDeviceCertificateState>> {
  const call = {
    method: "GET",
    version: VERSION,
    path: "deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates",
    select: MANAGED_ALL_DEVICE_CERTIFICATE_STATE_SELECT,
    resource: "deviceConfigurationsAllManagedDeviceCertificateStates",
  } as const;
  return pages(transport, call, ManagedAllDeviceCertificateState);
}
