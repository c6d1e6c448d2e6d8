/**
 * Loader for the generated command table: each command's path, summary and flags are plain
 * values (what finding a command and printing group help need); its arguments, run spec and
 * examples stay a JSON string until something reads them, so starting `azemu ... show` parses
 * one command, not all of them.
 */
import type { CommandDef } from './types.js';

type Head = Pick<CommandDef, 'path' | 'summary' | 'stage' | 'shipped'>;
type Body = Pick<CommandDef, 'args' | 'run' | 'examples' | 'arm' | 'confirmation'>;

export function lazyCommand(head: Head, body: string): CommandDef {
  let parsed: Body | undefined;
  const load = (): Body => (parsed ??= JSON.parse(body) as Body);
  const def = { ...head } as CommandDef;
  for (const key of ['args', 'run', 'examples', 'arm', 'confirmation'] as const) {
    Object.defineProperty(def, key, { enumerable: true, configurable: true, get: () => load()[key], set: (v) => Object.defineProperty(def, key, { value: v, enumerable: true, writable: true }) });
  }
  return def;
}
