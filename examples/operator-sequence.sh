#!/usr/bin/env bash
# An operator's day against the emulator, with azemu only (the az networkcloud commands), stepping
# the emulator's virtual clock where the platform would take hours:
#
#   1. deploy a cluster (cluster manager, cluster, deploy)
#   2. create networks, a Nexus Kubernetes cluster, an agent pool and a virtual machine
#   3. cordon a machine with evacuation
#   4. update the cluster's version: a rolling update, followed rack by rack on the clock
#   5. replace a machine (new MACs, serial number and BMC credentials)
#   6. let a bare metal machine keyset expire
#   7. delete everything, dependants first
#
# Start the emulator first (npm start), then:
#   bash examples/operator-sequence.sh             # reads ./.nce/emulator.json
#   NCE_DATA_DIR=/path bash examples/operator-sequence.sh
# AZEMU names the CLI (default: azemu on PATH); AZEMU_CONFIG_DIR, when set, keeps its login apart.
set -euo pipefail

DATA=${NCE_DATA_DIR:-./.nce}
[ -r "$DATA/emulator.json" ] || { echo "no $DATA/emulator.json: start the emulator first (npm start), or set NCE_DATA_DIR" >&2; exit 2; }
read -r -a AZ <<< "${AZEMU:-azemu}"
az() { "${AZ[@]}" "$@"; }
step() { printf '\n== %s\n' "$*"; }
one() { tr '\t\n' '  ' | sed 's/ *$//'; }   # tsv values on one line

az login --emulator "$DATA" -o none
SUB=$(az account show --query id -o tsv)
RG=ops-rg
MRG=ops-cluster-mrg
NET=/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.ManagedNetworkFabric
NC=/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.NetworkCloud
# A fresh Ed25519 public key in OpenSSH's one-line format (the service checks keys; only the public half is made).
KEY=$(node -e "const {generateKeyPairSync}=require('crypto');const j=generateKeyPairSync('ed25519').publicKey.export({format:'jwk'});const f=(b)=>{const l=Buffer.alloc(4);l.writeUInt32BE(b.length);return Buffer.concat([l,b]);};console.log('ssh-ed25519 '+Buffer.concat([f(Buffer.from('ssh-ed25519')),f(Buffer.from(j.x,'base64url'))]).toString('base64')+' operator@example')")

step "1. Deploy a cluster"
az group create -n $RG -l eastus -o none
az networkcloud clustermanager create -g $RG -n ops-cm -l eastus --fabric-controller-id "$NET/networkFabricControllers/ops-nfc" -o none
CM_LOCATION=$(az networkcloud clustermanager show -g $RG -n ops-cm --query managerExtendedLocation.name -o tsv)
MACHINES="["
for slot in 1 2 3 4 5 6 7; do
  [ $slot -gt 1 ] && MACHINES+=","
  MACHINES+="{bmc-credentials:{username:root,password:'bmc-initial-$slot'},bmc-mac-address:'02:00:bc:00:00:0$slot',boot-mac-address:'02:00:b0:00:00:0$slot',rack-slot:$slot,serial-number:OPS00$slot}"
done
MACHINES+="]"
az networkcloud cluster create -g $RG -n ops-cluster -l eastus \
  --extended-location name="$CM_LOCATION" type=CustomLocation \
  --cluster-type SingleRack --cluster-version 3.14.2 \
  --network-fabric-id "$NET/networkFabrics/ops-fabric" --mrg name=$MRG \
  --update-strategy strategy-type=Rack threshold-type=PercentSuccess threshold-value=100 wait-time-minutes=15 max-unavailable=1 \
  --aggregator-or-single-rack-definition network-rack-id="$NET/networkRacks/ops-rack" \
    rack-sku-id="/subscriptions/$SUB/providers/Microsoft.NetworkCloud/rackSkus/VLab_Single_DellR750_8C2M_x70r3_9" \
    rack-serial-number=OPSRACK1 bare-metal-machine-configuration-data="$MACHINES" \
    "storage-appliance-configuration-data=[{admin-credentials:{username:pureuser,password:'sa-initial'},rack-slot:20,serial-number:OPSSA1,storage-appliance-name:opssa01}]" \
  -o none
az networkcloud cluster deploy -g $RG -n ops-cluster -o none
echo "cluster: $(az networkcloud cluster show -g $RG -n ops-cluster --query '[detailedStatus, clusterVersion]' -o tsv | one)"
echo "machines: $(az networkcloud baremetalmachine list -g $MRG --query 'length(@)' -o tsv)"
CL_LOCATION=$(az networkcloud cluster show -g $RG -n ops-cluster --query clusterExtendedLocation.name -o tsv)
EL=(--extended-location name="$CL_LOCATION" type=CustomLocation)

step "2. Networks, a Kubernetes cluster, an agent pool and a virtual machine"
az networkcloud cloudservicesnetwork create -g $RG -n ops-csn -l eastus "${EL[@]}" -o none
az networkcloud l3network create -g $RG -n ops-l3 -l eastus "${EL[@]}" --l3-isolation-domain-id "$NET/l3IsolationDomains/ops-l3isd" --vlan 1001 \
  --ipv4-connected-prefix 10.1.0.0/24 -o none
az networkcloud kubernetescluster create -g $RG -n ops-k8s -l eastus "${EL[@]}" --kubernetes-version 1.31.8 \
  --cp-node-config count=1 vm-sku-name=NC_G6_28_v1 "ssh-public-keys=[{key-data:'$KEY'}]" \
  --initial-ap-config "[{name:ops-k8s-ap1,count:1,mode:System,vm-sku-name:NC_P10_56_v1,ssh-public-keys:[{key-data:'$KEY'}]}]" \
  --network-configuration cloud-services-network-id="$NC/cloudServicesNetworks/ops-csn" cni-network-id="$NC/l3Networks/ops-l3" -o none
az networkcloud kubernetescluster agentpool create -g $RG --kc-name ops-k8s -n ops-pool2 -l eastus --count 1 --mode User --vm-sku-name NC_P10_56_v1 -o none
az networkcloud virtualmachine create -g $RG -n opsvm01 -l eastus "${EL[@]}" --admin-username azureuser \
  --csn attached-network-id="$NC/cloudServicesNetworks/ops-csn" ip-allocation-method=Dynamic \
  --cpu-cores 2 --memory-size 4 --storage-profile disk-size=64 --vm-image "registry.example.com/images/ubuntu:24.04" \
  --ssh-key-values "$KEY" -o none
echo "kubernetes cluster: $(az networkcloud kubernetescluster show -g $RG -n ops-k8s --query provisioningState -o tsv)"
echo "virtual machine: $(az networkcloud virtualmachine show -g $RG -n opsvm01 --query provisioningState -o tsv)"

step "3. Cordon a compute machine with evacuation"
az networkcloud baremetalmachine cordon -g $MRG -n r01c006 --evacuate True -o none
echo "r01c006: $(az networkcloud baremetalmachine show -g $MRG -n r01c006 --query cordonStatus -o tsv)"
az networkcloud baremetalmachine uncordon -g $MRG -n r01c006 -o none

step "4. Update the cluster's version, following the rolling update on the clock"
echo "available: $(az networkcloud cluster show -g $RG -n ops-cluster --query 'availableUpgradeVersions[].targetClusterVersion' -o tsv | one)"
az networkcloud cluster update-version -g $RG -n ops-cluster --target-cluster-version 3.16.0 -o none
# 30 minutes a machine: the five control-plane machines one at a time, then the compute machines.
elapsed=0
for minutes in 30 120 30 30; do
  az emulator clock advance ${minutes}m -o none
  elapsed=$((elapsed + minutes))
  printf 'after %3d min: %s, machines on 3.16.0: %s\n' $elapsed \
    "$(az networkcloud cluster show -g $RG -n ops-cluster --query detailedStatus -o tsv)" \
    "$(az networkcloud baremetalmachine list -g $MRG --query "length([?machineClusterVersion=='3.16.0'])" -o tsv)"
done
echo "cluster: $(az networkcloud cluster show -g $RG -n ops-cluster --query '[detailedStatus, clusterVersion]' -o tsv | one)"

step "5. Replace a machine"
az networkcloud baremetalmachine replace -g $MRG -n r01c007 --bmc-credentials username=root password='bmc-replaced-7' \
  --bmc-mac-address 02:00:bc:00:01:07 --boot-mac-address 02:00:b0:00:01:07 --serial-number OPS107 -o none
echo "r01c007 now: $(az networkcloud baremetalmachine show -g $MRG -n r01c007 --query '[detailedStatus, serialNumber]' -o tsv | one)"
az emulator clock advance 45m -o none
echo "r01c007 after 45 min: $(az networkcloud baremetalmachine show -g $MRG -n r01c007 --query '[detailedStatus, readyState, bmcMacAddress]' -o tsv | one)"

step "6. A keyset that expires"
EXPIRES=$(date -u -d "$(az emulator clock show --query now -o tsv) + 1 day" +%Y-%m-%dT%H:%M:%SZ)
az networkcloud cluster baremetalmachinekeyset create -g $RG --cluster-name ops-cluster -n ops-keyset -l eastus "${EL[@]}" \
  --azure-group-id 00000000-0000-0000-0000-0000000000aa --expiration "$EXPIRES" --jump-hosts-allowed 192.0.2.10 --privilege-level Standard \
  --user-list "[{azure-user-name:operator,ssh-public-key:{key-data:'$KEY'}}]" -o none
echo "keyset before: $(az networkcloud cluster baremetalmachinekeyset show -g $RG --cluster-name ops-cluster -n ops-keyset --query '[detailedStatus, expiration]' -o tsv | one)"
az emulator clock advance 2d -o none
echo "keyset after 2 days: $(az networkcloud cluster baremetalmachinekeyset show -g $RG --cluster-name ops-cluster -n ops-keyset --query detailedStatus -o tsv)"

step "7. Delete everything, dependants first"
az networkcloud virtualmachine delete -g $RG -n opsvm01 --yes
az networkcloud kubernetescluster agentpool delete -g $RG --kc-name ops-k8s -n ops-pool2 --yes
az networkcloud kubernetescluster delete -g $RG -n ops-k8s --yes
az networkcloud l3network delete -g $RG -n ops-l3 --yes
az networkcloud cloudservicesnetwork delete -g $RG -n ops-csn --yes
az networkcloud cluster baremetalmachinekeyset delete -g $RG --cluster-name ops-cluster -n ops-keyset --yes
az networkcloud cluster delete -g $RG -n ops-cluster --yes
az networkcloud clustermanager delete -g $RG -n ops-cm --yes
az group delete -n $RG --yes
echo "left in $RG: $(az group exists -n $RG)"
echo "operator sequence done"
