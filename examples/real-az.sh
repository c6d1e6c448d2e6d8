#!/usr/bin/env bash
# The real Azure CLI (az 2.45+, e.g. Debian's azure-cli) against a running emulator:
# register the emulator as a cloud, log in with its managed identity endpoint, and call it.
#   examples/real-az.sh [DATA_DIR]        (default: ./.nce, where npm start writes emulator.json)
# Everything az writes goes to a private AZURE_CONFIG_DIR, so your own az profile is untouched.
set -euo pipefail
DATA_DIR=${1:-${NCE_DATA_DIR:-./.nce}}
INFO="$DATA_DIR/emulator.json"
[ -f "$INFO" ] || { echo "no $INFO: start the emulator first (npm start)" >&2; exit 1; }
ENDPOINT=$(jq -r .endpoint "$INFO")

export AZURE_CONFIG_DIR=${AZURE_CONFIG_DIR:-$(mktemp -d)}
export AZURE_CORE_COLLECT_TELEMETRY=false
export AZURE_CORE_ONLY_SHOW_ERRORS=true
# az (Python requests) trusts the emulator's CA through this variable.
export REQUESTS_CA_BUNDLE=$(jq -r .caCertFile "$INFO")
# az's managed-identity login posts to MSI_ENDPOINT; the emulator answers for its demo principal.
export MSI_ENDPOINT="${ENDPOINT}msi/token"

echo "== register the emulator as a cloud (az reads ${ENDPOINT}metadata/endpoints)"
az cloud register --name NetworkCloudEmulator --endpoint-resource-manager "$ENDPOINT" >/dev/null
az cloud set --name NetworkCloudEmulator >/dev/null

echo "== az login --identity"
az login --identity --query "[].{subscription:id, tenant:tenantId}" -o tsv

echo "== az account show"
az account show --query "{name:name, id:id, cloud:environmentName}" -o json

echo "== az group list"
az group list --query "[].name" -o tsv

echo "== az group show -n nexus-demo-rg"
az group show -n nexus-demo-rg --query "{name:name, location:location}" -o json

BMM=$(jq -r '.demo.bareMetalMachineIds[0]' "$INFO")
echo "== az rest: a bare metal machine at 2025-09-01, its caCertificate hash"
az rest --url "${ENDPOINT%/}${BMM}?api-version=2025-09-01" --query "properties.caCertificate.hash" -o tsv
