/** Request bodies for tests: a cluster manager and a cluster with as many racks and machines as asked. */
export function clusterManagerBody(sub: string, rg: string, extra: Record<string, unknown> = {}) {
  return {
    location: 'eastus',
    properties: { fabricControllerId: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedNetworkFabric/networkFabricControllers/nfc1` },
    ...extra,
  };
}

const mac = (a: number, b: number, c: number) => `02:${[a, b, c, 0, 1].map((n) => (n & 0xff).toString(16).padStart(2, '0')).join(':')}`;

function rack(sub: string, rg: string, rackIndex: number, machines: number, appliances: number) {
  return {
    networkRackId: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedNetworkFabric/networkRacks/rack${rackIndex}`,
    rackSkuId: `/subscriptions/${sub}/providers/Microsoft.NetworkCloud/rackSkus/sku1`,
    rackSerialNumber: `RACK${rackIndex}`,
    bareMetalMachineConfigurationData: Array.from({ length: machines }, (_, i) => ({
      bmcCredentials: { username: 'root', password: `bmc-secret-${rackIndex}-${i}` },
      bmcMacAddress: mac(0xbc, rackIndex, i),
      bootMacAddress: mac(0xb0, rackIndex, i),
      rackSlot: i + 1,
      serialNumber: `SN${rackIndex}${String(i).padStart(3, '0')}`,
    })),
    storageApplianceConfigurationData: Array.from({ length: appliances }, (_, i) => ({
      adminCredentials: { username: 'admin', password: `sa-secret-${rackIndex}-${i}` },
      rackSlot: 30 + i,
      serialNumber: `SA${rackIndex}${i}`,
    })),
  };
}

export function clusterBody(
  sub: string,
  rg: string,
  managerExtendedLocation: { name: string; type: string },
  options: { machines?: number; appliances?: number; computeRacks?: number; mrg?: string } = {},
) {
  const { machines = 4, appliances = 1, computeRacks = 0 } = options;
  return {
    location: 'eastus',
    extendedLocation: managerExtendedLocation,
    properties: {
      clusterType: computeRacks ? 'MultiRack' : 'SingleRack',
      clusterVersion: '3.14.2',
      networkFabricId: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedNetworkFabric/networkFabrics/fabric1`,
      ...(options.mrg ? { managedResourceGroupConfiguration: { name: options.mrg, location: 'eastus' } } : {}),
      aggregatorOrSingleRackDefinition: rack(sub, rg, 1, machines, appliances),
      ...(computeRacks ? { computeRackDefinitions: Array.from({ length: computeRacks }, (_, i) => rack(sub, rg, i + 2, machines, 0)) } : {}),
    },
  };
}
