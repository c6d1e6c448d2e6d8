/**
 * az's `-o yaml`: yaml.safe_dump(result, default_flow_style=False, allow_unicode=True) from PyYAML.
 *
 * js-yaml picks other styles (block literals for multi-line strings, different folding and
 * quoting), so this is a small port of PyYAML's emitter restricted to JSON data: block
 * mappings (sorted keys) and block sequences, `{}`/`[]` for empty collections, PyYAML's scalar
 * analysis and style choice (plain, 'single', "double"), its 80-column folding and its
 * YAML 1.1 implicit resolvers (a string that would read back as a bool, number, null or
 * timestamp is quoted). Method names follow PyYAML's so the two can be compared line by line.
 */
import { PyFloat } from './float.js';
import { compareKeys } from './json.js';

const BEST_WIDTH = 80;
const BEST_INDENT = 2;
const BREAKS = '\n\x85\u2028\u2029';
const WHITESPACE_AFTER = '\0 \t\r\n\x85\u2028\u2029';

/** YAML 1.1 implicit resolvers of PyYAML's SafeResolver: a plain string matching one is not a string. */
const IMPLICIT_NON_STR: RegExp[] = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
];

/** First characters each resolver is registered for in PyYAML (a resolver only runs for those). */
const RESOLVER_FIRST_CHARS: (string | null)[] = [
  'yYnNtTfFoO',
  '-+0123456789.',
  '-+0123456789',
  '<',
  '~nN',
  '0123456789',
  '=',
];

function resolvesToStr(value: string): boolean {
  const first = value.length ? value[0] : '';
  return !IMPLICIT_NON_STR.some((re, i) => {
    const chars = RESOLVER_FIRST_CHARS[i];
    // the null resolver is also registered for the empty string
    if (first === '' ) return i === 4 && re.test(value);
    return chars !== null && chars.includes(first) && re.test(value);
  });
}

interface Analysis {
  scalar: string[];
  empty: boolean;
  multiline: boolean;
  allowFlowPlain: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
  allowDoubleQuoted: boolean;
}

function isUnicodePrintable(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  return (c === 0x85 || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c < 0x10ffff)) && c !== 0xfeff;
}

function analyzeScalar(text: string): Analysis {
  const scalar = Array.from(text); // code points, as Python indexes str
  if (scalar.length === 0) {
    return { scalar, empty: true, multiline: false, allowFlowPlain: false, allowBlockPlain: true, allowSingleQuoted: true, allowDoubleQuoted: true };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  if (text.startsWith('---') || text.startsWith('...')) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  let followedByWhitespace = scalar.length === 1 || WHITESPACE_AFTER.includes(scalar[1]);
  let previousSpace = false;
  let previousBreak = false;
  for (let index = 0; index < scalar.length; index++) {
    const ch = scalar[index];
    if (index === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      }
      if ('?:'.includes(ch)) {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === '-' && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else {
      if (',?[]{}'.includes(ch)) flowIndicators = true;
      if (ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === '#' && precededByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    if (!(ch === '\n' || (ch >= '\x20' && ch <= '\x7e'))) {
      if (!isUnicodePrintable(ch)) specialCharacters = true; // allow_unicode=True: printable non-ASCII is fine
    }
    if (ch === ' ') {
      if (index === 0) leadingSpace = true;
      if (index === scalar.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (index === 0) leadingBreak = true;
      if (index === scalar.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = WHITESPACE_AFTER.includes(ch);
    followedByWhitespace = index + 2 >= scalar.length || WHITESPACE_AFTER.includes(scalar[index + 2]);
  }
  let allowFlowPlain = true;
  let allowBlockPlain = true;
  let allowSingleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowFlowPlain = allowBlockPlain = false;
  if (breakSpace) allowFlowPlain = allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || specialCharacters) allowFlowPlain = allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks) allowFlowPlain = allowBlockPlain = false;
  if (flowIndicators) allowFlowPlain = false;
  if (blockIndicators) allowBlockPlain = false;
  return { scalar, empty: false, multiline: lineBreaks, allowFlowPlain, allowBlockPlain, allowSingleQuoted, allowDoubleQuoted: true };
}

const ESCAPE_REPLACEMENTS: Record<string, string> = {
  '\0': '0', '\x07': 'a', '\x08': 'b', '\x09': 't', '\x0a': 'n', '\x0b': 'v', '\x0c': 'f', '\x0d': 'r',
  '\x1b': 'e', '"': '"', '\\': '\\', '\x85': 'N', '\xa0': '_', '\u2028': 'L', '\u2029': 'P',
};

interface ScalarEvent {
  value: string;
  /** the plain form would resolve back to this scalar's own type (PyYAML's implicit[0]) */
  implicitPlain: boolean;
}

class Emitter {
  private out: string[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;
  private openEnded = false;
  private indent: number | null = null;
  private readonly indents: (number | null)[] = [];
  private flowLevel = 0;

  emitDocument(value: unknown): string {
    this.node(value, { root: true });
    // expect_document_end, then stream end
    this.writeIndent();
    if (this.openEnded) {
      this.writeIndicator('...', true);
      this.writeIndent();
    }
    return this.out.join('');
  }

  private node(value: unknown, ctx: { root?: boolean; sequence?: boolean; mapping?: boolean; simpleKey?: boolean }): void {
    if (Array.isArray(value)) {
      if (value.length === 0) return this.emptyFlow('[', ']');
      return this.blockSequence(value, !!ctx.mapping);
    }
    if (value !== null && typeof value === 'object' && !(value instanceof PyFloat)) {
      const keys = Object.keys(value).sort(compareKeys);
      if (keys.length === 0) return this.emptyFlow('{', '}');
      return this.blockMapping(value as Record<string, unknown>, keys);
    }
    this.scalar(toScalarEvent(value), !!ctx.root, !!ctx.simpleKey);
  }

  private increaseIndent(flow: boolean, indentless = false): void {
    this.indents.push(this.indent);
    if (this.indent === null) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? null;
  }

  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true);
    this.flowLevel++;
    this.increaseIndent(true);
    this.popIndent();
    this.flowLevel--;
    this.writeIndicator(close, false);
  }

  private blockSequence(items: unknown[], mappingContext: boolean): void {
    this.increaseIndent(false, mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, { sequence: true });
    }
    this.popIndent();
  }

  private blockMapping(obj: Record<string, unknown>, keys: string[]): void {
    this.increaseIndent(false);
    for (const key of keys) {
      this.writeIndent();
      const keyEvent: ScalarEvent = { value: key, implicitPlain: resolvesToStr(key) };
      if (this.isSimpleKey(keyEvent)) {
        this.node(key, { mapping: true, simpleKey: true });
        this.writeIndicator(':', false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.node(key, { mapping: true });
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(obj[key], { mapping: true });
    }
    this.popIndent();
  }

  /** check_simple_key: the '!!str' tag PyYAML prepares counts towards the 128-character limit. */
  private isSimpleKey(event: ScalarEvent): boolean {
    const analysis = analyzeScalar(event.value);
    return analysis.scalar.length + '!!str'.length < 128 && !analysis.empty && !analysis.multiline;
  }

  private scalar(event: ScalarEvent, root: boolean, simpleKey: boolean): void {
    this.increaseIndent(true);
    const analysis = analyzeScalar(event.value);
    const style = chooseScalarStyle(event, analysis, simpleKey, this.flowLevel);
    const split = !simpleKey;
    if (style === '"') this.writeDoubleQuoted(analysis.scalar, split);
    else if (style === "'") this.writeSingleQuoted(analysis.scalar, split);
    else this.writePlain(analysis.scalar, split, root);
    this.popIndent();
  }

  private write(data: string): void {
    this.out.push(data);
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    const data = this.whitespace || !needWhitespace ? indicator : ' ' + indicator;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.column += data.length;
    this.openEnded = false;
    this.write(data);
  }

  private writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.writeLineBreak();
    if (this.column < indent) {
      this.whitespace = true;
      this.write(' '.repeat(indent - this.column));
      this.column = indent;
    }
  }

  private writeLineBreak(data = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
    this.write(data);
  }

  private writeChunk(data: string): void {
    this.column += Array.from(data).length;
    this.write(data);
  }

  private writePlain(text: string[], split: boolean, root: boolean): void {
    if (root) this.openEnded = true;
    if (text.length === 0) return;
    if (!this.whitespace) this.writeChunk(' ');
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end] : null;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.writeChunk(text.slice(start, end).join(''));
          }
          start = end;
        }
      } else if (ch === null || ' \n\x85\u2028\u2029'.includes(ch)) {
        this.writeChunk(text.slice(start, end).join(''));
        start = end;
      }
      if (ch !== null) spaces = ch === ' ';
    }
  }

  private writeBreaks(text: string[], start: number, end: number): void {
    if (text[start] === '\n') this.writeLineBreak();
    for (const br of text.slice(start, end)) this.writeLineBreak(br === '\n' ? '\n' : br);
    this.writeIndent();
  }

  private writeSingleQuoted(text: string[], split: boolean): void {
    this.writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end] : null;
      if (spaces) {
        if (ch === null || ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== text.length) {
            this.writeIndent();
          } else {
            this.writeChunk(text.slice(start, end).join(''));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !BREAKS.includes(ch)) {
          this.writeBreaks(text, start, end);
          start = end;
        }
      } else if (ch === null || ' \n\x85\u2028\u2029'.includes(ch) || ch === "'") {
        if (start < end) {
          this.writeChunk(text.slice(start, end).join(''));
          start = end;
        }
      }
      if (ch === "'") {
        this.writeChunk("''");
        start = end + 1;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = BREAKS.includes(ch);
      }
    }
    this.writeIndicator("'", false);
  }

  private writeDoubleQuoted(text: string[], split: boolean): void {
    this.writeIndicator('"', true);
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end] : null;
      if (ch === null || '"\\\x85\u2028\u2029\ufeff'.includes(ch) || !isDoubleQuotedPrintable(ch)) {
        if (start < end) {
          this.writeChunk(text.slice(start, end).join(''));
          start = end;
        }
        if (ch !== null) {
          this.writeChunk('\\' + escapeFor(ch));
          start = end + 1;
        }
      }
      if (end > 0 && end < text.length - 1 && (ch === ' ' || start >= end) && this.column + (end - start) > BEST_WIDTH && split) {
        const data = text.slice(start, end).join('') + '\\';
        if (start < end) start = end;
        this.writeChunk(data);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (text[start] === ' ') this.writeChunk('\\');
      }
    }
    this.writeIndicator('"', false);
  }
}

function isDoubleQuotedPrintable(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd);
}

function escapeFor(ch: string): string {
  const named = ESCAPE_REPLACEMENTS[ch];
  if (named !== undefined) return named;
  const c = ch.codePointAt(0)!;
  const hex = c.toString(16).toUpperCase();
  if (c <= 0xff) return 'x' + hex.padStart(2, '0');
  if (c <= 0xffff) return 'u' + hex.padStart(4, '0');
  return 'U' + hex.padStart(8, '0');
}

function chooseScalarStyle(event: ScalarEvent, analysis: Analysis, simpleKey: boolean, flowLevel: number): '' | "'" | '"' {
  if (event.implicitPlain) {
    const plainAllowed = flowLevel ? analysis.allowFlowPlain : analysis.allowBlockPlain;
    if (!(simpleKey && (analysis.empty || analysis.multiline)) && plainAllowed) return '';
  }
  if (analysis.allowSingleQuoted && !(simpleKey && analysis.multiline)) return "'";
  return '"';
}

/** SafeRepresenter: how each JSON value becomes a scalar. */
function toScalarEvent(value: unknown): ScalarEvent {
  if (value === null || value === undefined) return { value: 'null', implicitPlain: true };
  if (typeof value === 'boolean') return { value: value ? 'true' : 'false', implicitPlain: true };
  if (typeof value === 'number') return { value: representNumber(value), implicitPlain: true };
  if (value instanceof PyFloat) return { value: value.toString(), implicitPlain: true };
  const s = String(value);
  return { value: s, implicitPlain: resolvesToStr(s) };
}

function representNumber(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf';
  if (Number.isInteger(n)) return String(n);
  // Python's repr(float).lower(), with PyYAML's '1.0e+20' fix for exponents without a dot
  let text = String(n).toLowerCase().replace(/e([-+])(\d)$/, 'e$10$2');
  if (!text.includes('.') && text.includes('e')) text = text.replace('e', '.0e');
  return text;
}

export function formatYaml(value: unknown): string {
  return new Emitter().emitDocument(value);
}
