/**
 * az's shorthand syntax for complex arguments (aaz's AAZShortHandSyntaxParser and its
 * "partial value" splitting), plus the step az does next: turning the parsed value into the
 * API's JSON through the argument's shape (kebab-case CLI keys -> camelCase wire names,
 * flattened keys such as `identity-type` -> associatedIdentity.identityType, enums, ints).
 *
 *   --secret-archive "{key-vault-id:/subscriptions/...,use-key-vault:True}"   braces form
 *   --secret-archive key-vault-id=/subscriptions/... use-key-vault=True       space form
 *   --secret-archive '{"keyVaultId": "...", "useKeyVault": "True"}'           JSON
 *   --secret-archive @archive.json                                            file
 */
import { readFileSync } from 'node:fs';

/** The value of `key` or `{key}` with nothing after it (aaz's AAZBlankArgValue). */
export const BLANK: unique symbol = Symbol('blank');
export type ShValue = string | number | boolean | null | typeof BLANK | ShValue[] | { [key: string]: ShValue };

export class ShorthandSyntaxError extends Error {
  constructor(
    readonly data: string,
    readonly at: number,
    readonly range: number,
    readonly reason: string,
  ) {
    super(`Shorthand Syntax Error: ${reason}:\n\t${data.slice(0, at + range)}\n\t${' '.repeat(at)}${'^'.repeat(range)}`);
  }
  shifted(data: string, by: number): ShorthandSyntaxError {
    return new ShorthandSyntaxError(data, this.at + by, this.range, this.reason);
  }
}

/** `??` asks for help on the argument (or on the key it follows). */
export class ShorthandHelpRequest extends Error {
  constructor(readonly keys: (string | number)[] = []) {
    super('help requested');
  }
}

const NULL_EXPRESSIONS = ['null'];
const HELP_EXPRESSION = '??';

type Parsed = [ShValue, number];

/** Parse one shorthand value. `isSimple`: the target is a plain string, so only null/??/'quotes' are special. */
export function parseShorthand(data: string, isSimple = false): ShValue {
  if (data.length === 0) throw new ShorthandSyntaxError(data, 0, 1, 'Cannot parse empty');
  if (isSimple) {
    if (NULL_EXPRESSIONS.includes(data)) return null;
    if (data === HELP_EXPRESSION) throw new ShorthandHelpRequest();
    if (data[0] === "'") {
      const [value, length] = parseSingleQuoted(data);
      if (length !== data.length) throw new ShorthandSyntaxError(data, length, data.length - length, 'Redundant tail for quota expression');
      return value;
    }
    return data;
  }
  const [value, length] = parseValue(data);
  if (length !== data.length) throw new ShorthandSyntaxError(data, length, data.length - length, 'Redundant tail');
  return value;
}

function parseValue(remain: string): Parsed {
  if (remain.startsWith('{')) return parseDict(remain);
  if (remain.startsWith('[')) return parseList(remain);
  return parseString(remain, true);
}

/** Run `parse` on remain[idx:], re-anchoring its errors and help keys to the enclosing text. */
function nested(remain: string, idx: number, parse: (s: string) => Parsed, helpKey?: string | number): Parsed {
  try {
    return parse(remain.slice(idx));
  } catch (err) {
    if (err instanceof ShorthandSyntaxError) throw err.shifted(remain, idx);
    if (err instanceof ShorthandHelpRequest && helpKey !== undefined) throw new ShorthandHelpRequest([helpKey, ...err.keys]);
    throw err;
  }
}

function parseDict(remain: string): Parsed {
  const result: { [key: string]: ShValue } = {};
  let idx = 1;
  if (remain[idx] === '}') return [result, idx + 1];
  while (idx < remain.length) {
    const [key, keyLength] = nested(remain, idx, (s) => parseString(s)) as [string, number];
    if (key.includes('"')) throw new ShorthandSyntaxError(remain, idx, keyLength, `Dict key should not contain double quotes '${key}'`);
    if (key.includes("'")) throw new ShorthandSyntaxError(remain, idx, keyLength, `Dict key should not contain single quotes '${key}'`);
    if (Object.prototype.hasOwnProperty.call(result, key)) throw new ShorthandSyntaxError(remain, idx, keyLength, `Duplicate defined dict key '${key}'`);
    idx += keyLength;
    let value: ShValue;
    let length: number;
    if (remain[idx] === ':') {
      idx += 1;
      if (idx >= remain.length) throw new ShorthandSyntaxError(remain, idx, 1, 'Cannot parse empty');
      [value, length] = nested(remain, idx, parseValue, key);
    } else if (remain[idx] === ',' || remain[idx] === '}') {
      value = BLANK;
      length = 0;
    } else {
      throw new ShorthandSyntaxError(remain, idx, 1, "Expect characters ':' or ','");
    }
    result[key] = value;
    idx += length;
    if (remain[idx] === ',') {
      idx += 1;
      if (remain[idx] === '}') break; // '{a:b,}'
    } else if (remain[idx] === '}') {
      break;
    } else {
      throw new ShorthandSyntaxError(remain, idx, 1, "Expect character ',' or '}'");
    }
  }
  if (remain[idx] !== '}') throw new ShorthandSyntaxError(remain, idx, 1, "Expect character '}'");
  return [result, idx + 1];
}

function parseList(remain: string): Parsed {
  const result: ShValue[] = [];
  let idx = 1;
  if (remain[idx] === ']') return [result, idx + 1];
  while (idx < remain.length) {
    const [value, length] = nested(remain, idx, parseValue, result.length);
    result.push(value);
    idx += length;
    if (remain[idx] === ',') {
      idx += 1;
      if (remain[idx] === ']') break; // '[a,]'
    } else if (remain[idx] === ']') {
      break;
    } else {
      throw new ShorthandSyntaxError(remain, idx, 1, "Expect character ',' or ']'");
    }
  }
  if (remain[idx] !== ']') throw new ShorthandSyntaxError(remain, idx, 1, "Expect character ']'");
  return [result, idx + 1];
}

function parseString(remain: string, convertSimpleType = false): Parsed {
  if (remain[0] === "'") return parseSingleQuoted(remain);
  let idx = 0;
  while (idx < remain.length) {
    const ch = remain[idx];
    if (ch === ',' || ch === ':' || ch === ']' || ch === '}') break;
    if (ch.trim() === '') throw new ShorthandSyntaxError(remain, idx, 1, 'Please wrap whitespace character in single quotes');
    if (ch === '"' || ch === "'") throw new ShorthandSyntaxError(remain, idx, 1, `Please wrap ${ch} character in single quotes`);
    idx += 1;
  }
  if (idx === 0) throw new ShorthandSyntaxError(remain, idx, 1, 'Cannot parse empty');
  const text = remain.slice(0, idx);
  if (NULL_EXPRESSIONS.includes(text)) return [null, idx];
  if (text === HELP_EXPRESSION) throw new ShorthandHelpRequest();
  if (convertSimpleType) {
    // like Python's json.loads on the token: numbers and true/false become JSON values
    try {
      const converted: unknown = JSON.parse(text);
      if (typeof converted === 'string' || typeof converted === 'number' || typeof converted === 'boolean') return [converted, idx];
    } catch {
      /* not JSON: keep the text */
    }
  }
  return [text, idx];
}

/** 'it'/'s' is how a quote is written inside single quotes. */
function parseSingleQuoted(remain: string): [string, number] {
  let idx = 1;
  let result = '';
  let closed = false;
  while (idx < remain.length) {
    if (remain[idx] === "'") {
      if (remain[idx + 1] === '/') {
        result += "'";
        idx += 2;
      } else {
        closed = true;
        idx += 1;
        break;
      }
    } else {
      result += remain[idx];
      idx += 1;
    }
  }
  if (!closed) throw new ShorthandSyntaxError(remain, idx, 1, "Miss end quota character: '");
  return [result, idx];
}

const PARTIAL_KEY = String.raw`(?:[a-zA-Z0-9_\-]+|'[^']*'(?:/[^']*')*)`;
const PARTIAL_VALUE = new RegExp(String.raw`^((?:\[-?[0-9]+\]|${PARTIAL_KEY}(?:\[-?[0-9]+\])?)(?:\.${PARTIAL_KEY}(?:\[-?[0-9]+\])?)*)=([\s\S]*)$`);

/** `a.b[0]=value` -> key parts ['a','b',0] and the raw value; a token without such a key is a full value. */
export function splitPartialValue(token: string): { keyParts: (string | number)[] | null; value: string } {
  const match = PARTIAL_VALUE.exec(token);
  if (!match) return { keyParts: null, value: token };
  return { keyParts: parsePartialKey(match[1]), value: match[2] };
}

function parsePartialKey(key: string): (string | number)[] {
  const parts: (string | number)[] = [];
  let idx = 0;
  while (idx < key.length) {
    if (key[idx] === '[') {
      const close = key.indexOf(']', idx);
      parts.push(Number(key.slice(idx + 1, close)));
      idx = close + 1;
    } else if (key[idx] === "'") {
      const [text, length] = parseSingleQuoted(key.slice(idx));
      parts.push(text);
      idx += length;
    } else {
      let end = idx;
      while (end < key.length && key[end] !== '.' && key[end] !== '[') end++;
      parts.push(key.slice(idx, end));
      idx = end;
    }
    if (key[idx] === '.') idx++;
  }
  return parts;
}

// ---------------------------------------------------------------------------------------
// Shapes: what an argument's value looks like, and how CLI keys map onto the API's JSON.

export type Shape =
  | { type: 'string'; enum?: readonly string[]; fmt?: StringFormat }
  | { type: 'int'; min?: number; max?: number }
  | { type: 'bool' }
  | { type: 'object'; fields: readonly Field[] }
  | { type: 'list'; item: Shape }
  | { type: 'map'; value: Shape };

/** aaz's AAZStrArgFormat: checked before anything is sent. */
export interface StringFormat {
  pattern?: string;
  minLength?: number;
  maxLength?: number;
}

/**
 * A value az's format check rejects (aaz's AAZInvalidArgValueError, raised by the command as
 * InvalidArgumentValueError): `InvalidArgumentValue: <option path>: Invalid format: ...`, exit 1.
 */
export class ArgumentFormatError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`InvalidArgumentValue: ${path}: ${reason}`);
  }
}

/** aaz's string format check, worded as aaz words it. */
export function stringFormatProblem(text: string, fmt: StringFormat): string | undefined {
  if (fmt.minLength !== undefined && text.length < fmt.minLength) return `Invalid format: '${text}' length is less than ${fmt.minLength} `;
  if (fmt.maxLength !== undefined && text.length > fmt.maxLength) return `Invalid format: '${text}' length is greater than ${fmt.maxLength}`;
  if (fmt.pattern !== undefined && !fullMatch(fmt.pattern, text)) return `Invalid format: '${text}' does not fully match regular expression pattern '${fmt.pattern}'`;
  return undefined;
}

/** aaz's integer range check. */
export function intFormatProblem(n: number, min?: number, max?: number): string | undefined {
  if (min !== undefined && n < min) return `Invalid format: '${n}' is less than ${min}`;
  if (max !== undefined && n > max) return `Invalid format: '${n}' is greater than ${max}`;
  return undefined;
}

/** Python's re.fullmatch for the patterns the model uses (no flags). */
function fullMatch(pattern: string, text: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(text);
  } catch {
    return true; // a pattern JavaScript cannot compile is left to the service
  }
}

export interface Field {
  /** dotted path in the API object, e.g. 'associatedIdentity.identityType' (a flattened CLI key) */
  wire: string;
  /** CLI key; defaults to the kebab-case of the last wire segment */
  key?: string;
  shape: Shape;
  required?: boolean;
  /** shown in `??` help */
  help?: string;
  /** the model's default, sent (as aaz does) when the object is given without this key */
  default?: string | number | boolean;
}

export const str = (enumValues?: readonly string[]): Shape => (enumValues ? { type: 'string', enum: enumValues } : { type: 'string' });
export const int = (min?: number, max?: number): Shape => ({ type: 'int', min, max });
export const bool: Shape = { type: 'bool' };
export const list = (item: Shape): Shape => ({ type: 'list', item });
export const map = (value: Shape): Shape => ({ type: 'map', value });
export const object = (...fields: Field[]): Shape => ({ type: 'object', fields });
export const field = (wire: string, shape: Shape = str(), extra: Partial<Field> = {}): Field => ({ wire, shape, ...extra });

export const kebab = (camel: string): string => camel.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
export const fieldKey = (f: Field): string => f.key ?? kebab(f.wire.split('.').pop()!);

/** A bad value for an argument; the message names the argument and the key at fault. */
export class ArgumentValueError extends Error {}

/** Keys a user may write for a field: kebab-case (az), snake_case (aaz's field names), camelCase (the API's, for pasted JSON). */
function keyAliases(f: Field): string[] {
  const k = fieldKey(f);
  return [k, k.replace(/-/g, '_'), f.wire.split('.').pop()!];
}

function findField(shape: Extract<Shape, { type: 'object' }>, key: string): Field | undefined {
  return shape.fields.find((f) => keyAliases(f).includes(key));
}

const BOOL_WORDS: Record<string, boolean> = { true: true, t: true, yes: true, y: true, '1': true, false: false, f: false, no: false, n: false, '0': false };

/**
 * The argument's tokens (one per shell word after the option) -> the API value.
 * One token holding a whole value ({...}, [...], JSON, a scalar, @file) or several
 * `key=value` partial values (the space form), applied in order like aaz does.
 */
export function argumentValue(tokens: readonly string[], shape: Shape, option: string): unknown {
  try {
    const cli = tokensToValue(tokens, shape, option);
    return toWire(cli, shape, option, []);
  } catch (err) {
    if (err instanceof ShorthandSyntaxError) throw new ArgumentValueError(`Failed to parse '${option}' argument: ${err.message}`);
    throw err;
  }
}

function tokensToValue(tokens: readonly string[], shape: Shape, option: string): ShValue {
  if (tokens.length === 0) return BLANK;
  if (shape.type === 'list') return listTokens(tokens.map(readAtFile), shape, option);
  let value: ShValue = BLANK;
  for (const token of tokens.map(readAtFile)) {
    if (shape.type === 'map') {
      value = mapToken(value, token, shape);
      continue;
    }
    const { keyParts, value: text } = shape.type === 'object' ? splitPartialValue(token) : { keyParts: null, value: token };
    value = keyParts === null ? decodeToken(token, shape) : setPartial(value, keyParts, text, shape, option);
  }
  return value;
}

/** `key=value` sets one key of the value built so far; `key=` sets it blank. */
function setPartial(value: ShValue, keyParts: (string | number)[], text: string, shape: Shape, option: string): ShValue {
  const target = shapeAt(shape, keyParts, option);
  return setPath(value, keyParts, text === '' ? BLANK : decodeToken(text, target), option);
}

/**
 * Lists take one item per token (--mi-user-assigned ID1 ID2), or one whole list ("[a,b]"),
 * or `[0].key=value` partial values for lists of objects.
 */
function listTokens(tokens: string[], shape: Extract<Shape, { type: 'list' }>, option: string): ShValue {
  if (tokens.length === 1 && /^\s*\[/.test(tokens[0])) return decodeToken(tokens[0], shape);
  let items: ShValue = [];
  for (const token of tokens) {
    const { keyParts, value: text } = isSimple(shape.item) ? { keyParts: null, value: token } : splitPartialValue(token);
    if (keyParts !== null && typeof keyParts[0] === 'number') {
      items = setPartial(items, keyParts, text, shape, option);
      continue;
    }
    const decoded = decodeToken(token, shape.item);
    const added: ShValue[] = Array.isArray(decoded) && !isSimple(shape.item) ? decoded : [decoded];
    items = [...(items as ShValue[]), ...added];
  }
  return items;
}

/** Maps (tags): a whole `{...}`/JSON value, or `key=value` split at the first '=' (classic az), or `key` alone for an empty value. */
function mapToken(current: ShValue, token: string, shape: Extract<Shape, { type: 'map' }>): ShValue {
  const base = current !== null && typeof current === 'object' && !Array.isArray(current) ? current : {};
  if (/^\s*\{/.test(token)) return { ...base, ...(decodeToken(token, shape) as { [key: string]: ShValue }) };
  const eq = token.indexOf('=');
  if (eq < 0) return token === '' ? base : { ...base, [token]: '' };
  const text = token.slice(eq + 1);
  return { ...base, [token.slice(0, eq)]: text === '' ? '' : decodeToken(text, shape.value) };
}

const isSimple = (shape: Shape): boolean => shape.type === 'string' || shape.type === 'int' || shape.type === 'bool';

/** Shorthand first; if that fails, JSON (aaz's order). */
function decodeToken(text: string, shape: Shape): ShValue {
  try {
    return parseShorthand(text, shape.type === 'string');
  } catch (err) {
    if (!(err instanceof ShorthandSyntaxError)) throw err;
    try {
      return JSON.parse(text) as ShValue;
    } catch {
      throw err;
    }
  }
}

/** `@path` reads the value from a file, as az does for every argument. */
function readAtFile(token: string): string {
  if (!token.startsWith('@')) return token;
  const path = token.slice(1);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new ArgumentValueError(`cannot read file '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function shapeAt(shape: Shape, keyParts: (string | number)[], option: string): Shape {
  let current = shape;
  const seen: (string | number)[] = [];
  for (const part of keyParts) {
    seen.push(part);
    if (current.type === 'object' && typeof part === 'string') {
      const f = findField(current, part);
      if (!f) throw unknownKey(option, seen, current);
      current = f.shape;
    } else if (current.type === 'map' && typeof part === 'string') {
      current = current.value;
    } else if (current.type === 'list' && typeof part === 'number') {
      current = current.item;
    } else {
      throw new ArgumentValueError(`Failed to parse '${option}' argument: '${formatPath(seen)}' does not fit the argument's structure.`);
    }
  }
  return current;
}

function setPath(root: ShValue, keyParts: (string | number)[], value: ShValue, option: string): ShValue {
  if (keyParts.length === 0) return value;
  const [head, ...rest] = keyParts;
  if (typeof head === 'number') {
    const arr = Array.isArray(root) ? [...root] : [];
    const index = head < 0 ? arr.length + head : head;
    if (index < 0 || index > arr.length) throw new ArgumentValueError(`Failed to parse '${option}' argument: index ${head} is out of range.`);
    arr[index] = setPath(arr[index] ?? BLANK, rest, value, option);
    return arr;
  }
  const obj = root !== null && typeof root === 'object' && !Array.isArray(root) ? { ...root } : {};
  obj[head] = setPath(obj[head] ?? BLANK, rest, value, option);
  return obj;
}

const formatPath = (parts: (string | number)[]): string => parts.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');

function unknownKey(option: string, path: (string | number)[], shape: Extract<Shape, { type: 'object' }>): ArgumentValueError {
  const valid = shape.fields.map(fieldKey).join(', ');
  return new ArgumentValueError(`Failed to parse '${option}' argument: unknown key '${formatPath(path)}'. Valid keys: ${valid}.`);
}

/** CLI value (CLI keys) -> API value (wire names), checking keys, enums, ints and required keys. */
function toWire(value: ShValue, shape: Shape, option: string, path: (string | number)[]): unknown {
  const fail = (message: string) =>
    new ArgumentValueError(`Failed to parse '${option}' argument: ${path.length ? `key '${formatPath(path)}': ` : ''}${message}`);
  const formatFail = (reason: string) => new ArgumentFormatError(path.length ? `${option}${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}` : option, reason);
  if (value === BLANK) {
    if (shape.type === 'bool') return true;
    if (shape.type === 'map') return {};
    throw fail(`cannot be blank.`);
  }
  if (value === null) return null;
  switch (shape.type) {
    case 'string': {
      if (typeof value === 'object') throw fail(`expects a string.`);
      const text = String(value);
      const problem = shape.fmt ? stringFormatProblem(text, shape.fmt) : undefined;
      if (problem) throw formatFail(problem);
      if (!shape.enum) return text;
      // az matches enum values case-insensitively and sends the canonical spelling
      const canonical = shape.enum.find((e) => e.toLowerCase() === text.toLowerCase());
      if (canonical === undefined) {
        throw fail(`'${text}' is not a valid value. Allowed values: ${shape.enum.join(', ')}.`);
      }
      return canonical;
    }
    case 'int': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^[-+]?\d+$/.test(value.trim()) ? Number(value) : NaN;
      if (!Number.isInteger(n)) throw fail(`invalid int value: '${String(value)}'.`);
      const problem = intFormatProblem(n, shape.min ?? undefined, shape.max ?? undefined);
      if (problem) throw formatFail(problem);
      return n;
    }
    case 'bool': {
      if (typeof value === 'boolean') return value;
      const b = BOOL_WORDS[String(value).toLowerCase()];
      if (b === undefined) throw fail(`'${String(value)}' is not a boolean (true or false).`);
      return b;
    }
    case 'list': {
      if (!Array.isArray(value)) throw fail(`expects a list.`);
      return value.map((item, i) => toWire(item, shape.item, option, [...path, i]));
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) throw fail(`expects key=value pairs.`);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = v === BLANK && shape.value.type === 'string' ? '' : toWire(v, shape.value, option, [...path, k]);
      return out;
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw fail(`expects an object such as ${exampleOf(shape)}.`);
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const f = findField(shape, k);
        if (!f) throw unknownKey(option, [...path, k], shape);
        assignWire(out, f.wire.split('.'), toWire(v, f.shape, option, [...path, fieldKey(f)]));
      }
      const given = (f: Field) => Object.keys(value).some((k) => findField(shape, k) === f);
      const missing = shape.fields.filter((f) => f.required && !given(f));
      if (missing.length) {
        throw fail(`missing required key${missing.length > 1 ? 's' : ''} ${missing.map((f) => `'${fieldKey(f)}'`).join(', ')}.`);
      }
      // the model's defaults of the keys left out, as the extension sends them
      for (const f of shape.fields) if (f.default !== undefined && !given(f)) assignWire(out, f.wire.split('.'), f.default);
      return out;
    }
  }
}

function assignWire(target: Record<string, unknown>, path: string[], value: unknown): void {
  let obj = target;
  for (const seg of path.slice(0, -1)) {
    if (typeof obj[seg] !== 'object' || obj[seg] === null) obj[seg] = {};
    obj = obj[seg] as Record<string, unknown>;
  }
  obj[path[path.length - 1]] = value;
}

function exampleOf(shape: Extract<Shape, { type: 'object' }>): string {
  return shape.fields.slice(0, 2).map((f) => `${fieldKey(f)}=...`).join(' ');
}

/** Text for `--arg ??`: the keys an argument takes. */
export function describeShape(shape: Shape, indent = ''): string {
  switch (shape.type) {
    case 'string':
      return shape.enum ? `string, one of: ${shape.enum.join(', ')}` : 'string';
    case 'int':
      return 'integer';
    case 'bool':
      return 'boolean (true or false)';
    case 'list':
      return isSimple(shape.item) ? `list of ${describeShape(shape.item)}` : `list of:\n${describeShape(shape.item, indent)}`;
    case 'map':
      return `key=value pairs (${describeShape(shape.value)} values)`;
    case 'object':
      return shape.fields
        .map((f) => {
          const d = describeShape(f.shape, indent + '    ');
          const multi = d.includes('\n');
          return `${indent}  ${fieldKey(f)}${f.required ? ' (required)' : ''}: ${multi ? '' : d}${f.help ? `  ${f.help}` : ''}${multi ? '\n' + d : ''}`;
        })
        .join('\n');
  }
}
