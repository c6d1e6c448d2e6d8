/**
 * Loader for the generated command table. Each command's path, summary and stage are plain values
 * in cli/commands/generated/networkcloud.ts (what finding a command and group help need); its
 * arguments, run spec and examples live in one data module per command group
 * (generated/nc-<group>.cts, CommonJS so it can be required synchronously) and are read and
 * parsed only when something asks for them: starting `azemu ... show` loads one group's data.
 */
import { createRequire } from 'node:module';
import type { CommandDef } from './types.js';

type Head = Pick<CommandDef, 'path' | 'summary' | 'stage' | 'shipped'>;
type Body = Pick<CommandDef, 'args' | 'run' | 'examples' | 'arm' | 'confirmation'>;

const require = createRequire(import.meta.url);

export function lazyCommand(head: Head, group: string, index: number): CommandDef {
  let parsed: Body | undefined;
  const load = (): Body => (parsed ??= JSON.parse((require(`./generated/nc-${group}.cjs`) as string[])[index]) as Body);
  const def = { ...head } as CommandDef;
  for (const key of ['args', 'run', 'examples', 'arm', 'confirmation'] as const) {
    Object.defineProperty(def, key, {
      enumerable: true,
      configurable: true,
      get: () => load()[key],
      set: (v) => Object.defineProperty(def, key, { value: v, enumerable: true, writable: true, configurable: true }),
    });
  }
  return def;
}
