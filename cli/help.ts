/**
 * `-h/--help`, rendered from the command table in az's layout: Command/Group header,
 * arguments by section (own, Resource Id, Wait Condition, ..., Global), then Examples.
 */
import { allArgs, children, findGroup } from './commands/table.js';
import type { ArgDef, CommandDef } from './commands/types.js';
import { describeShape } from './shorthand.js';

const WIDTH = 100;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** "    name : text" with the text wrapped and aligned under itself, as knack prints it. */
function twoColumns(rows: [string, string][]): string[] {
  const nameWidth = Math.min(40, Math.max(...rows.map(([n]) => n.length)));
  const out: string[] = [];
  for (const [name, text] of rows) {
    const indent = 4 + nameWidth + 3;
    const body = wrap(text, Math.max(30, WIDTH - indent));
    const head = `    ${name.padEnd(nameWidth)} : `;
    if (name.length > nameWidth) {
      out.push(`    ${name}`);
      out.push(' '.repeat(indent) + body[0]);
    } else {
      out.push(head + body[0]);
    }
    for (const line of body.slice(1)) out.push(' '.repeat(indent) + line);
  }
  return out;
}

/** knack's HelpParameter: the option strings sorted, joined by spaces. */
function optionLabel(arg: ArgDef): string {
  return [...arg.options].sort().join(' ');
}

function argText(arg: ArgDef): string {
  let text = arg.required ? `[Required] ${arg.help}` : arg.help;
  if (arg.choices && !/Allowed values/.test(text)) text += `  Allowed values: ${arg.choices.join(', ')}.`;
  if (arg.default !== undefined && !/Default:/.test(text) && arg.kind !== 'flag') text += `  Default: ${String(arg.default)}.`;
  return text;
}

const SECTION_ORDER = ['Arguments', 'Resource', 'Properties', 'Identity', 'Id', 'Site', 'Resource Id', 'Pagination', 'Wait Condition', 'Emulator', 'Global'];

export function commandHelp(command: CommandDef): string {
  const out: string[] = ['', 'Command', ...twoColumns([[`azemu ${command.path.join(' ')}`, command.summary]])];
  if (command.description) out.push('', ...wrap(command.description, WIDTH - 4).map((l) => `    ${l}`));
  const sections = new Map<string, ArgDef[]>();
  for (const arg of allArgs(command)) {
    if (arg.hidden) continue;
    const name = arg.group ?? 'Arguments';
    sections.set(name, [...(sections.get(name) ?? []), arg]);
  }
  if (command.positional) out.push('', 'Positional', ...twoColumns([[command.positional.metavar, `[Required] ${command.positional.help}`]]));
  const names = [...sections.keys()].sort((a, b) => rank(a) - rank(b));
  if (!sections.has('Arguments')) out.push('', 'Arguments');
  for (const name of names) {
    const args = sections.get(name)!.sort((a, b) => Number(!!b.required) - Number(!!a.required) || optionLabel(a).localeCompare(optionLabel(b)));
    out.push('', name === 'Arguments' ? 'Arguments' : `${name} Arguments`, ...twoColumns(args.map((a) => [optionLabel(a), argText(a)])));
  }
  if (command.examples.length) {
    out.push('', 'Examples');
    for (const ex of command.examples) out.push(`    ${ex.title}`, ...wrap(ex.command, WIDTH - 8).map((l) => `        ${l}`), '');
    out.pop();
  }
  out.push('', '');
  return out.join('\n');
}

const rank = (section: string) => {
  const i = SECTION_ORDER.indexOf(section);
  return i < 0 ? SECTION_ORDER.length - 1 : i;
};

export function groupHelp(path: string[]): string {
  const group = findGroup(path);
  const { groups, commands } = children(path);
  const title = path.length ? `azemu ${path.join(' ')}` : 'azemu';
  const summary = group?.summary ?? 'azemu: the az networkcloud CLI for the Network Cloud emulator.';
  const out: string[] = ['', 'Group', ...twoColumns([[title, summary]])];
  if (groups.length) out.push('', 'Subgroups:', ...twoColumns(groups.map((g) => [g.path[path.length], g.summary])));
  if (commands.length) out.push('', 'Commands:', ...twoColumns(commands.map((c) => [c.path[path.length], c.summary])));
  out.push('', '');
  return out.join('\n');
}

/** `--arg ??`: what a complex argument accepts. */
export function shapeHelp(arg: ArgDef): string {
  return `\nThe ${arg.options[0]} argument accepts shorthand syntax, JSON or @file with these keys:\n${arg.shape ? describeShape(arg.shape) : arg.help}\n\n`;
}
