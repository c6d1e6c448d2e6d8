/**
 * Reads the property trees of derived-v2 (`- name: type {constraints} [flags]  <Definition>`, two
 * spaces of indent per level) into the model's Field vocabulary. Nothing is dropped: every flag and
 * constraint the facts state lands on the Field.
 */
import type { Field } from '../../rp/api/schema.js';

const LINE = /^( *)- (\{\*\}|[A-Za-z0-9_@$.-]+): (string|integer|number|boolean|object|any|array<(?:string|integer|number|boolean|object|any)>)(.*)$/;
const CONSTRAINT_KEYS = ['aazType', 'additionalProperties', 'dateTimeProtocol', 'default', 'format', 'idTemplate', 'items.format', 'items.recursiveRef', 'maxLength', 'maximum', 'minItems', 'minLength', 'minimum', 'pattern'];

interface Parsed {
  depth: number;
  name: string;
  field: Field;
}

/** Splits '{...}' constraints on the commas that start a new known key (patterns contain commas too). */
function splitConstraints(text: string): string[] {
  const starts = new RegExp(`, (?=(?:${CONSTRAINT_KEYS.map((k) => k.replace('.', '\\.')).join('|')})=|enum\\(|items\\.enum\\()`, 'g');
  return text.split(starts);
}

function parseEnum(text: string): { values: string[]; extensible: boolean | undefined } {
  const m = /^(?:items\.)?enum\((.*); modelAsString=(true|false|\?)\)$/.exec(text);
  if (!m) throw new Error(`cannot read enum '${text}'`);
  return { values: m[1] === '' ? [] : m[1].split('|'), extensible: m[2] === '?' ? undefined : m[2] === 'true' };
}

const number = (s: string) => Number(s);

function applyConstraint(field: Field, token: string): void {
  if (token.startsWith('enum(') || token.startsWith('items.enum(')) {
    const target = token.startsWith('items.') ? (field.items ??= { type: 'string' }) : field;
    const { values, extensible } = parseEnum(token);
    target.enum = values;
    if (extensible !== undefined) target.extensible = extensible;
    return;
  }
  const eq = token.indexOf('=');
  const key = token.slice(0, eq);
  const value = token.slice(eq + 1);
  switch (key) {
    case 'format':
      field.format = value as Field['format'];
      break;
    case 'items.format':
      (field.items ??= { type: 'string' }).format = value as Field['format'];
      break;
    case 'pattern':
      field.pattern = value;
      break;
    case 'minLength':
    case 'maxLength':
    case 'minimum':
    case 'maximum':
    case 'minItems':
      field[key] = number(value);
      break;
    case 'default':
      field.default = value.startsWith('"') ? (JSON.parse(value) as string) : value === 'true' || value === 'false' ? value === 'true' : number(value);
      break;
    case 'additionalProperties':
      field.additionalProperties = value;
      break;
    case 'idTemplate':
      field.idTemplate = value;
      break;
    case 'aazType':
      field.aazType = value;
      break;
    case 'items.recursiveRef':
      field.recursiveRef = value;
      break;
    case 'dateTimeProtocol':
      break; // always 'iso' where stated; date-time says it all
    default:
      throw new Error(`unknown constraint '${key}'`);
  }
}

function applyFlags(field: Field, text: string): void {
  for (const m of text.matchAll(/([A-Za-z]+)(?:\(([^)]*)\))?/g)) {
    const [, flag, args] = m;
    switch (flag) {
      case 'ReadOnly':
        field.readOnly = true;
        break;
      case 'Required':
        field.required = true;
        break;
      case 'Secret':
        field.secret = true;
        break;
      case 'Nullable':
        field.nullable = true;
        break;
      case 'ClientFlatten':
        field.clientFlatten = true;
        break;
      case 'Mutability':
        field.mutability = args.split(',').map((s) => s.trim()).sort();
        break;
      case 'Identifiers':
        field.identifiers = args.split(',').map((s) => s.trim());
        break;
      default:
        throw new Error(`unknown flag '${flag}'`);
    }
  }
}

export function parseLine(line: string): Parsed | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const [, indent, name, typeText, restText] = m;
  let rest = restText;
  const arrayOf = /^array<(.*)>$/.exec(typeText);
  const field: Field = arrayOf ? { type: 'array', items: { type: arrayOf[1] as Field['type'] } } : { type: typeText as Field['type'] };
  // '  <Definition>' at the end
  const def = /\s\s<([^<>]+)>\s*$/.exec(rest);
  if (def) {
    rest = rest.slice(0, def.index);
    field.definition = def[1];
  }
  rest = rest.trim();
  // ' const=...' (api-version query parameters) is ignored here
  rest = rest.replace(/\s*const=\S+$/, '');
  const flags = /\s*\[([^\]]*)\]$/.exec(rest);
  if (flags) {
    rest = rest.slice(0, flags.index).trim();
    applyFlags(field, flags[1]);
  }
  if (rest.startsWith('{')) {
    if (!rest.endsWith('}')) throw new Error(`unterminated constraints in '${line}'`);
    for (const token of splitConstraints(rest.slice(1, -1))) applyConstraint(field, token);
  } else if (rest) {
    throw new Error(`cannot read '${rest}' in '${line}'`);
  }
  return { depth: indent.length / 2, name, field };
}

/**
 * Builds a tree from lines at `baseIndent` spaces and deeper. Objects collect their children;
 * an object with `additionalProperties` becomes a map whose values are its '{*}' child (or the named
 * scalar type); arrays of objects take the children as their items' fields.
 */
export function parseTree(lines: string[], baseIndent = 0): Field {
  const root: Field = { type: 'object', fields: {} };
  const stack: Field[] = [root];
  for (const raw of lines) {
    if (!raw.trim() || raw.trimStart().startsWith('#')) continue;
    const line = raw.slice(baseIndent);
    const parsed = parseLine(line);
    if (!parsed) throw new Error(`cannot read line '${raw}'`);
    stack.length = parsed.depth + 1;
    const parent = stack[parsed.depth];
    if (!parent) throw new Error(`line '${raw}' is indented too far`);
    attach(parent, parsed.name, parsed.field);
    stack.push(parsed.field);
  }
  return finish(root);
}

function attach(parent: Field, name: string, child: Field): void {
  const holder = parent.type === 'array' ? (parent.items ??= { type: 'object' }) : parent;
  if (name === '{*}') {
    holder.values = child;
    return;
  }
  (holder.fields ??= {})[name] = child;
}

/** Turns additionalProperties objects into maps, recursively. */
function finish(f: Field): Field {
  if (f.type === 'object' && f.additionalProperties !== undefined) {
    const valueType = f.additionalProperties;
    delete f.additionalProperties;
    f.type = 'map';
    f.values ??= { type: valueType as Field['type'] };
    if (f.fields && Object.keys(f.fields).length === 0) delete f.fields;
  }
  if (f.fields) for (const c of Object.values(f.fields)) finish(c);
  if (f.items) finish(f.items);
  if (f.values) finish(f.values);
  return f;
}

/** A whole tree file (types/<v>/<type>[.PUT|.PATCH].txt). */
export function parseTreeFile(text: string): Field {
  return parseTree(text.split('\n'));
}
