/** Clusters: created by customers, deployed by the `deploy` action, which brings up their machines and PKI. */
import type { JsonObject } from '../../api/derive.js';
import { clusterDef } from '../../api/registry.js';
import { ArmError } from '../../arm/errors.js';
import { idKey } from '../../arm/resource-id.js';
import { resourceLockKey, type Emulator } from '../../emulator.js';
import { validateSecretArchive } from '../../secrets/cluster-settings.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';
import { TrackedResourceType, type TrackedOptions } from '../tracked.js';
import { recordAction } from './action-states.js';
import { deployCluster, removeClusterSite } from './deploy.js';
import { resolveIdentity } from './identity.js';
import { ensureRacks } from './racks.js';
import { customLocationId, planManagedGroup } from './managed-group.js';
import { updateResource } from './update.js';

/** The cluster manager whose custom location the cluster names as its extendedLocation. */
function managerOf(emu: Emulator, hub: JsonObject): string | undefined {
  const location = String((hub.extendedLocation as JsonObject | undefined)?.name ?? '').toLowerCase();
  for (const r of emu.store.list<StoredResource>(RESOURCES)) {
    if (r.type !== 'Microsoft.NetworkCloud/clusterManagers') continue;
    const mel = (r.resource.properties as JsonObject).managerExtendedLocation as JsonObject | undefined;
    if (String(mel?.name ?? '').toLowerCase() === location) return r.id;
  }
  return undefined;
}

export function clusters(emu: Emulator, options: TrackedOptions): TrackedResourceType {
  return new TrackedResourceType(clusterDef, {
    updatingState: 'Updating',
    initialize(hub) {
      const props = hub.properties as JsonObject;
      const { id, groupName } = planManagedGroup(hub);
      props.clusterExtendedLocation = { name: customLocationId(id, groupName, `${id.name}-cl`), type: 'CustomLocation' };
      props.hybridAksExtendedLocation = { name: customLocationId(id, groupName, `${id.name}-hakscl`), type: 'CustomLocation' };
      props.detailedStatus = 'PendingDeployment';
      props.detailedStatusMessage = 'The cluster has not been deployed yet.';
      props.clusterConnectionStatus = 'Undefined';
      props.clusterManagerConnectionStatus = 'Connected';
      props.manualActionCount = 0;
      props.availableUpgradeVersions = [];
      props.workloadResourceIds = [];
      props.clusterCapacity = { totalCoreCount: 0, availableCoreCount: 0, totalMemoryGB: 0, availableMemoryGB: 0, totalHostStorageGB: 0, availableHostStorageGB: 0, totalApplianceStorageGB: 0, availableApplianceStorageGB: 0 };
      props.supportExpiryDate = '2027-06-30';
      const manager = managerOf(emu, hub);
      if (manager) props.clusterManagerId = manager;
    },
    async prepare(hub, ctx) {
      await resolveIdentity(emu, hub, ctx.existing?.resource.identity as JsonObject | undefined);
      validateSecretArchive(emu, hub, ctx.existing?.resource);
    },
    // The racks exist from the cluster's creation (./racks.ts).
    afterWrite: (hub) => ensureRacks(emu, hub),
    async afterDelete(stored) {
      await removeClusterSite(emu, stored);
    },
    actions: {
      deploy: {
        async accept(stored) {
          const status = (stored.resource.properties as JsonObject).detailedStatus;
          if (status === 'Running' || status === 'Deploying') {
            // A failed deployment may be retried; a running or deploying one may not.
            throw new ArmError(409, 'ClusterAlreadyDeployed', `The cluster '${stored.resource.name as string}' is already ${status === 'Running' ? 'deployed' : 'deploying'}.`);
          }
          await updateResource(emu, stored.id, (_hub, props) => {
            props.detailedStatus = 'Deploying';
            props.detailedStatusMessage = 'The cluster is being deployed.';
          });
        },
        async finish(stored, body, _emu, op) {
          try {
            const summary = await deployCluster(emu, stored, body, op);
            // The platform rotates every credential of a new cluster during its deployment.
            await emu.rotation.onDeployed(stored.id);
            return { exitCode: '0', outputHead: summary };
          } catch (e) {
            await updateResource(emu, stored.id, (_hub, props) => {
              props.detailedStatus = 'Failed';
              props.detailedStatusMessage = `The deployment failed: ${(e as Error).message}`;
            });
            throw e;
          }
        },
      },
      updateVersion: {
        async finish(stored, body, _emu, op) {
          await updateResource(emu, stored.id, (_hub, props) => {
            props.clusterVersion = body.targetClusterVersion;
            recordAction(props, clusterDef.namespace + '/clusters', op, emu.clock.iso(), `Updated to ${String(body.targetClusterVersion)}.`);
          });
        },
      },
      continueUpdateVersion: { finish: () => undefined },
      scanRuntime: {
        async finish(stored) {
          const now = emu.clock.iso();
          for (const r of emu.store.list<StoredResource>(RESOURCES)) {
            const props = r.resource.properties as JsonObject;
            if (r.type !== 'Microsoft.NetworkCloud/bareMetalMachines' || String(props.clusterId).toLowerCase() !== stored.id.toLowerCase()) continue;
            // Each machine is written under its own lock, like any other write to it.
            await emu.writeLock.run(resourceLockKey(r.id), () => updateResource(emu, r.id, (_h, p) => {
              p.runtimeProtectionStatus = { ...((p.runtimeProtectionStatus as JsonObject) ?? {}), scanStartedTime: now, scanCompletedTime: now };
            }));
          }
        },
      },
      rotateCredential: {
        accept: (stored, body) => emu.rotation.checkRequest(stored, body),
        finish: async (stored, body) => ({ exitCode: '0', outputHead: await emu.rotation.rotateOnDemand(stored.id, (body.credentials as string[]) ?? []) }),
      },
    },
  }, options);
}

export function clusterRecord(emu: Emulator, id: string): StoredResource | undefined {
  return emu.store.get<StoredResource>(RESOURCES, idKey(id));
}
