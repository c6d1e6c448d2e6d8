#!/usr/bin/env bash
# A walk through the emulator with curl and jq. Start the emulator first (npm start), then:
#
#   bash examples/quickstart.sh            # reads ./.nce/emulator.json
#   NCE_DATA_DIR=/path bash examples/quickstart.sh
#
# It gets a token, lists clusters, shows a bare metal machine at two api-versions (caCertificate
# appears from 2025-07-01-preview), updates tags with If-Match, cordons the machine and polls the
# operation, and shows two errors. It leaves the machine as it found it (uncordoned).
set -euo pipefail

command -v curl >/dev/null || { echo "quickstart needs curl" >&2; exit 2; }
command -v jq >/dev/null || { echo "quickstart needs jq" >&2; exit 2; }

INFO="${NCE_DATA_DIR:-./.nce}/emulator.json"
[ -r "$INFO" ] || { echo "no $INFO: start the emulator first (npm start), or set NCE_DATA_DIR" >&2; exit 2; }

ENDPOINT=$(jq -r .endpoint "$INFO")          # https://localhost:PORT/
CA=$(jq -r .caCertFile "$INFO")              # the emulator's own CA: trust only it
TENANT=$(jq -r .tenantId "$INFO")
SUB=$(jq -r .subscriptionId "$INFO")
BMM=$(jq -r '.demo.bareMetalMachineIds[0]' "$INFO")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

step() { printf '\n== %s\n' "$*"; }

# call METHOD URL [JSON-BODY] [extra curl args...]: sets STATUS; the body is in $TMP/body, headers in $TMP/headers.
call() {
  local method=$1 url=$2 body=${3:-}
  shift $(( $# < 3 ? $# : 3 ))
  local args=(-sS --cacert "$CA" -X "$method" -D "$TMP/headers" -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  case $url in http*) ;; *) url="${ENDPOINT%/}$url" ;; esac
  STATUS=$(curl "${args[@]}" "$@" "$url")
}
header() { grep -i "^$1:" "$TMP/headers" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
error_of() { jq -r '"\(.error.code): \(.error.message)"' "$TMP/body"; }

step "1. Get a token for the demo service principal (client credentials)"
TOKEN=$(curl -sS --cacert "$CA" "${ENDPOINT}${TENANT}/oauth2/v2.0/token" \
  --data-urlencode grant_type=client_credentials \
  --data-urlencode "client_id=$(jq -r .clientId "$INFO")" \
  --data-urlencode "client_secret=$(jq -r .clientSecret "$INFO")" \
  --data-urlencode scope=https://management.azure.com/.default | jq -r .access_token)
echo "token: ${TOKEN:0:16}... ($(printf %s "$TOKEN" | wc -c) characters)"

step "2. List the clusters of the subscription"
call GET "/subscriptions/$SUB/providers/Microsoft.NetworkCloud/clusters?api-version=2025-09-01"
jq -r '.value[] | "cluster \(.name): \(.properties.detailedStatus), \(.properties.clusterType), version \(.properties.clusterVersion)"' "$TMP/body"

step "3. The same bare metal machine at two api-versions"
for v in 2025-02-01 2025-09-01; do
  call GET "$BMM?api-version=$v"
  jq -r --arg v "$v" '"\(.name) at \($v): powerState \(.properties.powerState), caCertificate " + (if .properties.caCertificate then "present (sha256 \(.properties.caCertificate.hash[0:16])...)" else "absent" end)' "$TMP/body"
done
if command -v openssl >/dev/null; then
  # caCertificate.hash is the SHA-256 of the certificate's DER encoding.
  DER_HASH=$(jq -r .properties.caCertificate.value "$TMP/body" | openssl x509 -outform der | openssl dgst -sha256 -r | cut -d' ' -f1)
  [ "$DER_HASH" = "$(jq -r .properties.caCertificate.hash "$TMP/body")" ] && echo "caCertificate.hash is the SHA-256 of the certificate (checked with openssl)"
fi

# poll URL: follows a Location URL until the operation ends; prints the final status.
poll() {
  local url=$1
  while :; do
    call GET "$url"
    [ "$STATUS" != 202 ] && break
    sleep "$(header Retry-After | grep -E '^[0-9]+$' || echo 1)"
  done
  echo "operation finished: HTTP $STATUS, status $(jq -r .status "$TMP/body")"
}

step "4. Update tags with If-Match (etags from 2025-02-01)"
call GET "$BMM?api-version=2025-09-01"
ETAG=$(jq -r .etag "$TMP/body")
call PATCH "$BMM?api-version=2025-09-01" '{"tags":{"quickstart":"yes"}}' -H "If-Match: $ETAG"
echo "PATCH with If-Match $ETAG: $STATUS"
[ "$STATUS" = 202 ] && poll "$(header Location)"
call GET "$BMM?api-version=2025-09-01"
echo "tags now $(jq -c .tags "$TMP/body")"
call PATCH "$BMM?api-version=2025-09-01" '{"tags":{"quickstart":"again"}}' -H "If-Match: $ETAG"
echo "PATCH with the same, now stale, etag: $STATUS $(error_of)"

step "5. Cordon the machine (a long-running POST) and poll its Location"
call POST "$BMM/cordon?api-version=2025-09-01" '{"evacuate":"False"}'
LOCATION=$(header Location)
echo "POST cordon: $STATUS, Location: $LOCATION"
poll "$LOCATION"
call GET "$BMM?api-version=2025-09-01"
echo "cordonStatus: $(jq -r .properties.cordonStatus "$TMP/body")"
call POST "$BMM/uncordon?api-version=2025-09-01"
poll "$(header Location)"

step "6. Errors look like ARM's"
CLUSTER=$(jq -r .demo.clusterId "$INFO")
call GET "${CLUSTER%/*}/no-such-cluster?api-version=2025-09-01"
echo "GET a missing cluster: $STATUS $(error_of)"
call GET "$BMM"
echo "GET without api-version: $STATUS $(error_of)"

echo
echo "quickstart done"
