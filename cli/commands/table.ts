/**
 * The whole command table, and the generic arguments every command gets on top of its own
 * (az's "Global Arguments", plus --subscription on ARM commands and our --api-version on
 * networkcloud commands, plus --ids where an argument is a part of a resource id).
 */
import { AZURE_COMMANDS, AZURE_GROUPS } from './azure.js';
import { CORE_COMMANDS, CORE_GROUPS } from './core.js';
import { EMULATOR_COMMANDS, EMULATOR_GROUPS } from './emulator.js';
import { EMULATOR_PKI_COMMANDS, EMULATOR_PKI_GROUPS } from './emulator-pki.js';
import { FAULT_COMMANDS, FAULT_GROUPS } from './faults.js';
import { NETWORKCLOUD_COMMANDS, NETWORKCLOUD_GROUPS } from './networkcloud.js';
import type { ArgDef, CommandDef, GroupDef } from './types.js';
import { OUTPUT_FORMATS } from '../output/index.js';

/** The newest stable api-version the emulator serves; --api-version overrides it. */
export const DEFAULT_API_VERSION = '2026-07-01';
export const API_VERSIONS = ['2023-07-01', '2024-07-01', '2024-10-01-preview', '2025-02-01', '2025-07-01-preview', '2025-09-01', '2026-07-01'] as const;

export const COMMANDS: CommandDef[] = [...NETWORKCLOUD_COMMANDS, ...AZURE_COMMANDS, ...CORE_COMMANDS, ...EMULATOR_COMMANDS, ...EMULATOR_PKI_COMMANDS, ...FAULT_COMMANDS];
export const GROUPS: GroupDef[] = [...NETWORKCLOUD_GROUPS, ...AZURE_GROUPS, ...CORE_GROUPS, ...EMULATOR_GROUPS, ...EMULATOR_PKI_GROUPS, ...FAULT_GROUPS];

export const GLOBAL_ARGS: ArgDef[] = [
  { dest: 'debug', options: ['--debug'], kind: 'flag', group: 'Global', help: 'Increase logging verbosity to show all debug logs (secrets and tokens are redacted).' },
  { dest: 'help', options: ['--help', '-h'], kind: 'flag', group: 'Global', help: 'Show this help message and exit.' },
  { dest: 'onlyShowErrors', options: ['--only-show-errors'], kind: 'flag', group: 'Global', help: 'Only show errors, suppressing warnings.' },
  {
    dest: 'output',
    options: ['--output', '-o'],
    kind: 'string',
    group: 'Global',
    choices: OUTPUT_FORMATS,
    default: 'json',
    help: `Output format.  Allowed values: ${OUTPUT_FORMATS.join(', ')}.  Default: json.`,
  },
  { dest: 'query', options: ['--query'], kind: 'string', group: 'Global', help: 'JMESPath query string. See http://jmespath.org/ for more information and examples.' },
  { dest: 'verbose', options: ['--verbose'], kind: 'flag', group: 'Global', help: 'Increase logging verbosity. Use --debug for full debug logs.' },
];

const SUBSCRIPTION_ARG: ArgDef = {
  dest: 'subscription',
  options: ['--subscription'],
  kind: 'string',
  help: 'Name or ID of subscription. You can configure the default subscription using `azemu account set -s NAME_OR_ID`.',
};

const IDS_ARG: ArgDef = {
  dest: 'ids',
  options: ['--ids'],
  kind: 'strings',
  group: 'Resource Id',
  help: "One or more resource IDs (space-delimited). It should be a complete resource ID containing all information of 'Resource Id' arguments. You should provide either --ids or other 'Resource Id' arguments.",
};

const API_VERSION_ARG: ArgDef = {
  dest: 'apiVersion',
  options: ['--api-version'],
  kind: 'string',
  group: 'Emulator',
  default: DEFAULT_API_VERSION,
  help: `The api-version to call (azemu extension). Default: ${DEFAULT_API_VERSION}. Served: ${API_VERSIONS.join(', ')}.`,
};

/** A command's full argument list: its own, then --ids/--subscription/--api-version where they apply, then the global ones. */
export function allArgs(def: CommandDef): ArgDef[] {
  const own = def.args;
  const byId = own.some((a) => a.idPart);
  const extra: ArgDef[] = [];
  if (byId) extra.push(IDS_ARG);
  if (def.arm && !own.some((a) => a.dest === 'subscription')) {
    extra.push(byId ? { ...SUBSCRIPTION_ARG, idPart: 'subscription', group: 'Resource Id' } : { ...SUBSCRIPTION_ARG, group: 'Global' });
  }
  if (def.run.handler === 'networkcloud') extra.push(API_VERSION_ARG);
  return [...own, ...extra, ...GLOBAL_ARGS];
}

export type Node = { kind: 'group'; group: GroupDef | null; path: string[] } | { kind: 'command'; command: CommandDef };

/** The names under a group path: subgroups and commands, sorted like az's help. */
export function children(path: string[]): { groups: GroupDef[]; commands: CommandDef[] } {
  const depth = path.length;
  const under = (p: string[]) => p.length === depth + 1 && path.every((seg, i) => p[i] === seg);
  const groups = GROUPS.filter((g) => under(g.path)).sort((a, b) => a.path[depth].localeCompare(b.path[depth]));
  const commands = COMMANDS.filter((c) => under(c.path)).sort((a, b) => a.path[depth].localeCompare(b.path[depth]));
  return { groups, commands };
}

export function findCommand(path: string[]): CommandDef | undefined {
  return COMMANDS.find((c) => c.path.length === path.length && c.path.every((seg, i) => seg === path[i]));
}

export function findGroup(path: string[]): GroupDef | null | undefined {
  if (path.length === 0) return null; // the root
  return GROUPS.find((g) => g.path.length === path.length && g.path.every((seg, i) => seg === path[i]));
}
