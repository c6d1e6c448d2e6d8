/** The hand-written Nexus Kubernetes types: clusters, their agent pools and their features (docs/kubernetes.md). */
import type { EmulatorHost } from '../../../host.js';
import type { TrackedOptions, TrackedResourceType } from '../../tracked.js';
import { kubernetesClusters } from './clusters.js';
import { kubernetesClusterFeatures } from './features.js';
import { agentPools } from './pools.js';

export { kubernetesClustersOnMachine, nodesOnMachine } from './nodes.js';

export function kubernetesTypes(emu: EmulatorHost, options: TrackedOptions): TrackedResourceType[] {
  return [kubernetesClusters(emu, options), agentPools(emu, options), kubernetesClusterFeatures(emu, options)];
}
