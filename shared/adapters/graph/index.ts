/**
 * The Graph gateway: every Graph and Intune call the pipeline makes, behind the ports of shared/ports.ts.
 *
 * Versions, per resource (each module says why): users, users/delta, subscriptions, sendMail, managed devices,
 * syncDevice and report export jobs on v1.0; userPfxCertificates, certificate profiles and their states,
 * mobile app configurations and sendCustomNotificationToCompanyPortal on beta, where alone they exist.
 */
import type { GraphGateway } from "../../ports.ts";
import { appConfigurations } from "./app-configurations.ts";
import {
  allCertificateStates,
  certificateProfiles,
  certificateStates,
  pfxCertificates,
} from "./certificates.ts";
import { notifyCompanyPortal, syncDevice, userDevices } from "./devices.ts";
import { downloadExport, getExport, startExport } from "./export-jobs.ts";
import { sendMail } from "./mail.ts";
import { subscriptions } from "./subscriptions.ts";
import { GraphTransport, type GraphTransportOptions } from "./transport.ts";
import { directory } from "./users.ts";

export {
  DEMO_TENANT_TOKEN,
  type GraphCredentialOptions,
  graphCredential,
  staticToken,
} from "./credential.ts";
export {
  DeltaExpiredError,
  GraphPayloadError,
  GraphRequestError,
  GraphUnavailableError,
} from "./errors.ts";
export type { GraphTransportOptions } from "./transport.ts";

export interface GraphGatewayOptions extends GraphTransportOptions {
  /** Waiting for an export's ZIP to start arriving. Default 60 s. */
  readonly downloadTimeoutMs?: number;
}

/** Builds the gateway; one per process, so that its semaphore and throttle pause cover every call. */
export function createGraphGateway(options: GraphGatewayOptions): GraphGateway {
  const transport = new GraphTransport(options);
  return {
    ...directory(transport, (sender, body) => sendMail(transport, sender, body)),
    ...subscriptions(transport),
    pfxCertificates: () => pfxCertificates(transport),
    certificateProfiles: () => certificateProfiles(transport),
    certificateStates: (profile) => certificateStates(transport, profile),
    allCertificateStates: () => allCertificateStates(transport),
    startExport: (request) => startExport(transport, request),
    getExport: (jobId) => getExport(transport, jobId),
    downloadExport: (url) => downloadExport(url, options.downloadTimeoutMs ?? 60_000),
    appConfigurations: () => appConfigurations(transport),
    userDevices: (userId) => userDevices(transport, userId),
    syncDevice: (deviceId) => syncDevice(transport, deviceId),
    notifyCompanyPortal: (deviceId, notice) => notifyCompanyPortal(transport, deviceId, notice),
  };
}
