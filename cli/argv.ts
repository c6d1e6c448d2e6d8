/**
 * From argv to a command and its values, with argparse's rules and az's messages.
 * The words before the first option pick the command (a walk down the table); the rest is
 * tokenized by yargs-parser, configured from the command's argument table so it behaves like
 * argparse: every value a string, `--no-wait` its own flag, lists greedy, unknown options
 * collected (`unrecognized arguments: ...`) instead of guessed at.
 */
import parseArgv from 'yargs-parser';
import { UsageError } from './errors.js';
import { allArgs, children, findCommand, findGroup } from './commands/table.js';
import type { ArgDef, CommandDef } from './commands/types.js';
import { ArgumentFormatError, ArgumentValueError, argumentValue } from './shorthand.js';
import { CliError } from './errors.js';

export type Resolved =
  | { kind: 'command'; command: CommandDef; rest: string[]; help: boolean }
  | { kind: 'group'; path: string[]; rest: string[]; help: boolean };

const HELP_FLAGS = new Set(['-h', '--help']);
/** Switches az accepts before the command words too (`az --debug group list`). */
const LEADING_GLOBALS = new Set(['--debug', '--verbose', '--only-show-errors']);

export function resolveCommand(argv: string[]): Resolved {
  const path: string[] = [];
  const rest: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i];
    if (LEADING_GLOBALS.has(token)) {
      rest.push(token);
      continue;
    }
    if (token.startsWith('-')) break;
    const candidate = [...path, token];
    const command = findCommand(candidate);
    if (command) {
      const tail = [...rest, ...argv.slice(i + 1)];
      return { kind: 'command', command, rest: tail, help: tail.some((t) => HELP_FLAGS.has(t)) };
    }
    if (findGroup(candidate) === undefined) throw misspelled(token, path);
    path.push(token);
  }
  const tail = [...rest, ...argv.slice(i)];
  return { kind: 'group', path, rest: tail, help: tail.some((t) => HELP_FLAGS.has(t)) };
}

function misspelled(word: string, groupPath: string[]): UsageError {
  const { groups, commands } = children(groupPath);
  const names = [...groups.map((g) => g.path[groupPath.length]), ...commands.map((c) => c.path[groupPath.length])];
  const close = closeMatches(word, names);
  const hints = close.length
    ? [`The most similar choice${close.length > 1 ? 's' : ''} to '${word}' ${close.length > 1 ? 'are' : 'is'}:`, ...close.map((c) => `\t${c}`)]
    : [`See 'azemu ${[...groupPath, '--help'].join(' ')}'.`];
  return new UsageError(`'${word}' is misspelled or not recognized by the system.`, hints);
}

/** Python's difflib.get_close_matches(word, choices, n=3, cutoff=0.7). */
export function closeMatches(word: string, choices: string[], n = 3, cutoff = 0.7): string[] {
  return choices
    .map((c) => ({ c, r: similarity(word, c) }))
    .filter((x) => x.r >= cutoff)
    .sort((a, b) => b.r - a.r)
    .slice(0, n)
    .map((x) => x.c);
}

/** SequenceMatcher.ratio(): 2*M/T, M = characters in recursively found longest common blocks. */
function similarity(a: string, b: string): number {
  const matched = (x: string, y: string): number => {
    let best = 0;
    let bi = 0;
    let bj = 0;
    for (let i = 0; i < x.length; i++) {
      for (let j = 0; j < y.length; j++) {
        let k = 0;
        while (i + k < x.length && j + k < y.length && x[i + k] === y[j + k]) k++;
        if (k > best) [best, bi, bj] = [k, i, j];
      }
    }
    if (best === 0) return 0;
    return best + matched(x.slice(0, bi), y.slice(0, bj)) + matched(x.slice(bi + best), y.slice(bj + best));
  };
  return a.length + b.length === 0 ? 1 : (2 * matched(a, b)) / (a.length + b.length);
}

/** argparse's display name of an option: its option strings joined by '/'. */
export const displayName = (arg: ArgDef): string => arg.options.join('/');
const canonical = (arg: ArgDef): string => arg.options.find((o) => o.startsWith('--')) ?? arg.options[0];
const bare = (option: string): string => option.replace(/^-+/, '');

const BOOL_WORDS: Record<string, boolean> = { true: true, t: true, yes: true, y: true, '1': true, false: false, f: false, no: false, n: false, '0': false };
const isOptionLike = (token: string | undefined): boolean => token !== undefined && token.startsWith('-') && !/^-\d/.test(token) && token !== '-';

export interface ParsedArgs {
  values: Record<string, unknown>;
  /** option strings as typed, for az's ParameterSetName header */
  typed: string[];
}

/**
 * Parse the words after the command. Values: 'string' -> string, 'flag' -> boolean,
 * 'strings' -> string[], 'shape' -> the API value (shorthand/JSON/@file already decoded).
 */
export function parseCommandArgs(command: CommandDef, tokens: string[], prog: string): ParsedArgs {
  const args = allArgs(command);
  const byOption = new Map<string, ArgDef>();
  for (const arg of args) for (const option of arg.options) byOption.set(option, arg);
  const { tokens: prepared, unrecognized } = prepareTokens(tokens, byOption);

  const config = {
    alias: {} as Record<string, string[]>,
    string: [] as string[],
    array: [] as { key: string; string: true }[],
    configuration: {
      'boolean-negation': false,
      'camel-case-expansion': false,
      'dot-notation': false,
      'duplicate-arguments-array': false,
      'greedy-arrays': true,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'short-option-groups': false,
      'strip-aliased': true,
      'unknown-options-as-args': true,
      'halt-at-non-option': false,
    },
  };
  for (const arg of args) {
    const key = bare(canonical(arg));
    config.alias[key] = arg.options.map(bare).filter((o) => o !== key);
    if (arg.kind === 'strings' || arg.kind === 'shape') config.array.push({ key, string: true });
    else config.string.push(key); // flags too: prepareTokens turned them into --flag=<word|empty>
  }
  const parsed = parseArgv(prepared, config) as Record<string, unknown> & { _: (string | number)[] };

  const extras = parsed._.map(String);
  const values: Record<string, unknown> = {};
  if (command.positional && extras.length) values[command.positional.dest] = extras.shift();
  const leftovers = [...unrecognized, ...extras];
  if (leftovers.length) throw new UsageError(`unrecognized arguments: ${leftovers.join(' ')}`);

  for (const arg of args) {
    const raw = parsed[bare(canonical(arg))];
    values[arg.dest] = raw === undefined ? arg.default : convert(arg, raw, prog);
  }
  return { values, typed: prepared.filter((t) => t.startsWith('-')).map((t) => t.split('=')[0]) };
}

/**
 * Normalize words so yargs-parser sees argparse's grammar: `-gRG` -> `-g RG`; flags become
 * `--flag=<value>` (an explicit true/false word after a flag belongs to it, anything else
 * does not); a single-value option with no value is argparse's "expected one argument"; a
 * list stops at the next option-like word; an unknown option and the words after it are
 * set aside as unrecognized (argparse lists them all).
 */
function prepareTokens(input: string[], byOption: Map<string, ArgDef>): { tokens: string[]; unrecognized: string[] } {
  const tokens = input.flatMap((t) => (/^-[a-zA-Z]./.test(t) && !t.includes('=') && byOption.has(t.slice(0, 2)) && !byOption.has(t) ? [t.slice(0, 2), t.slice(2)] : [t]));
  const out: string[] = [];
  const unrecognized: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const [option, inline] = splitInline(token);
    const arg = byOption.get(option);
    if (!arg) {
      if (!isOptionLike(token)) {
        out.push(token);
        continue;
      }
      unrecognized.push(token);
      while (i + 1 < tokens.length && !isOptionLike(tokens[i + 1])) unrecognized.push(tokens[++i]);
      continue;
    }
    if (inline !== undefined) {
      out.push(token);
      continue;
    }
    const next = tokens[i + 1];
    if (arg.kind === 'flag' || (arg.kind === 'string' && arg.blankValue !== undefined)) {
      const takesNext = next !== undefined && (arg.kind === 'flag' ? next.toLowerCase() in BOOL_WORDS : arg.choices?.some((c) => c.toLowerCase() === next.toLowerCase()));
      out.push(`${option}=${takesNext ? next : ''}`);
      if (takesNext) i++;
      continue;
    }
    if (arg.kind === 'string') {
      if (next === undefined || isOptionLike(next)) throw new UsageError(`argument ${displayName(arg)}: expected one argument`);
      out.push(token, next);
      i++;
      continue;
    }
    // 'strings' / 'shape': every word up to the next option-like one (nargs='+' or '*')
    const values: string[] = [];
    while (i + 1 < tokens.length && !isOptionLike(tokens[i + 1])) values.push(tokens[++i]);
    if (!values.length && !arg.allowEmpty) throw new UsageError(`argument ${displayName(arg)}: expected at least one argument`);
    out.push(option, ...values);
  }
  return { tokens: out, unrecognized };
}

function splitInline(token: string): [string, string | undefined] {
  if (!token.startsWith('--')) return [token, undefined];
  const eq = token.indexOf('=');
  return eq < 0 ? [token, undefined] : [token.slice(0, eq), token.slice(eq + 1)];
}

function convert(arg: ArgDef, raw: unknown, prog: string): unknown {
  switch (arg.kind) {
    case 'flag': {
      const word = String(raw).toLowerCase();
      if (word === '') return true;
      if (word in BOOL_WORDS) return BOOL_WORDS[word];
      throw new UsageError(`argument ${displayName(arg)}: invalid value: '${String(raw)}' (choose from true, false)`);
    }
    case 'string': {
      const text = String(raw);
      if (text === '' && arg.blankValue !== undefined) return arg.blankValue;
      if (arg.valueType === 'int') {
        if (!/^\s*[-+]?\d+\s*$/.test(text)) throw new UsageError(`argument ${displayName(arg)}: invalid int value: '${text}'`);
        return Number(text);
      }
      if (!arg.choices) return text;
      const match = arg.choices.find((c) => c.toLowerCase() === text.toLowerCase());
      if (match === undefined) {
        throw new UsageError(`${prog}: '${text}' is not a valid value for '${canonical(arg)}'. Allowed values: ${arg.choices.join(', ')}.`);
      }
      return match;
    }
    case 'strings':
      return (raw as unknown[]).map(String);
    case 'shape':
      try {
        return argumentValue((raw as unknown[]).map(String), arg.shape!, canonical(arg));
      } catch (err) {
        if (err instanceof ArgumentValueError) throw new UsageError(err.message);
        if (err instanceof ArgumentFormatError) throw new CliError(err.message);
        throw err;
      }
  }
}

/** argparse's required check plus az's --ids rules. */
export function checkRequired(command: CommandDef, values: Record<string, unknown>): void {
  const args = allArgs(command);
  const idParts = args.filter((a) => a.idPart);
  const ids = values.ids as string[] | undefined;
  if (ids !== undefined) {
    // az warns and ignores; a mixed command line is more likely a mistake, so we refuse it
    const clash = idParts.filter((a) => a.idPart !== 'subscription' && values[a.dest] !== undefined);
    if (clash.length) throw new UsageError(`usage error: ${clash.map((a) => canonical(a)).join(', ')} cannot be used with --ids; give either --ids or the 'Resource Id' arguments.`);
  } else {
    const missing = idParts.filter((a) => a.required && values[a.dest] === undefined);
    // azure-cli's parse_ids_arguments names each argument by its first option string
    if (missing.length) throw new UsageError(`(${missing.map((a) => a.options[0]).join(' ')} | --ids) are required`);
  }
  const missing = args.filter((a) => a.required && !a.idPart && values[a.dest] === undefined);
  if (command.positional?.required && values[command.positional.dest] === undefined) {
    throw new UsageError(`the following arguments are required: ${command.positional.metavar}`);
  }
  if (missing.length) throw new UsageError(`the following arguments are required: ${missing.map(displayName).join(', ')}`);
}

/** Parse an integer-valued option (argparse's `type=int`). */
export function intArg(values: Record<string, unknown>, dest: string, option: string): number | undefined {
  const raw = values[dest];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  if (!/^[-+]?\d+$/.test(text)) throw new UsageError(`argument ${option}: invalid int value: '${String(raw)}'`);
  return Number(text);
}
