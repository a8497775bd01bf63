// Service Bus Standard with the pipeline's three queues. The queue settings are those of
// shared/contracts/queues.ts (test/unit/infra/bicep.test.ts compares the two): sessions keep one user's
// events in order, duplicate detection drops a message id seen again within the window, and a message
// that fails maxDeliveryCount times goes to the dead-letter queue with its reason.
param name string
param location string
param tags object = {}

var queues = [
  {
    name: 'certificate-events'
    requiresSession: true
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
  }
  {
    name: 'notifications'
    requiresSession: false
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
  }
  {
    name: 'reprovision'
    requiresSession: false
    requiresDuplicateDetection: false
    maxDeliveryCount: 10
    lockDuration: 'PT5M'
  }
]

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' = [
  for q in queues: {
    parent: namespace
    name: q.name
    properties: union(
      {
        requiresSession: q.requiresSession
        requiresDuplicateDetection: q.requiresDuplicateDetection
        maxDeliveryCount: q.maxDeliveryCount
        lockDuration: q.lockDuration
        deadLetteringOnMessageExpiration: true
        defaultMessageTimeToLive: 'P14D'
        enablePartitioning: false
      },
      q.requiresDuplicateDetection ? { duplicateDetectionHistoryTimeWindow: q.?duplicateDetectionHistoryTimeWindow } : {}
    )
  }
]

output id string = namespace.id
output name string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
