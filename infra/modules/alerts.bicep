// Alert rules and the action group they mail. The log alerts read the app's log lines in Application Insights
// `traces`: shared/adapters/logger.ts writes one JSON object per line to stdout, which the Functions host records
// with the JSON text as `message`; a line sent through OpenTelemetry instead arrives with its message as
// `message` and its fields in `customDimensions`. Each query reads either shape and matches the message exactly.
param namePrefix string
param location string
param tags object = {}
param alertEmail string
param serviceBusNamespaceId string
param applicationInsightsId string

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-ops'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'smime-ops'
    enabled: true
    emailReceivers: [
      {
        name: 'ops'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// Any message in any queue's dead-letter queue: a poison message, or one that failed maxDeliveryCount times.
resource deadLetters 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-dead-letters'
  location: 'global'
  tags: tags
  properties: {
    description: 'A queue has dead-lettered messages: read their reason on the dashboard or with Service Bus Explorer, fix, and resubmit.'
    severity: 2
    enabled: true
    scopes: [serviceBusNamespaceId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'deadLettered'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: ['*']
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// Function executions that failed (exceptions, or a handler that threw and will be retried) in the last 15 minutes.
resource functionFailures 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-function-failures'
  location: 'global'
  tags: tags
  properties: {
    description: 'Function invocations are failing. Application Insights > Failures shows which function and why.'
    severity: 2
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'failedRequests'
          metricNamespace: 'microsoft.insights/components'
          metricName: 'requests/failed'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Count'
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// A CRL endpoint that has been unreachable for an hour or more. checkCrls runs hourly; for every endpoint still
// down it logs the line {"message":"crl.unreachable","url":…,"since":…,"reason":…} (since = the outage start).
resource crlUnreachable 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-crl-unreachable'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'CRL endpoint unreachable for an hour'
    description: 'Exchange Online and Outlook fail revocation checks against this CRL: certificates it covers stop validating. Check the CA\'s CDP.'
    severity: 1
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT2H'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: '''
traces
| where message contains 'crl.unreachable'
| extend json = message startswith '{'
| extend line = iff(json, parse_json(message), customDimensions)
| extend event = iff(json, tostring(line.message), message)
| where event == 'crl.unreachable'
| extend url = tostring(line.url), since = todatetime(line.since)
| summarize since = min(since), lastSeen = max(timestamp) by url
| where since <= ago(1h)
'''
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'url'
              operator: 'Include'
              values: ['*']
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: { actionGroups: [actionGroup.id] }
  }
}

// Users whose working S/MIME certificate ends within 7 days with no successor delivered (shared/domain/
// continuity.ts). scanExpiry runs daily and logs, per such user and purpose, the line
// {"message":"smime.continuityAtRisk","userId":…,"upn":…,"purpose":…,"thumbprint":…,"notAfter":…,"daysLeft":…}.
resource continuityAtRisk 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-smime-continuity'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Users losing S/MIME within 7 days with no replacement'
    description: 'Re-provision these users (POST /api/admin/reprovision) or check the Intune PFX import for them.'
    severity: 2
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT6H'
    windowSize: 'P1D'
    autoMitigate: false
    muteActionsDuration: 'P1D'
    criteria: {
      allOf: [
        {
          query: '''
traces
| where message contains 'smime.continuityAtRisk'
| extend json = message startswith '{'
| extend line = iff(json, parse_json(message), customDimensions)
| extend event = iff(json, tostring(line.message), message)
| where event == 'smime.continuityAtRisk' and toint(line.daysLeft) <= 7
| summarize users = dcount(tostring(line.userId))
'''
          timeAggregation: 'Total'
          metricMeasureColumn: 'users'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: { actionGroups: [actionGroup.id] }
  }
}

output actionGroupId string = actionGroup.id
