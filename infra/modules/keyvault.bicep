// Key Vault in RBAC mode for the pipeline's secrets: the Graph change-notification clientState and, when the
// organisation's LDAP directory needs a bind, its password. The app reads them through Key Vault references
// with its user-assigned identity (Key Vault Secrets User, granted in rbac.bicep). Graph itself is reached
// with the managed identity, so no Graph client secret exists to store.
param name string
param location string
param tags object = {}
@secure()
param graphClientState string
@secure()
param ldapBindPassword string = ''

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    // Soft delete only: purge protection would keep the name for 90 days after `azd down --purge`.
    softDeleteRetentionInDays: 90
    publicNetworkAccess: 'Enabled'
  }
}

resource clientState 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'graph-client-state'
  properties: { value: graphClientState }
}

resource ldapPassword 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(ldapBindPassword)) {
  parent: vault
  name: 'ldap-bind-password'
  properties: { value: ldapBindPassword }
}

output id string = vault.id
output name string = vault.name
output clientStateSecretUri string = clientState.properties.secretUri
output ldapBindPasswordSecretUri string = empty(ldapBindPassword) ? '' : ldapPassword.properties.secretUri
