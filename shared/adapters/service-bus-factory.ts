/**
 * Builds the Service Bus adapter from the Functions app's settings: a connection string, or the namespace
 * with the managed identity (`ServiceBusConnection__fullyQualifiedNamespace`, as the Functions host reads it).
 * Synchronous on purpose: the runtime is assembled on a function's first invocation, and the SDK's clients
 * connect lazily on first send.
 */
import type { TokenCredential } from "@azure/identity";
import { ServiceBusAdministrationClient, ServiceBusClient } from "@azure/service-bus";
import type { ServiceBusSettings } from "../config.ts";
import { createServiceBusBus, type ServiceBusBus } from "./service-bus.ts";

export function createServiceBusBusForSettings(
  settings: ServiceBusSettings,
  credential: () => TokenCredential,
): ServiceBusBus {
  if (settings.kind === "connectionString") {
    return createServiceBusBus({
      client: new ServiceBusClient(settings.connectionString),
      administration: new ServiceBusAdministrationClient(settings.connectionString),
      ownsClient: true,
    });
  }
  const identity = credential();
  return createServiceBusBus({
    client: new ServiceBusClient(settings.fullyQualifiedNamespace, identity),
    administration: new ServiceBusAdministrationClient(settings.fullyQualifiedNamespace, identity),
    ownsClient: true,
  });
}
