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

const isAddition = (c: CommandDef) => AZEMU_ADDITIONS.some((prefix) => `${c.path.join(' ')} `.startsWith(prefix));

export const NETWORKCLOUD_COMMANDS: CommandDef[] = TABLE.commands
  .filter((c) => c.shipped || isAddition(c))
  .map((c) => (c.shipped ? c : { ...c, azemu: true, summary: `${c.summary} (azemu addition: az has this command only in its model.)` }));

const offered = new Set(NETWORKCLOUD_COMMANDS.flatMap((c) => c.path.slice(0, -1).map((_, i) => c.path.slice(0, i + 1).join(' '))));

export const NETWORKCLOUD_GROUPS: GroupDef[] = TABLE.groups.filter((g) => offered.has(g.path.join(' ')));
