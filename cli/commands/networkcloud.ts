/**
 * `azemu networkcloud ...`: every command the az networkcloud extension ships, from the
 * generated table (cli/commands/generated/networkcloud.ts, written by `npm run sync-cli` from
 * the extension's model), plus azemu's own additions, marked as such in help:
 *   - `cluster identity show|assign|remove|wait`, which az has only in its model;
 *   - `--secret-archive` on `cluster create|update` (the model hides it; the seed documents it).
 * Commands that exist only in the model are not offered otherwise.
 */
import { TABLE } from './generated/networkcloud.js';
import type { CommandDef, GroupDef } from './types.js';

/** Model-only commands azemu offers anyway, as its own additions. */
const AZEMU_ADDITIONS = ['networkcloud cluster identity '];

const UAI = '/subscriptions/subscriptionId/resourceGroups/resourceGroupName/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myUAI';
const KV = '/subscriptions/subscriptionId/resourceGroups/resourceGroupName/providers/Microsoft.KeyVault/vaults/keyVaultName';

/** Examples of the seed's documented walkthrough, shown after the generated one. */
const EXTRA_EXAMPLES: Record<string, CommandDef['examples']> = {
  'networkcloud cluster update': [
    { title: 'Archive the cluster secrets in a key vault (legacy secret archive, an azemu addition)', command: `azemu networkcloud cluster update --name clusterName --resource-group resourceGroupName --secret-archive "{key-vault-id:${KV},use-key-vault:True}"` },
    { title: 'Set the secret archive settings', command: `azemu networkcloud cluster update --name clusterName --resource-group resourceGroupName --secret-archive-settings identity-type=UserAssignedIdentity identity-resource-id="${UAI}" vault-uri="https://keyvaultname.vault.azure.net/"` },
    { title: 'Use a user-assigned identity (removes the system-assigned one)', command: `azemu networkcloud cluster update --name clusterName --resource-group resourceGroupName --mi-user-assigned "${UAI}"` },
  ],
  'networkcloud baremetalmachine show': [
    { title: 'Show the CA certificate that signs its TLS interfaces (hash, then PEM)', command: 'azemu networkcloud baremetalmachine show --name bareMetalMachineName --resource-group resourceGroupName --query caCertificate -o tsv' },
  ],
  'networkcloud cluster identity assign': [
    { title: 'Assign a system-assigned and a user-assigned identity', command: `azemu networkcloud cluster identity assign --name clusterName --resource-group resourceGroupName --mi-system-assigned --mi-user-assigned "${UAI}"` },
  ],
};

/** Adds the extra examples without loading the command's data (see lazy.ts): only help reads them. */
const withExamples = (c: CommandDef): CommandDef => {
  const extra = EXTRA_EXAMPLES[c.path.join(' ')];
  const base = Object.getOwnPropertyDescriptor(c, 'examples');
  if (extra && base?.get) Object.defineProperty(c, 'examples', { enumerable: true, configurable: true, get: () => [...(base.get!.call(c) as CommandDef['examples']), ...extra] });
  return c;
};

const markAddition = (c: CommandDef): CommandDef => {
  c.azemu = true;
  c.summary = `${c.summary} (azemu addition: az has this command only in its model.)`;
  return c;
};

const isAddition = (c: CommandDef) => AZEMU_ADDITIONS.some((prefix) => `${c.path.join(' ')} `.startsWith(prefix));

export const NETWORKCLOUD_COMMANDS: CommandDef[] = TABLE.commands
  .filter((c) => c.shipped || isAddition(c))
  .map((c) => withExamples(c.shipped ? c : markAddition(c)));

const offered = new Set(NETWORKCLOUD_COMMANDS.flatMap((c) => c.path.slice(0, -1).map((_, i) => c.path.slice(0, i + 1).join(' '))));

export const NETWORKCLOUD_GROUPS: GroupDef[] = TABLE.groups.filter((g) => offered.has(g.path.join(' ')));
