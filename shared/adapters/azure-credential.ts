/**
 * The Entra credential Azure mode connects with: managed identity on the Function App (a user-assigned
 * one when a client id is given), and the developer's own sign-in (Azure CLI, azd, VS Code) elsewhere, so
 * the same settings work on a laptop pointed at a real namespace. No secret ever appears in a setting.
 */
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";

const credentials = new Map<string, TokenCredential>();

/** One credential per client id, per process: each caches its tokens. */
export function azureCredential(clientId?: string): TokenCredential {
  const key = clientId ?? "";
  let credential = credentials.get(key);
  if (!credential) {
    credential = new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
    credentials.set(key, credential);
  }
  return credential;
}
