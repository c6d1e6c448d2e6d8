#!/usr/bin/env bash
# The AKS hybrid client-certificate cycle on a Kubernetes cluster of the emulator, with azemu and
# openssl: a bootstrap token, its exchange for a client certificate (the key never leaves this
# machine), a call to the cluster's mutual-TLS API endpoint, renewal with the current certificate
# (which rotates the token), revocation, and the CRL that lists it. Start the emulator first
# (npm start), then:
#
#   bash examples/k8s-bootstrap-cycle.sh                 # ./.nce/emulator.json, makes Kubernetes cluster kc-demo
#   NCE_DATA_DIR=/path bash examples/k8s-bootstrap-cycle.sh
#
# Needs openssl and jq; azemu on PATH (npm link) or this repository's dist/cli/main.js.
# It changes the emulator: it creates kubernetesClusters/kc-demo in the demo's resource group.
set -euo pipefail

for tool in openssl jq; do
  command -v "$tool" >/dev/null || { echo "k8s-bootstrap-cycle needs $tool" >&2; exit 2; }
done
HERE=$(cd "$(dirname "$0")/.." && pwd)
if command -v azemu >/dev/null && [ -z "${AZEMU_FROM_REPO:-}" ]; then AZEMU=(azemu); else AZEMU=(node "$HERE/dist/cli/main.js"); fi
DATA="${NCE_DATA_DIR:-./.nce}"
[ -r "$DATA/emulator.json" ] || { echo "no $DATA/emulator.json: start the emulator first (npm start), or set NCE_DATA_DIR" >&2; exit 2; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export AZEMU_CONFIG_DIR="$TMP/azemu"
cd "$TMP"
az() { "${AZEMU[@]}" "$@"; }
step() { printf '\n== %s\n' "$*"; }
RG=nexus-demo-rg
KC=${KC:-kc-demo}
K=(-g "$RG" -n "$KC")

step "0. Sign in, and a Kubernetes cluster next to the demo cluster"
az login --emulator "$DATA" -o none
SUB=$(az account show --query id -o tsv)
CLUSTER=$(az rest --url "/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.NetworkCloud/clusters/demo-cluster?api-version=2025-09-01")
NET="/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.NetworkCloud"
# The demo's cloud services and L3 networks, and a version the Kubernetes version catalogue offers.
DEMO=$(jq .demo "$DATA/emulator.json")
VERSION=$(az rest --url "$NET/kubernetesVersions/default?api-version=2026-01-01-preview" --query "properties.values[-1].version" -o tsv)
jq -n --argjson c "$CLUSTER" --argjson d "$DEMO" --arg v "$VERSION" '{location: "eastus", extendedLocation: $c.properties.clusterExtendedLocation, properties: {
  kubernetesVersion: $v, controlPlaneNodeConfiguration: {count: 1, vmSkuName: "NC_G6_28_v1"},
  initialAgentPoolConfigurations: [{name: "pool1", count: 1, mode: "System", vmSkuName: "NC_P10_56_v1"}],
  networkConfiguration: {cloudServicesNetworkId: $d.cloudServicesNetworkId, cniNetworkId: $d.l3NetworkId}}}' > kc.json
az rest --method put --url "$NET/kubernetesClusters/$KC?api-version=2025-09-01" --body @kc.json --query name -o tsv
az emulator kubernetes show "${K[@]}" > pki.json
jq -r '.certificateAuthorities[] | select(.name == "cluster-ca") | .certificate' pki.json > cluster-ca.pem
SERVER=$(jq -r .endpoint.url pki.json)
HOSTPORT=$(printf %s "$SERVER" | sed -E 's#^https://([^/]+)/.*#\1#')
jq -r '.certificateAuthorities[] | "CA \(.name): \(.lifetime)"' pki.json
jq -r '.certificates[] | "leaf \(.name): \(.notBefore) .. \(.notAfter)"' pki.json
echo "API endpoint: $SERVER"

step "1. A bootstrap token for agent-1 (shown once)"
TOKEN=$(az emulator kubernetes bootstrap-token "${K[@]}" --identity agent-1 --groups agents --query token -o tsv)
echo "token id: ${TOKEN%%.*}"

step "2. Exchange it with a CSR: the key stays here"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout agent.key -subj "/CN=agent-1" -out agent.csr 2>/dev/null
az emulator kubernetes exchange "${K[@]}" --token "$TOKEN" --csr-file agent.csr --cert-out agent.pem --query "{serial:serial, notAfter:notAfter, issuer:issuer.name}" -o json
openssl x509 -in agent.pem -noout -subject -dates
openssl verify -CAfile cluster-ca.pem -untrusted agent.pem agent.pem   # agent.pem holds the certificate, then the agent CA
if az emulator kubernetes exchange "${K[@]}" --token "$TOKEN" --csr-file agent.csr -o none 2> again.txt; then
  echo "a used token was accepted" >&2; exit 1
fi
echo "second exchange refused: $(cat again.txt)"

step "3. The API endpoint, with and without the certificate (openssl s_client)"
# -brief: the handshake summary goes to stderr, the HTTP answer alone to stdout.
ask() { { sleep 0.7; printf 'GET /version HTTP/1.0\r\nHost: kubernetes\r\n\r\n'; } | openssl s_client -brief -connect "$HOSTPORT" -CAfile cluster-ca.pem -ign_eof "$@" 2> handshake.txt; }
ask -cert agent.pem -key agent.key > with.txt
grep -E '^Verification' handshake.txt | sed 's/^/with certificate: /'
grep -E '^HTTP/|gitVersion' with.txt | sed 's/^/with certificate: /'
ask > without.txt
grep -E '^HTTP/' without.txt | sed 's/^/without certificate: /'

step "4. Renew with the current certificate (mutual TLS): new certificate, rotated token"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout agent2.key -subj "/CN=agent-1" -out agent2.csr 2>/dev/null
az emulator kubernetes renew "${K[@]}" --cert-file agent.pem --key-file agent.key --csr-file agent2.csr --cert-out agent2.pem > renewed.json
echo "renewed: serial $(jq -r .serial renewed.json), new token id $(jq -r .tokenId renewed.json)"
OLD=$(openssl x509 -in agent.pem -noout -serial | cut -d= -f2)
NEW=$(openssl x509 -in agent2.pem -noout -serial | cut -d= -f2)

step "5. Revoke the first certificate by serial and everything under .cluster.local, in one request"
az emulator kubernetes revoke "${K[@]}" --entry "by=serialNumber,value=$OLD,reason=superseded" by=dnsSuffix,value=.cluster.local --query "revoked[].serial" -o tsv
az emulator kubernetes revocations "${K[@]}" -o table
ask -cert agent.pem -key agent.key > revoked.txt
grep -E '^HTTP/' revoked.txt | sed 's/^/revoked certificate: /'
grep -o 'ClientCertificateRevoked' revoked.txt | head -1
ask -cert agent2.pem -key agent2.key > renewed.txt
grep -E '^HTTP/' renewed.txt | sed 's/^/renewed certificate: /'

step "6. The agent CA's CRL lists it"
CRL=$(az emulator kubernetes show "${K[@]}" --query "certificateAuthorities[?name=='agent-ca' && role=='active'].crl | [0]" -o tsv)
# CRLs are public (TLS clients fetch them without a token); the emulator's own API CA is in emulator.json.
curl -sS --fail --cacert "$(jq -r .caCertFile "$DATA/emulator.json")" "${CRL%.crl}.pem" > agent-ca.crl.pem
openssl crl -in agent-ca.crl.pem -noout -text | grep -E 'Serial Number:|Superseded' | sed 's/^ */crl: /'
jq -r '.certificateAuthorities[] | select(.name == "agent-ca") | .certificate' pki.json > agent-ca.pem
openssl verify -crl_check -CAfile cluster-ca.pem -untrusted agent-ca.pem -CRLfile agent-ca.crl.pem agent.pem 2>&1 | grep -m1 -E 'revoked|OK' | sed 's/^/first: /' || true
openssl verify -crl_check -CAfile cluster-ca.pem -untrusted agent-ca.pem -CRLfile agent-ca.crl.pem agent2.pem | sed 's/^/renewed: /'
[ "$OLD" != "$NEW" ]
echo "k8s-bootstrap-cycle done"
