/**
 * The PKI's live services beyond the sites' BMC and storage endpoints: the infra issuer's mutual-TLS
 * platform-service endpoints and the Kubernetes clusters' PKIs with their API endpoints. Started
 * after the sites (they read them), stopped and reset with them.
 */
import type { EmulatorHost } from '../host.js';
import { infraEndpointsOf } from './infra-endpoints.js';
import { kubernetesOf } from './kubernetes/k8s-endpoints.js';

export function startLivePkiServices(emu: EmulatorHost): void {
  infraEndpointsOf(emu).start();
  kubernetesOf(emu).start();
}

export async function stopLivePkiServices(emu: EmulatorHost): Promise<void> {
  await Promise.all([infraEndpointsOf(emu).stop(), kubernetesOf(emu).stop()]);
}

export async function resetLivePkiServices(emu: EmulatorHost): Promise<void> {
  await kubernetesOf(emu).reset();
  await infraEndpointsOf(emu).sync();
}
