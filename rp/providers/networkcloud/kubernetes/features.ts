/**
 * Kubernetes cluster features (kubernetesClusters/features): the platform installs a set when the
 * cluster is created; customers may add and remove the optional ones, never the required ones. The
 * cluster's featureStatuses follows its features.
 */
import type { Json, JsonObject } from '../../../api/derive.js';
import { networkCloudType } from '../../../api/registry.js';
import { newEtag } from '../../../arm/etag.js';
import { errors } from '../../../arm/errors.js';
import { idKey } from '../../../arm/resource-id.js';
import type { EmulatorHost } from '../../../host.js';
import type { StoreOp } from '../../../store/store.js';
import { RESOURCES, type StoredResource } from '../../resource-store.js';
import { TrackedResourceType, type TrackedOptions } from '../../tracked.js';
import { updateResource } from '../update.js';
import { KC_TYPE } from './nodes.js';

export const FEATURE_TYPE = `${KC_TYPE}/features`;

/** The features the emulator knows (see docs/kubernetes.md): every one is installed on create. */
export const KNOWN_FEATURES: { name: string; version: string; required: boolean }[] = [
  { name: 'azure-arc-k8sagents', version: '1.24.4', required: true },
  { name: 'calico', version: '3.29.3', required: true },
  { name: 'cloud-provider-kubevirt', version: '0.5.1', required: true },
  { name: 'ipam-cni-plugin', version: '1.2.0', required: true },
  { name: 'metallb', version: '0.14.9', required: true },
  { name: 'multus', version: '4.1.4', required: true },
  { name: 'node-local-dns', version: '1.25.0', required: true },
  { name: 'sriov-dp', version: '3.9.0', required: true },
  { name: 'csi-nfs', version: '4.11.0', required: false },
  { name: 'csi-volume', version: '1.3.0', required: false },
  { name: 'metrics-server', version: '0.7.2', required: false },
];

const known = (name: string) => KNOWN_FEATURES.find((f) => f.name.toLowerCase() === name.toLowerCase());

function installed(name: string, version: string, required: boolean): JsonObject {
  return {
    availabilityLifecycle: 'GenerallyAvailable',
    detailedStatus: 'Installed',
    detailedStatusMessage: `The feature ${name} is installed.`,
    options: [],
    provisioningState: 'Succeeded',
    required: required ? 'True' : 'False',
    version,
  };
}

/** The store writes that install the default features of a new cluster (one commit with its creation). */
export function defaultFeatureOps(emu: EmulatorHost, cluster: JsonObject): StoreOp[] {
  const now = emu.clock.iso();
  const systemData = { createdBy: 'Microsoft.NetworkCloud', createdByType: 'Application', createdAt: now, lastModifiedBy: 'Microsoft.NetworkCloud', lastModifiedByType: 'Application', lastModifiedAt: now };
  return KNOWN_FEATURES.map((f) => {
    const id = `${String(cluster.id)}/features/${f.name}`;
    const resource: JsonObject = { id, name: f.name, type: FEATURE_TYPE, location: cluster.location as Json, systemData, etag: newEtag(), tags: {}, properties: installed(f.name, f.version, f.required) };
    return { op: 'put', collection: RESOURCES, key: idKey(id), value: { id, type: FEATURE_TYPE, seq: emu.nextSeq(), resource } satisfies StoredResource };
  });
}

/** featureStatuses of a cluster, from its features as stored (optionally with one left out or overridden). */
export function featureStatuses(emu: EmulatorHost, clusterId: string, override?: { id: string; resource?: JsonObject }): JsonObject[] {
  const prefix = `${idKey(clusterId)}/features/`;
  const features = emu.store.entries<StoredResource>(RESOURCES).filter(([k, r]) => k.startsWith(prefix) && r.type === FEATURE_TYPE).map(([, r]) => r);
  const out: JsonObject[] = [];
  for (const f of features) {
    const resource = override && idKey(override.id) === idKey(f.id) ? override.resource : f.resource;
    if (resource) out.push(statusOf(resource));
  }
  if (override?.resource && !features.some((f) => idKey(f.id) === idKey(override.id))) out.push(statusOf(override.resource));
  return out.sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

function statusOf(resource: JsonObject): JsonObject {
  const p = resource.properties as JsonObject;
  const ok = p.detailedStatus === 'Installed';
  return { name: resource.name as Json, version: p.version as Json, detailedStatus: ok ? 'Running' : p.detailedStatus === 'Error' ? 'Failed' : 'Unknown', detailedStatusMessage: ok ? 'The feature is running.' : 'The feature is being installed.' };
}

function clusterIdOf(featureId: string): string {
  return featureId.replace(/\/features\/[^/]+$/i, '');
}

export function kubernetesClusterFeatures(emu: EmulatorHost, options: TrackedOptions): TrackedResourceType {
  const def = networkCloudType('kubernetesClusters/features')!;
  const refreshParent = async (featureId: string, resource?: JsonObject) => {
    await updateResource(emu, clusterIdOf(featureId), (_hub, props) => {
      props.featureStatuses = featureStatuses(emu, clusterIdOf(featureId), { id: featureId, resource }) as Json;
    });
  };
  return new TrackedResourceType(def, {
    updatingState: 'Updating',
    initialize(hub) {
      const name = String(hub.name);
      const f = known(name);
      if (!f) {
        throw errors.badRequest('InvalidFeatureName', `'${name}' is not a Kubernetes cluster feature; the features are ${KNOWN_FEATURES.map((k) => k.name).join(', ')}.`, 'name');
      }
      const props = hub.properties as JsonObject;
      Object.assign(props, installed(f.name, f.version, f.required), { options: props.options ?? [] });
      props.detailedStatus = 'Provisioning';
      props.detailedStatusMessage = `The feature ${f.name} is being installed.`;
    },
    prepare(hub, ctx) {
      const required = (ctx.existing?.resource.properties as JsonObject | undefined)?.required === 'True' || (!ctx.existing && known(String(hub.name))?.required);
      const body = ctx.req.body as JsonObject | undefined;
      // Tags may change on any feature; a required feature's installation is the platform's.
      if (required && (!ctx.existing || (body?.properties !== undefined && body.properties !== null && Object.keys(body.properties as object).length > 0))) {
        throw errors.badRequest('RequiredFeatureNotModifiable', `The feature '${String(hub.name)}' is required: the platform installs and manages it, so it cannot be created, changed or deleted.`, 'properties');
      }
    },
    async afterWrite(hub) {
      const props = hub.properties as JsonObject;
      props.detailedStatus = 'Installed';
      props.detailedStatusMessage = `The feature ${String(hub.name)} is installed.`;
      await refreshParent(String(hub.id), hub);
    },
    beforeDelete(stored) {
      if ((stored.resource.properties as JsonObject).required === 'True') {
        throw errors.badRequest('RequiredFeatureNotModifiable', `The feature '${String(stored.resource.name)}' is required: the platform installs and manages it, so it cannot be created, changed or deleted.`);
      }
    },
    async afterDelete(stored) {
      await refreshParent(stored.id, undefined);
    },
  }, options);
}
