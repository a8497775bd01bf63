/**
 * Outlook's app configuration policies: beta, because `androidManagedStoreAppConfiguration` exists only there
 * (iosMobileAppConfiguration is in both; one version keeps one listing). The listing asks `$select` for the
 * base properties; each iOS or Android policy is then read whole at its documented path
 * (`mobileAppConfigurations/{id}`), the one read without `$select`: the derived properties the audit needs
 * (settings, payloadJson) are not on the collection's declared type, so `$select` could not name them there,
 * and a policy is one small object.
 */
import {
  ANDROID_MANAGED_STORE_APP_CONFIGURATION_TYPE,
  AndroidManagedStoreAppConfiguration,
  IOS_MOBILE_APP_CONFIGURATION_TYPE,
  IosMobileAppConfiguration,
  MOBILE_APP_CONFIGURATION_SELECT,
  MobileAppConfigurationSummary,
} from "../../contracts/graph.ts";
import { parseBody } from "./parse.ts";
import type { GraphTransport } from "./transport.ts";

const VERSION = "beta";
const COLLECTION = "deviceAppManagement/mobileAppConfigurations";

const KINDS = {
  [IOS_MOBILE_APP_CONFIGURATION_TYPE]: {
    name: "iosMobileAppConfiguration",
    schema: IosMobileAppConfiguration,
  },
  [ANDROID_MANAGED_STORE_APP_CONFIGURATION_TYPE]: {
    name: "androidManagedStoreAppConfiguration",
    schema: AndroidManagedStoreAppConfiguration,
  },
} as const;

export type AppConfiguration = IosMobileAppConfiguration | AndroidManagedStoreAppConfiguration;

export async function appConfigurations(transport: GraphTransport): Promise<AppConfiguration[]> {
  const call = {
    method: "GET",
    version: VERSION,
    path: COLLECTION,
    select: MOBILE_APP_CONFIGURATION_SELECT,
    resource: "mobileAppConfigurations",
  } as const;
  const found: AppConfiguration[] = [];
  for await (const page of transport.pages(call, MobileAppConfigurationSummary)) {
    for (const summary of page.items) {
      const policy = await readPolicy(transport, summary.odataType, summary.id);
      if (policy) found.push(policy);
    }
  }
  return found;
}

async function readPolicy(
  transport: GraphTransport,
  odataType: string,
  id: string,
): Promise<AppConfiguration | undefined> {
  if (
    odataType !== IOS_MOBILE_APP_CONFIGURATION_TYPE &&
    odataType !== ANDROID_MANAGED_STORE_APP_CONFIGURATION_TYPE
  )
    return undefined;
  const kind = KINDS[odataType];
  const resource = `${kind.name} ${id}`;
  const res = await transport.send({
    method: "GET",
    version: VERSION,
    path: `${COLLECTION}/${encodeURIComponent(id)}`,
    resource,
    accept: [404],
  });
  // Deleted between the listing and the read: it no longer applies to anyone.
  if (res.status === 404) return undefined;
  return parseBody(kind.schema, resource, res.body);
}
