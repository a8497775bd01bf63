/**
 * The credential the Graph gateway authenticates with, chosen from what the settings provide:
 * - the demo tenant on loopback accepts any bearer token, so local mode sends a fixed one and needs no sign-in;
 * - a client certificate (a PEM path, e.g. a Key Vault certificate mounted for the app) or a client secret
 *   (from a Key Vault reference), for an app registration outside Azure;
 * - otherwise the Function App's managed identity (user-assigned when its client id is given).
 * Secrets arrive as values here; none is ever written in code, a log or an error message.
 */
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from "@azure/identity";

export interface GraphCredentialOptions {
  readonly baseUrl: string;
  readonly tenantId?: string;
  /** The app registration's client id (for a secret or a certificate). */
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly clientCertificatePath?: string;
  /** A user-assigned managed identity's client id; absent for the system-assigned one. */
  readonly managedIdentityClientId?: string;
}

/** The fixed token local mode sends the demo tenant. */
export const DEMO_TENANT_TOKEN = "demo-tenant-token";

export function graphCredential(options: GraphCredentialOptions): TokenCredential {
  if (isLoopback(options.baseUrl)) return staticToken(DEMO_TENANT_TOKEN);
  const { tenantId, clientId } = options;
  if (options.clientCertificatePath || options.clientSecret) {
    if (!tenantId || !clientId) {
      throw new Error(
        "Graph credential: GRAPH_TENANT_ID and GRAPH_CLIENT_ID are required with a client secret or certificate",
      );
    }
    if (options.clientCertificatePath) {
      return new ClientCertificateCredential(tenantId, clientId, {
        certificatePath: options.clientCertificatePath,
      });
    }
    return new ClientSecretCredential(tenantId, clientId, options.clientSecret ?? "");
  }
  return options.managedIdentityClientId
    ? new ManagedIdentityCredential({ clientId: options.managedIdentityClientId })
    : new ManagedIdentityCredential();
}

/** A credential that always answers the same token (the demo tenant, tests). */
export function staticToken(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Number.MAX_SAFE_INTEGER }) };
}

function isLoopback(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname.replace(/^\[(.*)\]$/, "$1");
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}
