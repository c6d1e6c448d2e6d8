/** Today's management SDKs from the npm registry, unchanged, pointed at a running emulator (its CA trusted through an https.Agent). */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { ResourceManagementClient } from '@azure/arm-resources';
import { credentialFor, type World } from '../vault/world.js';

export interface Sdks {
  keyVault: KeyVaultManagementClient;
  msi: ManagedServiceIdentityClient;
  authorization: AuthorizationManagementClient;
  resources: ResourceManagementClient;
}

const ARM_SCOPE = 'https://management.azure.com/.default';

export function sdks(w: World): Sdks {
  const credential = credentialFor(w);
  const endpoint = w.client.endpoint.replace(/\/$/, '');
  const classic = { endpoint, credentialScopes: [ARM_SCOPE], agent: w.agent } as any;
  return {
    keyVault: new KeyVaultManagementClient(credential, w.sub, { endpoint, credentials: { scopes: [ARM_SCOPE] }, agent: w.agent } as any),
    msi: new ManagedServiceIdentityClient(credential, w.sub, classic),
    authorization: new AuthorizationManagementClient(credential, w.sub, classic),
    resources: new ResourceManagementClient(credential, w.sub, classic),
  };
}
