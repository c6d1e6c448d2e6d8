#!/usr/bin/env bash
# The real az (Debian's azure-cli 2.45) against a running emulator: user-assigned identities at
# 2022-01-31-preview, and Key Vault's soft delete (delete, list-deleted, show-deleted, recover,
# purge) at 2022-07-01. Used by real-az-keyvault.test.ts; prints one "== step" line before each output.
set -euo pipefail
DATA_DIR=$1
INFO="$DATA_DIR/emulator.json"
ENDPOINT=$(jq -r .endpoint "$INFO")
SUB=$(jq -r .subscriptionId "$INFO")
TENANT=$(jq -r .tenantId "$INFO")
export AZURE_CONFIG_DIR=${AZURE_CONFIG_DIR:-$(mktemp -d)}
export AZURE_CORE_COLLECT_TELEMETRY=false
export AZURE_CORE_ONLY_SHOW_ERRORS=true
export REQUESTS_CA_BUNDLE=$(jq -r .caCertFile "$INFO")
export MSI_ENDPOINT="${ENDPOINT}msi/token"
# az's keyvault commands need the cloud's Key Vault DNS suffix.
az cloud register --name NetworkCloudEmulator --endpoint-resource-manager "$ENDPOINT" --suffix-keyvault-dns .vault.azure.net >/dev/null
az cloud set --name NetworkCloudEmulator >/dev/null
az login --identity -o none
VAULT="/subscriptions/$SUB/resourceGroups/nexus-demo-rg/providers/Microsoft.KeyVault/vaults/az-kv-soft"
# az keyvault create asks Microsoft Graph for the caller, which the emulator does not serve: create with az rest.
echo "== create"
az rest --method put --url "${ENDPOINT%/}$VAULT?api-version=2022-07-01" \
  --body "{\"location\":\"eastus\",\"properties\":{\"tenantId\":\"$TENANT\",\"sku\":{\"family\":\"A\",\"name\":\"standard\"},\"softDeleteRetentionInDays\":7}}" --query name -o tsv
echo "== identity"
az identity create -g nexus-demo-rg -n az-soft-uai --query name -o tsv
echo "== delete"
az keyvault delete -n az-kv-soft
echo "== list-deleted"
az keyvault list-deleted -o json
echo "== show-deleted"
az keyvault show-deleted -n az-kv-soft -o json
echo "== recover"
az keyvault recover -n az-kv-soft --query properties.vaultUri -o tsv
echo "== delete again"
az keyvault delete -n az-kv-soft -g nexus-demo-rg
echo "== purge"
az keyvault purge -n az-kv-soft -l eastus
