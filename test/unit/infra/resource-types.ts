/**
 * The resource types the templates may declare, each at the one API version allowed, with why the resource is
 * there. A new resource or a version bump is a deliberate edit here: look the version up in the ARM template
 * reference (https://learn.microsoft.com/azure/templates/) and prefer the newest GA (non-preview) one.
 */
export const ALLOWED_RESOURCE_TYPES: Readonly<
  Record<string, { readonly apiVersion: string; readonly why: string }>
> = {
  "Microsoft.Resources/resourceGroups": {
    apiVersion: "2024-03-01",
    why: "azd's subscription-scope template creates the environment's resource group",
  },
  "Microsoft.ManagedIdentity/userAssignedIdentities": {
    apiVersion: "2023-01-31",
    why: "the one identity the Function App uses for storage, Service Bus, Key Vault, App Insights and Graph",
  },
  "Microsoft.Storage/storageAccounts": {
    apiVersion: "2025-06-01",
    why: "the Functions host's storage, the deployment package, the trust store blob and the pipeline's tables; shared keys off",
  },
  "Microsoft.Storage/storageAccounts/blobServices": {
    apiVersion: "2025-06-01",
    why: "parent of the blob containers",
  },
  "Microsoft.Storage/storageAccounts/blobServices/containers": {
    apiVersion: "2025-06-01",
    why: "the Flex Consumption deployment package container and the trust store container",
  },
  "Microsoft.ServiceBus/namespaces": {
    apiVersion: "2026-01-01",
    why: "Service Bus Standard (sessions and duplicate detection need Standard); local auth off",
  },
  "Microsoft.ServiceBus/namespaces/queues": {
    apiVersion: "2026-01-01",
    why: "certificate-events, notifications, reprovision as shared/contracts/queues.ts defines them",
  },
  "Microsoft.OperationalInsights/workspaces": {
    apiVersion: "2025-07-01",
    why: "the Log Analytics workspace behind Application Insights, queried by the log alerts and the workbook",
  },
  "Microsoft.Insights/components": {
    apiVersion: "2020-02-02",
    why: "Application Insights: OpenTelemetry traces and metrics, the Functions host's logs (traces, requests)",
  },
  "Microsoft.KeyVault/vaults": {
    apiVersion: "2025-05-01",
    why: "RBAC-mode vault for the Graph clientState and the LDAP bind password, read through Key Vault references",
  },
  "Microsoft.KeyVault/vaults/secrets": {
    apiVersion: "2025-05-01",
    why: "the secrets themselves (graph-client-state, ldap-bind-password)",
  },
  "Microsoft.Web/serverfarms": {
    apiVersion: "2024-11-01",
    why: "the Flex Consumption plan (FC1)",
  },
  "Microsoft.Web/sites": {
    apiVersion: "2024-11-01",
    why: "the Function App; functionAppConfig (runtime, deployment storage, scale) needs 2023-12-01 or later",
  },
  "Microsoft.Web/sites/config": {
    apiVersion: "2024-11-01",
    why: "the app settings, whose names are shared/config.ts's",
  },
  "Microsoft.Authorization/roleAssignments": {
    apiVersion: "2022-04-01",
    why: "the identity's data-plane roles, all in modules/rbac.bicep",
  },
  "Microsoft.Insights/actionGroups": {
    apiVersion: "2023-01-01",
    why: "where the alert rules send mail",
  },
  "Microsoft.Insights/metricAlerts": {
    apiVersion: "2018-03-01",
    why: "dead letters > 0 (Service Bus DeadletteredMessages) and function failures (App Insights requests/failed)",
  },
  "Microsoft.Insights/scheduledQueryRules": {
    apiVersion: "2023-12-01",
    why: "log alerts on the app's JSON log lines: a CRL endpoint down for an hour, users losing S/MIME within 7 days",
  },
  "Microsoft.Insights/workbooks": {
    apiVersion: "2023-06-01",
    why: "the operations workbook with the dashboard's views",
  },
};
