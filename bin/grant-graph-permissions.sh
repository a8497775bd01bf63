#!/usr/bin/env sh
# Grants the pipeline's managed identity the Microsoft Graph application permissions it needs
# (README.md "Graph permissions", infra/README.md step 5; test/unit/infra/graph-permissions.test.ts keeps the three equal). Idempotent: permissions already granted are left alone.
#
# Usage: bin/grant-graph-permissions.sh [principal-object-id]
#   The principal defaults to AZURE_MANAGED_IDENTITY_PRINCIPAL_ID from the azd environment (azd env get-values).
#   Needs: az CLI signed in (az login) as a Privileged Role Administrator or Global Administrator of the tenant
#   (granting application permissions is an admin consent).
#   DRY_RUN=1 prints what would be granted.
set -eu

GRAPH_APP_ID=00000003-0000-0000-c000-000000000000

# permission — why the pipeline needs it
PERMISSIONS='
User.Read.All|syncUsers (users, users/delta), the users change-notification subscription, readiness by UPN
DeviceManagementConfiguration.Read.All|certificate profiles and per-device certificate states, imported PFX certificates (userPfxCertificates), the Intune certificate report export
DeviceManagementManagedDevices.Read.All|users/{id}/managedDevices: which iOS/Android devices a user has, for notices and re-provisioning
DeviceManagementManagedDevices.PrivilegedOperations.All|managedDevices/{id}/syncDevice when an admin re-provisions a user
DeviceManagementApps.Read.All|Outlook app configuration policies (deviceAppManagement/mobileAppConfigurations) for the S/MIME policy audit
DeviceManagementServiceConfig.ReadWrite.All|managedDevices/{id}/sendCustomNotificationToCompanyPortal (the Company Portal notices)
Mail.Send|e-mail notices (users/{MAIL_SENDER}/sendMail); scope it to the sender mailbox, see infra/README.md
'

principal="${1:-${AZURE_MANAGED_IDENTITY_PRINCIPAL_ID:-}}"
if [ -z "$principal" ] && command -v azd >/dev/null 2>&1; then
  principal="$(azd env get-value AZURE_MANAGED_IDENTITY_PRINCIPAL_ID 2>/dev/null || true)"
fi
if [ -z "$principal" ]; then
  echo "grant-graph-permissions: give the managed identity's principal (object) id, or run after 'azd provision'" >&2
  exit 2
fi
command -v az >/dev/null 2>&1 || { echo "grant-graph-permissions: the az CLI is required" >&2; exit 2; }

graph_sp="$(az ad sp show --id "$GRAPH_APP_ID" --query id -o tsv)"
granted="$(az rest --method GET \
  --url "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments?\$select=appRoleId,resourceId" \
  --query "value[?resourceId=='$graph_sp'].appRoleId" -o tsv)"

failed=0
while IFS='|' read -r permission why; do
  [ -n "$permission" ] || continue
  role="$(az ad sp show --id "$GRAPH_APP_ID" --query "appRoles[?value=='$permission' && contains(allowedMemberTypes, 'Application')].id | [0]" -o tsv)"
  if [ -z "$role" ]; then
    echo "  ? $permission: not found among Microsoft Graph's application permissions" >&2
    failed=1
    continue
  fi
  if echo "$granted" | grep -qi "$role"; then
    echo "  = $permission (already granted)"
    continue
  fi
  if [ "${DRY_RUN:-0}" = "1" ]; then
    echo "  + $permission — $why (dry run)"
    continue
  fi
  az rest --method POST \
    --url "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments" \
    --headers "Content-Type=application/json" \
    --body "{\"principalId\":\"$principal\",\"resourceId\":\"$graph_sp\",\"appRoleId\":\"$role\"}" \
    --output none
  echo "  + $permission — $why"
done <<LIST
$PERMISSIONS
LIST
[ "$failed" = 0 ] || exit 1
echo "Done. Tokens the app already holds keep their old roles for up to 24 hours; restart the Function App to pick the new ones up sooner."
