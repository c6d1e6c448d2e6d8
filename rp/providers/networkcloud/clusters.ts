/** Clusters: created by customers, deployed by the `deploy` action, which brings up their machines and PKI. */
import type { Json, JsonObject } from '../../api/derive.js';
import { clusterDef } from '../../api/registry.js';
import { ArmError } from '../../arm/errors.js';
import { idKey } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import { resourceLockKey } from '../../arm/locks.js';
import { validateSecretArchive } from '../../secrets/cluster-settings.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';
import { TrackedResourceType, type TrackedOptions } from '../tracked.js';
import { recordAction } from './action-states.js';
import { deployCluster, removeClusterSite } from './deploy.js';
import { resolveIdentity } from './identity.js';
import { ensureRacks } from './racks.js';
import { customLocationId, planManagedGroup } from './managed-group.js';
import { checkContinue, checkUpdateRequest, continueClusterUpdate, onClock, progressDeleteOps, startClusterUpdate, upgradesFrom } from './progress.js';
import { updateResource } from './update.js';

/** The cluster manager whose custom location the cluster names as its extendedLocation. */
function managerOf(emu: EmulatorHost, hub: JsonObject): string | undefined {
  const location = String((hub.extendedLocation as JsonObject | undefined)?.name ?? '').toLowerCase();
  for (const r of emu.store.list<StoredResource>(RESOURCES)) {
    if (r.type !== 'Microsoft.NetworkCloud/clusterManagers') continue;
    const mel = (r.resource.properties as JsonObject).managerExtendedLocation as JsonObject | undefined;
    if (String(mel?.name ?? '').toLowerCase() === location) return r.id;
  }
  return undefined;
}

export function clusters(emu: EmulatorHost, options: TrackedOptions): TrackedResourceType {
  // Rolling updates and machine reimages move with the virtual clock (./progress.ts).
  emu.clock.onChange(() => onClock(emu));
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
      props.availableUpgradeVersions = upgradesFrom(String(props.clusterVersion ?? '')) as Json[];
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
    deleteOps: (stored) => progressDeleteOps(emu, stored.id),
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
        accept: (stored, body) => checkUpdateRequest(emu, stored, body),
        finish: async (stored, body, _emu, op) => ({ exitCode: '0', outputHead: await startClusterUpdate(emu, stored, body, op.name) }),
      },
      continueUpdateVersion: {
        accept: (stored) => checkContinue(emu, stored),
        finish: async (stored) => ({ exitCode: '0', outputHead: await continueClusterUpdate(emu, stored) }),
      },
      scanRuntime: {
        async finish(stored, body, _emu, op) {
          const now = emu.clock.iso();
          const scan = String(body.scanActivity ?? 'Scan') !== 'Skip';
          const config = ((stored.resource.properties as JsonObject).runtimeProtectionConfiguration as JsonObject | undefined) ?? {};
          const machines = emu.store.list<StoredResource>(RESOURCES).filter((r) => r.type === 'Microsoft.NetworkCloud/bareMetalMachines' && String((r.resource.properties as JsonObject).clusterId).toLowerCase() === stored.id.toLowerCase());
          for (const r of machines) {
            // Each machine is written under its own lock, like any other write to it.
            await emu.writeLock.run(resourceLockKey(r.id), () => updateResource(emu, r.id, (_h, p) => {
              p.runtimeProtectionStatus = {
                ...((p.runtimeProtectionStatus as JsonObject) ?? {}),
                ...runtimeStatus(config, now),
                ...(scan ? { scanScheduledTime: now, scanStartedTime: now, scanCompletedTime: now } : {}),
              };
            }));
          }
          await updateResource(emu, stored.id, (_h, props) => {
            recordAction(props, clusterDef.namespace + '/clusters', op, now, scan ? `Request to scan runtime was distributed to ${machines.length} machine(s).` : 'Scan skipped; runtime protection status refreshed.');
          });
          return { exitCode: '0', outputHead: scan ? `Scanned ${machines.length} machine(s).` : 'Scan skipped.' };
        },
      },
      inspect: {
        accept: (stored, body) => {
          inspectTargets(emu, stored, body);
        },
        async finish(stored, body, _emu, op) {
          const targets = inspectTargets(emu, stored, body);
          const reset = Array.isArray(body.additionalActions) && (body.additionalActions as Json[]).includes('ResetHardware');
          const lines = targets.map((m) => {
            const p = m.resource.properties as JsonObject;
            return `${String(m.resource.name)}: power ${String(p.powerState)}, ready ${String(p.readyState)}, hardware validation ${String((p.hardwareValidationStatus as JsonObject | undefined)?.result ?? 'Unknown')}${reset ? ', hardware reset' : ''}`;
          });
          await updateResource(emu, stored.id, (_h, props) => recordAction(props, clusterDef.namespace + '/clusters', op, emu.clock.iso(), `Inspected ${targets.length} machine(s).`));
          return { exitCode: '0', outputHead: `====Action Command Output====\nInspected ${targets.length} machine(s).\n${lines.join('\n')}` };
        },
      },
      rotateCredential: {
        accept: (stored, body) => emu.rotation.checkRequest(stored, body),
        finish: async (stored, body) => ({ exitCode: '0', outputHead: await emu.rotation.rotateOnDemand(stored.id, (body.credentials as string[]) ?? []) }),
      },
    },
  }, options);
}

/** runtimeProtectionStatus as the cluster's runtimeProtectionConfiguration sets it up on each machine. */
function runtimeStatus(config: JsonObject, now: string): JsonObject {
  const level = String(config.enforcementLevel ?? 'Disabled');
  return {
    enforcementLevel: level,
    definitionUpdateMode: String(config.definitionUpdateMode ?? 'None'),
    agentHealthStatus: 'Healthy',
    agentHealthStatusIssues: [],
    agentLicenseStatus: 'Licensed',
    definitionsLastUpdated: now,
    definitionsVersion: '1.1.25010.1',
  };
}

/** The machines an inspect names (filterDevices), all of the cluster's when it names none; unknown names are 400. */
function inspectTargets(emu: EmulatorHost, cluster: StoredResource, body: JsonObject): StoredResource[] {
  const machines = emu.store.list<StoredResource>(RESOURCES).filter((r) => r.type === 'Microsoft.NetworkCloud/bareMetalMachines' && String((r.resource.properties as JsonObject).clusterId).toLowerCase() === cluster.id.toLowerCase());
  if (!machines.length) throw new ArmError(409, 'ClusterNotDeployed', `The cluster '${String(cluster.resource.name)}' has not been deployed; it has no machines to inspect.`);
  const filter = (body.filterDevices as JsonObject | undefined) ?? {};
  const names = Array.isArray(filter.bareMetalMachineNames) ? (filter.bareMetalMachineNames as Json[]).map((n) => String(n).toLowerCase()) : [];
  const racks = Array.isArray(filter.rackNames) ? (filter.rackNames as Json[]).map((n) => String(n).toLowerCase()) : [];
  for (const n of names) {
    if (!machines.some((m) => String(m.resource.name).toLowerCase() === n)) throw new ArmError(400, 'InvalidFilterDevices', `The cluster has no bare metal machine named '${n}'.`, 'filterDevices.bareMetalMachineNames');
  }
  const rackOf = (m: StoredResource) => String((m.resource.properties as JsonObject).rackId ?? '').split('/').pop()!.toLowerCase();
  for (const r of racks) {
    if (!machines.some((m) => rackOf(m) === r)) throw new ArmError(400, 'InvalidFilterDevices', `The cluster has no rack named '${r}'.`, 'filterDevices.rackNames');
  }
  if (!names.length && !racks.length) return machines;
  return machines.filter((m) => names.includes(String(m.resource.name).toLowerCase()) || racks.includes(rackOf(m)));
}

export function clusterRecord(emu: EmulatorHost, id: string): StoredResource | undefined {
  return emu.store.get<StoredResource>(RESOURCES, idKey(id));
}
