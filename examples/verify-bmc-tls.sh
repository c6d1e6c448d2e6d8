#!/usr/bin/env bash
# Verify that a bare metal machine's BMC (Redfish) endpoint presents a certificate issued by the CA
# in the machine's caCertificate, as an operator would against Operator Nexus. Start the emulator
# first (npm start), then:
#
#   bash examples/verify-bmc-tls.sh                    # the demo's first machine, ./.nce/emulator.json
#   NCE_DATA_DIR=/path bash examples/verify-bmc-tls.sh [BARE_METAL_MACHINE_RESOURCE_ID]
#
# Needs curl, jq and openssl. It only reads: nothing in the emulator changes.
set -euo pipefail

for tool in curl jq openssl; do
  command -v "$tool" >/dev/null || { echo "verify-bmc-tls needs $tool" >&2; exit 2; }
done

INFO="${NCE_DATA_DIR:-./.nce}/emulator.json"
[ -r "$INFO" ] || { echo "no $INFO: start the emulator first (npm start), or set NCE_DATA_DIR" >&2; exit 2; }

ENDPOINT=$(jq -r .endpoint "$INFO")          # https://localhost:PORT/ (the emulator's own API)
API_CA=$(jq -r .caCertFile "$INFO")          # trusts the emulator's API, not the cluster's endpoints
TENANT=$(jq -r .tenantId "$INFO")
BMM=${1:-$(jq -r '.demo.bareMetalMachineIds[0]' "$INFO")}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

step() { printf '\n== %s\n' "$*"; }
api() { curl -sS --fail-with-body --cacert "$API_CA" -H "Authorization: Bearer $TOKEN" "$@"; }
sha256_of() { openssl x509 -in "$1" -outform der | openssl dgst -sha256 -r | cut -d' ' -f1; }

step "1. A token, and the machine at api-version 2025-09-01"
TOKEN=$(curl -sS --cacert "$API_CA" "${ENDPOINT}${TENANT}/oauth2/v2.0/token" \
  --data-urlencode grant_type=client_credentials \
  --data-urlencode "client_id=$(jq -r .clientId "$INFO")" \
  --data-urlencode "client_secret=$(jq -r .clientSecret "$INFO")" \
  --data-urlencode scope=https://management.azure.com/.default | jq -r .access_token)
api "${ENDPOINT%/}$BMM?api-version=2025-09-01" > "$TMP/bmm.json"
jq -r .properties.caCertificate.value "$TMP/bmm.json" > "$TMP/ca.pem"
HASH=$(jq -r .properties.caCertificate.hash "$TMP/bmm.json")
BMC_URL=$(jq -r .properties.bmcConnectionString "$TMP/bmm.json")
HOSTPORT=$(printf %s "$BMC_URL" | sed -E 's#^redfish\+https://([^/]+)/.*#\1#')
echo "machine:          $(jq -r .name "$TMP/bmm.json")"
echo "bmcConnection:    $BMC_URL"
echo "caCertificate:    $(openssl x509 -in "$TMP/ca.pem" -noout -subject)"
echo "caCertificate.hash $HASH"

step "2. What the BMC presents (openssl s_client -showcerts)"
openssl s_client -connect "$HOSTPORT" -showcerts </dev/null 2>/dev/null \
  | awk -v dir="$TMP" '/-----BEGIN CERTIFICATE-----/{n++; inside=1} inside{print > (dir "/presented-" n ".pem")} /-----END CERTIFICATE-----/{inside=0}'
[ -s "$TMP/presented-1.pem" ] && [ -s "$TMP/presented-2.pem" ] || { echo "the endpoint did not present a leaf and its issuer" >&2; exit 1; }
for f in "$TMP"/presented-*.pem; do
  echo "presented $(basename "$f" .pem | sed 's/presented-//'): $(openssl x509 -in "$f" -noout -subject) / serial $(openssl x509 -in "$f" -noout -serial | cut -d= -f2)"
done
cp "$TMP/presented-1.pem" "$TMP/leaf.pem"

step "3. The leaf verifies against caCertificate alone (-partial_chain: the interface issuer as trust anchor)"
openssl verify -partial_chain -CAfile "$TMP/ca.pem" "$TMP/leaf.pem"
openssl s_client -connect "$HOSTPORT" -CAfile "$TMP/ca.pem" -partial_chain -verify_return_error -verify_ip 127.0.0.1 </dev/null 2>/dev/null \
  | grep -m1 -E 'Verify return code' | sed 's/^ */s_client: /'

step "4. The issuer the BMC presents is caCertificate: compare SHA-256 fingerprints"
PRESENTED=$(sha256_of "$TMP/presented-2.pem")
echo "presented issuer sha256: $PRESENTED"
echo "caCertificate.hash:      $HASH"
[ "$PRESENTED" = "$HASH" ] && [ "$(sha256_of "$TMP/ca.pem")" = "$HASH" ] || { echo "fingerprint mismatch" >&2; exit 1; }
echo "fingerprints match"

step "5. curl trusts caCertificate for the Redfish service root"
curl -sS --cacert "$TMP/ca.pem" "https://$HOSTPORT/redfish/v1/" | jq -c '{Name, RedfishVersion, machine: .Oem.emulator.machine}'

step "6. The full chain up to the cluster's root CA (looked up by caCertificate.hash)"
curl -sS --cacert "$API_CA" "${ENDPOINT}_emulator/pki/roots/$HASH" > "$TMP/root.json"
jq -r .root.certificate "$TMP/root.json" > "$TMP/root.pem"
echo "root: $(openssl x509 -in "$TMP/root.pem" -noout -subject)"
openssl verify -CAfile "$TMP/root.pem" -untrusted "$TMP/presented-2.pem" "$TMP/leaf.pem"

step "7. Not revoked: the CRL at the leaf's distribution point"
CRL_URL=$(openssl x509 -in "$TMP/leaf.pem" -noout -ext crlDistributionPoints | grep -Eo 'https://[^ ]+')
echo "CRL distribution point: $CRL_URL"
# The URL names the emulator's endpoint when the leaf was issued; its path is served by the current one
# (the port differs when the emulator was restarted with --port 0).
curl -sS --fail --cacert "$API_CA" "${ENDPOINT%/}/${CRL_URL#https://*/}" -o "$TMP/crl.der"
openssl crl -inform DER -in "$TMP/crl.der" -out "$TMP/crl.pem"
openssl crl -in "$TMP/crl.pem" -noout -lastupdate -nextupdate
openssl verify -crl_check -CAfile "$TMP/root.pem" -untrusted "$TMP/presented-2.pem" -CRLfile "$TMP/crl.pem" "$TMP/leaf.pem"

step "8. The storage appliance's management endpoint, found in the site view"
SITE=$(jq -r .properties.clusterId "$TMP/bmm.json" | sed -E 's#^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/[^/]+/clusters/([^/]+)$#_emulator/sites/\1/\2/\3#I')
api "${ENDPOINT}${SITE}" > "$TMP/site.json"   # the site view needs a token, like the API
SA_PORT=$(jq -r '[.endpoints[] | select(.kind == "storageAppliance")][0].port // empty' "$TMP/site.json")
if [ -n "$SA_PORT" ]; then
  SA_ID=$(jq -r '[.endpoints[] | select(.kind == "storageAppliance")][0].resourceId' "$TMP/site.json")
  api "${ENDPOINT%/}$SA_ID?api-version=2025-09-01" | jq -r .properties.caCertificate.value > "$TMP/sa-ca.pem"
  openssl s_client -connect "127.0.0.1:$SA_PORT" -showcerts </dev/null 2>/dev/null | openssl x509 > "$TMP/sa-leaf.pem"
  echo "storage appliance $(basename "$SA_ID") on 127.0.0.1:$SA_PORT: $(openssl x509 -in "$TMP/sa-leaf.pem" -noout -subject)"
  openssl verify -partial_chain -CAfile "$TMP/sa-ca.pem" "$TMP/sa-leaf.pem"
else
  echo "(the cluster has no storage appliance)"
fi

printf '\nverify-bmc-tls done\n'
