// The Function App on Flex Consumption (Node 22, Linux). Everything is reached with the user-assigned identity:
// the deployment package container, the host's storage, Tables, Service Bus, Key Vault references, Application
// Insights and Graph. The app settings' names are shared/config.ts's (test/unit/infra/bicep.test.ts checks).
param name string
param planName string
param location string
param tags object = {}
param identityId string
param identityClientId string
param storageAccountName string
param storageBlobEndpoint string
param storageTableEndpoint string
param deploymentContainerName string
param applicationInsightsConnectionString string
param serviceBusNamespace string
param clientStateSecretUri string
param ldapBindPasswordSecretUri string = ''
param trustStorePath string
param graphTenantId string
param authTenantId string
param authAudience string
param notifyChannel string
param mailSender string
param expiryThresholdsDays string
param dryRun string
param ldapUrl string = ''
param ldapBaseDn string = ''
param ldapBindDn string = ''
param maximumInstanceCount int = 40
param instanceMemoryMB int = 2048

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: { name: 'node', version: '22' }
    }
  }
}

var ldapSettings = empty(ldapUrl)
  ? {}
  : union(
      { LDAP_URL: ldapUrl, LDAP_BASE_DN: ldapBaseDn },
      empty(ldapBindDn)
        ? {}
        : {
            LDAP_BIND_DN: ldapBindDn
            LDAP_BIND_PASSWORD: '@Microsoft.KeyVault(SecretUri=${ldapBindPasswordSecretUri})'
          }
    )

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: union(
    {
      // The Functions host's own storage, by identity (Flex Consumption has no connection string).
      AzureWebJobsStorage__accountName: storageAccountName
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
      // The Service Bus trigger and the pipeline's sender, by identity.
      ServiceBusConnection__fullyQualifiedNamespace: serviceBusNamespace
      ServiceBusConnection__credential: 'managedidentity'
      ServiceBusConnection__clientId: identityClientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      TRUST_STORE_PATH: trustStorePath
      EXPIRY_THRESHOLDS_DAYS: expiryThresholdsDays
      NOTIFY_CHANNEL: notifyChannel
      MAIL_SENDER: mailSender
      DRY_RUN: dryRun
      GRAPH_TENANT_ID: graphTenantId
      // The managed identity's client id: the Graph gateway signs in as it.
      GRAPH_CLIENT_ID: identityClientId
      GRAPH_CLIENT_STATE: '@Microsoft.KeyVault(SecretUri=${clientStateSecretUri})'
      AUTH_TENANT_ID: authTenantId
      AUTH_AUDIENCE: authAudience
      LOG_LEVEL: 'info'
    },
    ldapSettings
  )
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
