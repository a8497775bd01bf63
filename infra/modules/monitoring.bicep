// Log Analytics and a workspace-based Application Insights that accepts Entra ID authenticated telemetry only
// (the app sends with its managed identity, which rbac.bicep makes a Monitoring Metrics Publisher).
param logAnalyticsName string
param applicationInsightsName string
param location string
param tags object = {}
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

output workspaceId string = workspace.id
output applicationInsightsId string = appInsights.id
output applicationInsightsName string = appInsights.name
output connectionString string = appInsights.properties.ConnectionString
