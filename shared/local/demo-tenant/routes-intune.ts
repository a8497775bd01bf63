/**
 * Intune routes: PFX certificates (beta), certificate profiles and their per-device certificate states
 * (beta, under the profile's type cast as Graph documents: `deviceConfigurations/{id}/microsoft.graph.
 * iosScepCertificateProfile/managedDeviceCertificateStates`), managed devices and their `syncDevice` and
 * `sendCustomNotificationToCompanyPortal` (beta) actions, app configuration policies, and report export jobs.
 */
import { z } from "zod";
import type { GraphItem } from "./model.ts";
import { graphError, type Reply } from "./odata.ts";
import { entityReply, listReply, type Request, type Route, type World } from "./world.ts";

function notFound(request: Request, what: string, id: string): Reply {
  return graphError(
    404,
    "ResourceNotFound",
    `No ${what} with id '${id}' exists in the demo tenant.`,
    request.now,
  );
}

/** Types Graph serves only under /beta: left out of /v1.0 listings. */
const BETA_ONLY_TYPES = new Set(["#microsoft.graph.androidManagedStoreAppConfiguration"]);

function forVersion(request: Request, items: readonly GraphItem[]): GraphItem[] {
  return request.version === "beta"
    ? [...items]
    : items.filter((i) => !BETA_ONLY_TYPES.has(String(i["@odata.type"])));
}

function fixed(items: readonly GraphItem[]) {
  return { count: items.length, slice: (o: number, l: number) => items.slice(o, o + l) };
}

const pfxCertificates: Route = {
  method: "GET",
  path: /^deviceManagement\/userPfxCertificates$/,
  betaOnly: true,
  handle: (world, request) =>
    listReply(world, request, "deviceManagement/userPfxCertificates", world.data.pfxCertificates),
};

const allCertificateStates: Route = {
  method: "GET",
  path: /^deviceManagement\/deviceConfigurationsAllManagedDeviceCertificateStates$/,
  betaOnly: true,
  handle: (world, request) =>
    listReply(
      world,
      request,
      "deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates",
      world.data.allCertificateStates,
    ),
};

const configurations: Route = {
  method: "GET",
  path: /^deviceManagement\/deviceConfigurations$/,
  handle: (world, request) =>
    listReply(
      world,
      request,
      "deviceManagement/deviceConfigurations",
      fixed(world.data.deviceConfigurations),
    ),
};

const configuration: Route = {
  method: "GET",
  path: /^deviceManagement\/deviceConfigurations\/([^/]+)$/,
  handle(world, request, [id]) {
    const item = world.data.deviceConfigurations.find((c) => c.id === id);
    return item
      ? entityReply(request, "deviceManagement/deviceConfigurations", item)
      : notFound(request, "deviceConfiguration", id ?? "");
  },
};

const certificateStates: Route = {
  method: "GET",
  path: /^deviceManagement\/deviceConfigurations\/([^/]+)\/(?:microsoft\.graph\.([A-Za-z0-9]+)\/)?managedDeviceCertificateStates$/,
  betaOnly: true,
  handle(world, request, [id, cast]) {
    const profile = world.data.deviceConfigurations.find((c) => c.id === id);
    if (!profile) return notFound(request, "deviceConfiguration", id ?? "");
    // A cast to another type addresses nothing, as in Graph.
    if (cast && profile["@odata.type"] !== `#microsoft.graph.${cast}`)
      return notFound(request, cast, id ?? "");
    const states = world.data.certificateStates(id ?? "");
    if (!states)
      return graphError(
        400,
        "BadRequest",
        "Resource not found for the segment 'managedDeviceCertificateStates'.",
        request.now,
      );
    return listReply(
      world,
      request,
      `deviceManagement/deviceConfigurations('${id}')/managedDeviceCertificateStates`,
      states,
    );
  },
};

const devices: Route = {
  method: "GET",
  path: /^deviceManagement\/managedDevices$/,
  handle: (world, request) =>
    listReply(world, request, "deviceManagement/managedDevices", world.data.managedDevices),
};

const device: Route = {
  method: "GET",
  path: /^deviceManagement\/managedDevices\/([^/]+)$/,
  handle(world, request, [id]) {
    const item = world.data.findDevice(id ?? "");
    return item
      ? entityReply(request, "deviceManagement/managedDevices", item)
      : notFound(request, "managedDevice", id ?? "");
  },
};

const syncDevice: Route = {
  method: "POST",
  path: /^deviceManagement\/managedDevices\/([^/]+)\/syncDevice$/,
  async handle(world, request, [id]) {
    if (!world.data.findDevice(id ?? "")) return notFound(request, "managedDevice", id ?? "");
    world.outbox.add({ kind: "syncDevice", at: request.now.toISOString(), deviceId: id ?? "" });
    // The device checks in and Intune delivers what it lacks (device-installs.ts), now or a little later.
    await world.installs?.synced(id ?? "");
    return { status: 204 };
  },
};

const CompanyPortalNotice = z.object({
  notificationTitle: z.string().min(1).max(250),
  notificationBody: z.string().min(1).max(500),
});

const companyPortal: Route = {
  method: "POST",
  path: /^deviceManagement\/managedDevices\/([^/]+)\/sendCustomNotificationToCompanyPortal$/,
  betaOnly: true,
  handle(world, request, [id]) {
    const found = world.data.findDevice(id ?? "");
    if (!found) return notFound(request, "managedDevice", id ?? "");
    const parsed = CompanyPortalNotice.safeParse(request.body);
    if (!parsed.success)
      return graphError(
        400,
        "BadRequest",
        "notificationTitle and notificationBody are required.",
        request.now,
      );
    world.outbox.add({
      kind: "companyPortal",
      at: request.now.toISOString(),
      deviceId: id ?? "",
      userPrincipalName: String(found.userPrincipalName),
      ...parsed.data,
    });
    return { status: 204 };
  },
};

const appConfigurations: Route = {
  method: "GET",
  path: /^deviceAppManagement\/mobileAppConfigurations$/,
  handle: (world, request) =>
    listReply(
      world,
      request,
      "deviceAppManagement/mobileAppConfigurations",
      fixed(forVersion(request, world.data.mobileAppConfigurations)),
    ),
};

const appConfiguration: Route = {
  method: "GET",
  path: /^deviceAppManagement\/mobileAppConfigurations\/([^/]+)$/,
  handle(world, request, [id]) {
    const item = forVersion(request, world.data.mobileAppConfigurations).find((c) => c.id === id);
    return item
      ? entityReply(request, "deviceAppManagement/mobileAppConfigurations", item)
      : notFound(request, "mobileAppConfiguration", id ?? "");
  },
};

const createExport: Route = {
  method: "POST",
  path: /^deviceManagement\/reports\/exportJobs$/,
  handle: (world: World, request) => world.exports.create(request.body),
};

const getExport: Route = {
  method: "GET",
  path: /^deviceManagement\/reports\/exportJobs(?:\('([^']+)'\)|\/([^/]+))$/,
  handle: (world, _request, [quoted, plain]) => world.exports.get(decodeURIComponent(quoted || plain || "")),
};

export const intuneRoutes: readonly Route[] = [
  pfxCertificates,
  allCertificateStates,
  configurations,
  certificateStates,
  configuration,
  devices,
  syncDevice,
  companyPortal,
  device,
  appConfigurations,
  appConfiguration,
  createExport,
  getExport,
];
