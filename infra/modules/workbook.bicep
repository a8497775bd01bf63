// The operations workbook: the dashboard's views as tiles over Application Insights and Service Bus metrics.
// workbook.json holds the tiles; the resource ids are filled in here.
param name string
param displayName string
param location string
param tags object = {}
param applicationInsightsId string
param serviceBusNamespaceId string

var content = replace(
  replace(loadTextContent('../workbook.json'), '__APP_INSIGHTS_ID__', applicationInsightsId),
  '__SERVICE_BUS_ID__',
  serviceBusNamespaceId
)

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, name)
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: content
  }
}

output id string = workbook.id
