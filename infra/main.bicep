// smime-lifecycle on Azure: `azd up` deploys this template, then the app (azure.yaml). One resource group with
// the Function App (Flex Consumption, Node 22), its user-assigned identity, Storage, Service Bus, Key Vault,
// Log Analytics + Application Insights, the role assignments, the alert rules and the workbook.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('azd environment name; names and tags every resource.')
param environmentName string

@minLength(1)
@description('Azure region (one that offers Flex Consumption: az functionapp list-flexconsumption-locations).')
param location string

@description('Where alerts are mailed.')
param alertEmail string

@secure()
@minLength(16)
@description('The Graph change-notification clientState (a random string; stored in Key Vault).')
param graphClientState string

@description('The Entra tenant the pipeline reads users and Intune from. Default: the deployment\'s tenant.')
param graphTenantId string = tenant().tenantId

@description('The tenant that issues the admin API\'s bearer tokens. Default: the deployment\'s tenant.')
param authTenantId string = tenant().tenantId

@description('The admin API app registration\'s Application ID URI or client id (the tokens\' audience).')
param authAudience string

@allowed(['companyPortal', 'email', 'both'])
param notifyChannel string = 'companyPortal'

@description('The mailbox e-mail notices are sent from (required for email and both).')
param mailSender string = ''

param expiryThresholdsDays string = '30,14,7,1'

@description('Record notices without sending them.')
@allowed(['true', 'false'])
param dryRun string = 'false'

@description('The trust store blob (the .sst given to Set-SmimeConfig -SMIMECertificateIssuingCA) in the trust-store container.')
param trustStoreBlobName string = 'trust-store.sst'

@description('Overrides the trust store location (a file path in the package, or another blob URL the identity can read); empty: the blob above.')
param trustStorePath string = ''

@description('The organisation\'s LDAP directory (ldaps://…); empty for none.')
param ldapUrl string = ''
param ldapBaseDn string = ''
param ldapBindDn string = ''
@secure()
param ldapBindPassword string = ''

var tags = { 'azd-env-name': environmentName, application: 'smime-lifecycle' }
var token = toLower(uniqueString(subscription().id, environmentName, location))
var prefix = 'smime-${take(environmentName, 20)}'
var deploymentContainerName = 'deployment-package'
var trustStoreContainerName = 'trust-store'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  name: 'identity'
  params: { name: 'id-${prefix}', location: location, tags: tags }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  name: 'storage'
  params: {
    name: 'st${token}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    trustStoreContainerName: trustStoreContainerName
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  scope: rg
  name: 'servicebus'
  params: { name: 'sb-${prefix}-${token}', location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${prefix}'
    applicationInsightsName: 'appi-${prefix}'
    location: location
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  scope: rg
  name: 'keyvault'
  params: {
    name: 'kv${take(token, 20)}'
    location: location
    tags: tags
    graphClientState: graphClientState
    ldapBindPassword: ldapBindPassword
  }
}

module rbac 'modules/rbac.bicep' = {
  scope: rg
  name: 'rbac'
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    trustStoreContainerName: trustStoreContainerName
    serviceBusNamespaceName: serviceBus.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module functionApp 'modules/functionapp.bicep' = {
  scope: rg
  name: 'functionapp'
  dependsOn: [rbac]
  params: {
    name: 'func-${prefix}-${token}'
    planName: 'plan-${prefix}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    clientStateSecretUri: keyVault.outputs.clientStateSecretUri
    ldapBindPasswordSecretUri: keyVault.outputs.ldapBindPasswordSecretUri
    trustStorePath: empty(trustStorePath)
      ? '${storage.outputs.blobEndpoint}${trustStoreContainerName}/${trustStoreBlobName}'
      : trustStorePath
    graphTenantId: graphTenantId
    authTenantId: authTenantId
    authAudience: authAudience
    notifyChannel: notifyChannel
    mailSender: mailSender
    expiryThresholdsDays: expiryThresholdsDays
    dryRun: dryRun
    ldapUrl: ldapUrl
    ldapBaseDn: ldapBaseDn
    ldapBindDn: ldapBindDn
  }
}

module alerts 'modules/alerts.bicep' = {
  scope: rg
  name: 'alerts'
  params: {
    namePrefix: prefix
    location: location
    tags: tags
    alertEmail: alertEmail
    serviceBusNamespaceId: serviceBus.outputs.id
    applicationInsightsId: monitoring.outputs.applicationInsightsId
  }
}

module workbook 'modules/workbook.bicep' = {
  scope: rg
  name: 'workbook'
  params: {
    name: '${prefix}-operations'
    displayName: 'S/MIME lifecycle (${environmentName})'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    serviceBusNamespaceId: serviceBus.outputs.id
  }
}

// azd writes these into the environment (.azure/<env>/.env); the README's steps use them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_TRUST_STORE_CONTAINER string = trustStoreContainerName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_SERVICE_BUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
