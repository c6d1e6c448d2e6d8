/**
 * The model reader behind tools/sync-cli.ts: parses the extension model's group files (one
 * `## az networkcloud ...` block per command, one line per argument, nested shorthand keys
 * indented below) and the operations file, and builds the command table azemu runs.
 * Pure functions: text in, table out.
 */
import type { ArgDef, CommandDef, FinalStateVia, Fmt, GeneratedTable, GroupDef, NetworkCloudOp, NetworkCloudRun } from '../cli/commands/types.js';

/** The final-state-via values azure-core's ARM poller knows. */
const FINAL_STATE_VIA: FinalStateVia[] = ['azure-async-operation', 'location', 'original-uri'];
import type { Field, Shape } from '../cli/shorthand.js';

export interface ModelFile {
  name: string;
  text: string;
}

interface ArgLine {
  depth: number;
  options: string[];
  keys: string[];
  dest?: string;
  type?: string;
  kind?: string;
  required: boolean;
  hidden: boolean;
  prompt: boolean;
  idPart?: string;
  group?: string;
  default?: string;
  blank?: string;
  choices?: string[];
  fmt?: Fmt;
  body?: string;
  children: ArgLine[];
}

interface ModelCommand {
  path: string[];
  meta: Record<string, string>;
  customAdded: string[];
  customUnregistered: string[];
  args: ArgLine[];
}

interface Operation {
  name: string;
  method: string;
  path: string;
  resourceType: string;
  query: string[];
  finalStateVia?: string;
  floats: string[];
}

// ---- parsing ------------------------------------------------------------------------------

export function parseModelFile(text: string): ModelCommand[] {
  const commands: ModelCommand[] = [];
  let current: ModelCommand | undefined;
  let inArgs = false;
  let inCustom = false;
  const stack: ArgLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.startsWith('## az ')) {
      current = { path: raw.slice(6).trim().split(/\s+/), meta: {}, customAdded: [], customUnregistered: [], args: [] };
      commands.push(current);
      inArgs = false;
      inCustom = false;
      stack.length = 0;
      continue;
    }
    if (!current || raw.startsWith('#') || raw.trim() === '') continue;
    if (!raw.startsWith(' ')) {
      inArgs = raw.startsWith('args:');
      inCustom = raw.startsWith('custom-class');
      const colon = raw.indexOf(':');
      if (colon > 0) current.meta[raw.slice(0, colon)] = raw.slice(colon + 1).trim();
      continue;
    }
    if (inCustom && !inArgs) {
      const m = /^\s+custom-arg-(added|unregistered): (.*)$/.exec(raw);
      if (m) (m[1] === 'added' ? current.customAdded : current.customUnregistered).push(m[2].trim());
      continue;
    }
    if (!inArgs) continue;
    const indent = raw.length - raw.trimStart().length;
    const line = parseArgLine(raw.trim(), indent / 2 - 1);
    while (stack.length && stack[stack.length - 1].depth >= line.depth) stack.pop();
    if (stack.length) stack[stack.length - 1].children.push(line);
    else current.args.push(line);
    stack.push(line);
  }
  return commands;
}

function parseArgLine(text: string, depth: number): ArgLine {
  const parts = text.split(/ {2,}/);
  let head = parts.shift()!;
  if (head.startsWith('[')) {
    // `[element] type=object`: the marker and its first attribute share one space
    const space = head.indexOf(' ');
    if (space > 0) {
      parts.unshift(head.slice(space + 1));
      head = head.slice(0, space);
    }
  }
  const line: ArgLine = { depth, options: [], keys: [], required: false, hidden: false, prompt: false, children: [] };
  if (head.startsWith('.')) line.keys = head.split('|').map((k) => k.trim().replace(/^\./, ''));
  else if (head.startsWith('[')) line.keys = [head];
  else line.options = head.split(/\s+/);
  for (const part of parts) {
    if (part === 'required') line.required = true;
    else if (part === 'prompt') line.prompt = true;
    else if (part === 'nullable') continue;
    else if (part.startsWith('hidden(')) line.hidden = true;
    else if (part.startsWith('choices(')) line.choices = part.slice(8, -1).split('|');
    else if (part.startsWith('fmt{')) line.fmt = parseFmt(part.slice(4, -1));
    else {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const key = part.slice(0, eq);
      const value = part.slice(eq + 1);
      if (key === 'dest') line.dest = value;
      else if (key === 'type') line.type = value;
      else if (key === 'kind') line.kind = value;
      else if (key === 'id-part') line.idPart = value;
      else if (key === 'group') line.group = value;
      else if (key === 'default') line.default = unquote(value);
      else if (key === 'blank') line.blank = value;
      else if (key === 'body') line.body = value;
    }
  }
  return line;
}

const unquote = (v: string) => (v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);

function parseFmt(text: string): Fmt {
  const fmt: Fmt = {};
  for (const item of text.split(/, (?=\w+=)/)) {
    const eq = item.indexOf('=');
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (key === 'pattern') fmt.pattern = value;
    else if (key === 'minLength' || key === 'maxLength' || key === 'minimum' || key === 'maximum') fmt[key] = Number(value);
  }
  return fmt;
}

export function parseOperations(text: string): Map<string, Operation> {
  const ops = new Map<string, Operation>();
  let op: Operation | undefined;
  let section = '';
  for (const raw of text.split('\n')) {
    if (raw.startsWith('## ')) {
      op = { name: raw.slice(3).trim(), method: '', path: '', resourceType: '', query: [], floats: [] };
      ops.set(op.name, op);
      section = '';
      continue;
    }
    if (!op) continue;
    if (!raw.startsWith(' ')) {
      const colon = raw.indexOf(':');
      section = colon > 0 ? raw.slice(0, colon) : '';
      const value = colon > 0 ? raw.slice(colon + 1).trim() : '';
      if (section === 'method') op.method = value;
      else if (section === 'path') op.path = value;
      else if (section === 'resource-type') op.resourceType = value.split(' ')[0];
      else if (section === 'long-running') op.finalStateVia = /final-state-via=([\w-]+)/.exec(value)?.[1];
      continue;
    }
    if (section === 'query') op.query.push(raw.trim().split(':')[0]);
    if (section.startsWith('response-body-tree')) {
      const m = /^\s*- (\w+): number\b/.exec(raw);
      if (m && !op.floats.includes(m[1])) op.floats.push(m[1]);
    }
  }
  return ops;
}

// ---- naming -----------------------------------------------------------------------------

const camel = (kebab: string) => kebab.replace(/^-+/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snake = (camelName: string) => camelName.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
const words = (camelName: string) => camelName.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
const lastSegment = (dest: string) => dest.replace(/\[\]/g, '').split('.').pop()!;
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function plural(noun: string): string {
  if (/(s|x)$/.test(noun)) return `${noun}es`;
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  return `${noun}s`;
}

// ---- shapes -------------------------------------------------------------------------------

function simpleShape(line: ArgLine): Shape {
  if (line.type?.startsWith('integer')) return { type: 'int', min: line.fmt?.minimum, max: line.fmt?.maximum };
  const shape: Shape = line.choices ? { type: 'string', enum: line.choices } : { type: 'string' };
  const fmt = stringFmt(line.fmt);
  if (fmt) (shape as { fmt?: Fmt }).fmt = fmt;
  return shape;
}

function stringFmt(fmt: Fmt | undefined): Fmt | undefined {
  if (!fmt) return undefined;
  const out: Fmt = {};
  if (fmt.pattern !== undefined) out.pattern = fmt.pattern;
  if (fmt.minLength !== undefined) out.minLength = fmt.minLength;
  if (fmt.maxLength !== undefined) out.maxLength = fmt.maxLength;
  return Object.keys(out).length ? out : undefined;
}

/** The shape of an argument (or nested key) from its kind and children. */
function shapeOf(line: ArgLine, parentDest: string): Shape {
  const kind = line.kind ?? '';
  if (kind.startsWith('list')) {
    const element = line.children.find((c) => c.keys[0] === '[element]');
    const elementDest = `${line.dest ?? parentDest}[]`;
    return { type: 'list', item: element ? shapeOf(element, elementDest) : { type: 'string' } };
  }
  if (kind.startsWith('dict')) {
    const value = line.children.find((c) => c.keys[0] === '[value]');
    return { type: 'map', value: value ? shapeOf(value, line.dest ?? parentDest) : { type: 'string' } };
  }
  if (kind.startsWith('object')) {
    const base = line.dest ?? parentDest;
    const fields: Field[] = line.children
      .filter((c) => c.keys.length && !c.keys[0].startsWith('['))
      .map((c) => {
        const f: Field = { wire: relativeWire(c.dest ?? '', base) ?? camel(c.keys[0]), key: c.keys[0], shape: shapeOf(c, c.dest ?? base) };
        if (c.required) f.required = true;
        const notes: string[] = [];
        if (c.default !== undefined) {
          notes.push(`default: ${c.default}`);
          f.default = f.shape.type === 'int' ? Number(c.default) : f.shape.type === 'bool' ? /^true$/i.test(c.default) : c.default;
        }
        if (c.fmt) notes.push(fmtText(c.fmt));
        if (notes.length) f.help = notes.join('; ');
        return f;
      });
    return { type: 'object', fields };
  }
  return simpleShape(line);
}

/** `$a.b.c.d` under `$a.b` -> `c.d`; `X[].y` under `X[]` -> `y`; otherwise the last segment. */
function relativeWire(dest: string, base: string): string | undefined {
  for (const prefix of [`${base}.`, `${base}[].`]) if (dest.startsWith(prefix)) return dest.slice(prefix.length).replace(/\[\]/g, '');
  if (dest.startsWith('$') || dest.startsWith('@')) return lastSegment(dest);
  return undefined;
}

function fmtText(fmt: Fmt): string {
  const parts: string[] = [];
  if (fmt.pattern !== undefined) parts.push(`pattern ${fmt.pattern}`);
  if (fmt.minLength !== undefined) parts.push(`min length ${fmt.minLength}`);
  if (fmt.maxLength !== undefined) parts.push(`max length ${fmt.maxLength}`);
  if (fmt.minimum !== undefined) parts.push(`minimum ${fmt.minimum}`);
  if (fmt.maximum !== undefined) parts.push(`maximum ${fmt.maximum}`);
  return parts.join(', ');
}

// ---- commands -----------------------------------------------------------------------------

const IF_MATCH_HELP = 'The ETag of the resource: the request succeeds only if it still matches (optimistic concurrency).';
const IF_NONE_MATCH_HELP = "Set to '*' to create the resource only if it does not exist yet; other values are rejected by the service.";

/** az core argument types keep their own option order (--resource-group -g, --location -l). */
function optionOrder(line: ArgLine): string[] {
  if (line.type === 'ResourceGroupName' || line.type === 'ResourceLocation') {
    return [...line.options.filter((o) => o.startsWith('--')), ...line.options.filter((o) => !o.startsWith('--'))];
  }
  return line.options;
}

function destName(options: string[]): string {
  if (options.includes('--name')) return 'name';
  const longs = options.filter((o) => o.startsWith('--'));
  return camel(longs[longs.length - 1] ?? options[0]);
}

interface BuildContext {
  noun: string;
  nounOf: (param: string) => string;
}

function argHelp(line: ArgLine, ctx: BuildContext): string {
  const dest = line.dest ?? '';
  if (dest === '$Header.If-Match') return IF_MATCH_HELP;
  if (dest === '$Header.If-None-Match') return IF_NONE_MATCH_HELP;
  if (dest === '$Path.resourceGroupName') return 'Name of resource group.';
  if (dest.startsWith('$Path.')) return `The name of the ${ctx.nounOf(dest.slice(6))}.`;
  if (dest === '$Query.skipToken') return 'The opaque token from a previous page that says where to continue listing.';
  if (dest === '$Query.top') return 'The most resources the service returns on one page.';
  const body = line.body ?? dest.replace(/^\$\w+\./, '');
  const kind = line.kind ?? '';
  let text = `Sets ${body} in the request (${words(lastSegment(body))}).`;
  if (kind.startsWith('object') || kind.startsWith('list') || kind.startsWith('dict')) text += ' Shorthand syntax, JSON or @file; "??" shows the keys.';
  if (line.type?.startsWith('integer')) text += ' An integer.';
  if (line.fmt) text += ` Format: ${fmtText(line.fmt)}.`;
  return text;
}

function buildArg(line: ArgLine, ctx: BuildContext): ArgDef {
  const options = optionOrder(line);
  const arg: ArgDef = { dest: destName(options), options, kind: 'string', help: argHelp(line, ctx) };
  const dest = line.dest ?? '';
  const kind = line.kind ?? '';
  if (line.required) arg.required = true;
  if (line.idPart) {
    arg.idPart = line.idPart as ArgDef['idPart'];
    arg.group = 'Resource Id';
  } else if (line.group) {
    arg.group = line.group;
  }
  if (dest.startsWith('$Path.')) arg.pathParam = dest.slice(6);
  else if (dest.startsWith('$Query.')) arg.query = dest.slice(7);
  else if (dest.startsWith('$Header.')) arg.header = dest.slice(8);
  else if (line.body) arg.body = line.body;
  if (/\.identity\.systemAssigned$/.test(dest)) {
    arg.kind = 'flag';
    arg.identity = 'system';
    return arg;
  }
  if (/\.identity\.userAssigned$/.test(dest)) {
    arg.kind = 'strings';
    arg.identity = 'user';
    if (line.blank === '[]') arg.allowEmpty = true;
    return arg;
  }
  if (kind.startsWith('single')) {
    if (line.type?.startsWith('integer')) arg.valueType = 'int';
    if (line.choices) arg.choices = line.choices;
    if (line.default !== undefined) arg.default = line.default;
    if (line.blank !== undefined) arg.blankValue = unquote(line.blank);
    if (line.fmt) arg.fmt = line.fmt;
    if (line.type === 'password') arg.secret = true;
    return arg;
  }
  arg.kind = 'shape';
  arg.shape = shapeOf(line, dest);
  if (kind.startsWith('dict')) arg.allowEmpty = true;
  if (line.fmt?.minLength !== undefined) arg.fmt = { minLength: line.fmt.minLength };
  return arg;
}

const OP_VERBS: Record<string, NetworkCloudOp> = { show: 'show', list: 'list', create: 'create', update: 'update', delete: 'delete', wait: 'wait' };

function opOf(command: ModelCommand, operations: string[]): NetworkCloudOp {
  const verb = command.path[command.path.length - 1];
  if (command.path[command.path.length - 2] === 'identity') return `identity-${verb}` as NetworkCloudOp;
  if (OP_VERBS[verb]) return OP_VERBS[verb];
  if (operations.some((o) => /_Get$/.test(o))) return 'show';
  return 'action';
}

function summaryOf(op: NetworkCloudOp, verb: string, noun: string, parentNoun?: string): string {
  switch (op) {
    case 'show':
      return `Get the properties of the given ${noun}.`;
    case 'list':
      return parentNoun ? `List the ${plural(noun)} of the given ${parentNoun}.` : `List the ${plural(noun)} of a resource group, or of the whole subscription.`;
    case 'create':
      return `Create a ${noun}, or replace it if it already exists.`;
    case 'update':
      return `Change properties or tags of the given ${noun}.`;
    case 'delete':
      return `Delete the given ${noun}.`;
    case 'wait':
      return `Wait until a condition on the ${noun} is met.`;
    case 'identity-show':
      return `Show the managed identities of the given ${noun}.`;
    case 'identity-assign':
      return `Add managed identities to the given ${noun}.`;
    case 'identity-remove':
      return `Remove managed identities from the given ${noun}.`;
    default: {
      const phrase = verb.replace(/-/g, ' ');
      if (/^run /.test(phrase)) return `${cap(phrase)} on the given ${noun}.`;
      if (!phrase.includes(' ') || phrase === 'power off') return `${cap(phrase)} the given ${noun}.`;
      return `${cap(phrase)} for the given ${noun}.`;
    }
  }
}

/** Table columns of the extension's transformers, as the model lists them. */
function tableColumns(meta: Record<string, string>): string[] | undefined {
  const m = /columns=(\S+)/.exec(meta['table-transformer'] ?? '');
  return m ? m[1].split(',') : undefined;
}

function nounFromParam(param: string): string {
  return words(param.replace(/Name$/, ''));
}

export function buildTable(input: { index: string; files: ModelFile[]; operations: string }): GeneratedTable {
  const ops = parseOperations(input.operations);
  const version = /model version used: (\S+)/.exec(input.index)?.[1] ?? '';
  const shipped = new Map<string, boolean>();
  const stages = new Map<string, string>();
  for (const line of input.index.split('\n')) {
    const m = /^az (networkcloud [^|]+?) \| [^|]+ \| ([^|]+?) \| .*\| (\S+)$/.exec(line.trim());
    if (m) {
      shipped.set(m[1], m[3] !== 'no');
      stages.set(m[1], m[2]);
    }
  }
  const model = input.files.flatMap((f) => parseModelFile(f.text));
  const byName = new Map(model.map((c) => [c.path.join(' '), c]));
  const commands: CommandDef[] = [];
  const groups = new Map<string, GroupDef>();

  for (const command of model) {
    const name = command.path.join(' ');
    const groupPath = command.path.slice(0, -1);
    const verb = command.path[command.path.length - 1];
    const generatedWait = !!command.meta.generated;
    const showOf = generatedWait ? byName.get([...groupPath, 'show'].join(' ')) : command;
    const opNames = (showOf?.meta.operations ?? '').split(/,\s*/).map((o) => o.replace(/\s*\[.*$/, '').trim()).filter(Boolean);
    const opDefs = opNames.map((o) => {
      const def = ops.get(o);
      if (!def) throw new Error(`${name}: operation ${o} is not in the operations file`);
      return def;
    });
    const op: NetworkCloudOp = generatedWait ? 'wait' : opOf(command, opNames);
    const main = op.startsWith('identity-') && opDefs.length > 1 ? opDefs[opDefs.length - 1] : opDefs[0];
    const instanceParams = (p: string) => [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const params = instanceParams(main.path);
    const lastParam = params[params.length - 1];
    const paramNouns = (p: string) => nounFromParam(p);
    const noun = op === 'list' ? words(main.resourceType.split('/').pop()!).replace(/s$/, '') : paramNouns(lastParam);
    const ctx: BuildContext = { noun, nounOf: paramNouns };

    const unregistered = new Set(command.customUnregistered);
    const fixed: Record<string, string> = {};
    const args: ArgDef[] = [];
    let unregisteredBody: string | undefined;
    for (const line of command.args) {
      const dest = line.dest ?? '';
      if (dest === '$Path.subscriptionId') continue;
      if (unregistered.has(snake(lastSegment(dest)))) {
        const literal = /^\^(\w+)\$$/.exec(line.fmt?.pattern ?? '');
        if (dest.startsWith('$Path.') && literal) fixed[dest.slice(6)] = literal[1];
        if (line.body) unregisteredBody = line.body;
        continue;
      }
      if (line.hidden) {
        // the seed's documented `cluster update|create --secret-archive` stays (az hides it)
        if (!(line.options.includes('--secret-archive') && line.body)) continue;
        const arg = buildArg(line, ctx);
        arg.azemu = true;
        arg.help = `${arg.help} (azemu keeps this argument, which az hides.)`;
        args.push(arg);
        continue;
      }
      args.push(buildArg(line, ctx));
    }
    let managedIdentity: NetworkCloudRun['managedIdentity'];
    for (const added of command.customAdded) {
      const m = /^(\w+)=(\w+)(?: options=\["([^"]+)"\])?/.exec(added);
      if (!m || !m[3] || !m[3].startsWith('--')) continue;
      const [, varName, type, option] = m;
      if (varName === 'mi_system_assigned') {
        args.push({ dest: 'miSystemAssigned', options: [option], kind: 'flag', identity: 'system', group: 'Managed Identity', help: 'Turn on the system-assigned managed identity.' });
        managedIdentity = verb === 'create' ? 'create' : 'update';
      } else if (varName === 'mi_user_assigned') {
        args.push({ dest: 'miUserAssigned', options: [option], kind: 'strings', identity: 'user', group: 'Managed Identity', help: 'Resource IDs of user-assigned managed identities to use (space-separated).' });
      } else if (varName === 'ssh_key_values' && unregisteredBody) {
        args.push({
          dest: 'sshKeyValues',
          options: [option],
          kind: 'shape',
          shape: { type: 'list', item: { type: 'string' } },
          body: unregisteredBody,
          bodyItemKey: 'keyData',
          group: 'AdministratorConfiguration',
          help: 'SSH public keys (space-separated), sent as the administrator configuration\'s sshPublicKeys.',
        });
      } else if (varName === 'generate_ssh_keys' && unregisteredBody) {
        args.push({
          dest: 'generateSshKeys',
          options: [option],
          kind: 'flag',
          group: 'AdministratorConfiguration',
          help: "Send ~/.ssh/id_rsa.pub as an SSH public key, making the key pair there first if there is none (as az does).",
        });
      } else if (varName === 'ssh_dest_key_path' && unregisteredBody) {
        args.push({
          dest: 'sshDestKeyPath',
          options: [option],
          kind: 'strings',
          group: 'AdministratorConfiguration',
          help: 'Files holding SSH public keys, or folders whose *.pub files do (space-separated); their keys are sent.',
        });
      } else if (varName === 'output' && type === 'AAZStrArg') {
        args.push({ dest: 'outputDirectory', options: [option], kind: 'string', help: 'az downloads the command output here; azemu accepts the argument and prints the operation result only.' });
      }
    }

    const lro = /LRO/.test(command.meta.operations ?? '');
    const finalStateVia = /final-state-via=([\w-]+)/.exec(command.meta.operations ?? '')?.[1];
    const floats = [...new Set(opDefs.flatMap((o) => o.floats))];
    let url = main.path;
    let listUrls: string[] | undefined;
    if (op === 'list') {
      // the most specific path first: by resource group (when -g is given), then by subscription
      listUrls = [...opDefs].sort((a, b) => instanceParams(b.path).length - instanceParams(a.path).length).map((o) => o.path);
      url = listUrls[0];
    }
    const resourceUrl = op === 'action' ? main.path.replace(/\/\w+$/, '') : main.path;
    const run: NetworkCloudRun = {
      handler: 'networkcloud',
      op,
      method: (op === 'identity-assign' || op === 'identity-remove' ? 'PUT' : main.method) as NetworkCloudRun['method'],
      url,
      resourceUrl,
      // a list under a parent (ListByCluster) is filed under the parent's action in the facts: use its path
      armType: op === 'list' ? main.path.split(/\/providers\/Microsoft\.NetworkCloud\//i)[1].split('/').filter((seg) => !seg.startsWith('{')).join('/') : main.resourceType,
      output: op === 'delete' || op === 'wait' ? 'none' : command.meta.output?.includes('$Subresource') ? 'identity' : 'flatten',
    };
    if (listUrls) run.listUrls = listUrls;
    if (lro && !generatedWait) run.lro = true;
    if (finalStateVia && !generatedWait) {
      if (!FINAL_STATE_VIA.includes(finalStateVia as FinalStateVia)) throw new Error(`${command.path.join(' ')}: unknown final-state-via '${finalStateVia}'`);
      run.finalStateVia = finalStateVia as FinalStateVia;
    }
    const columns = tableColumns(command.meta);
    if (columns) run.table = columns;
    if (floats.length && op !== 'wait' && op !== 'delete') run.floats = floats;
    if (managedIdentity) run.managedIdentity = managedIdentity;
    if (Object.keys(fixed).length) run.fixed = fixed;
    if (op === 'list') {
      const top = main.query.find((q) => q === '$top');
      const skip = main.query.find((q) => q === '$skipToken');
      for (const a of args) {
        if (a.query === 'top' && top) a.query = top;
        if (a.query === 'skipToken' && skip) a.query = skip;
      }
    }

    if (generatedWait) {
      const cond = (dest: string, help: string): ArgDef => ({ dest, options: [`--${dest}`], kind: 'flag', group: 'Wait Condition', help });
      args.push(
        cond('created', "Wait until created with 'provisioningState' at 'Succeeded'."),
        { dest: 'custom', options: ['--custom'], kind: 'string', group: 'Wait Condition', help: "Wait until a JMESPath query on the resource (as the API returns it, not flattened) is true, e.g. \"properties.detailedStatus=='Running'\"." },
        cond('deleted', 'Wait until deleted.'),
        cond('exists', 'Wait until the resource exists.'),
        { dest: 'interval', options: ['--interval'], kind: 'string', valueType: 'int', default: '30', group: 'Wait Condition', help: 'Polling interval in seconds.' },
        { dest: 'timeout', options: ['--timeout'], kind: 'string', valueType: 'int', default: '3600', group: 'Wait Condition', help: 'Maximum wait in seconds.' },
        cond('updated', "Wait until updated with provisioningState at 'Succeeded'."),
      );
    }
    if (command.meta['supports-no-wait']?.startsWith('yes')) {
      args.push({ dest: 'noWait', options: ['--no-wait'], kind: 'flag', help: 'Do not wait for the long-running operation to finish.' });
    }
    const confirm = command.meta.confirmation === 'yes';
    if (confirm) args.push({ dest: 'yes', options: ['--yes', '-y'], kind: 'flag', help: 'Do not prompt for confirmation.' });
    if (op === 'list') {
      args.push(
        { dest: 'maxItems', options: ['--max-items'], kind: 'string', valueType: 'int', group: 'Pagination', help: "Total number of items to return in the command's output. If more are available, a token to continue from is printed; pass it to --next-token." },
        { dest: 'nextToken', options: ['--next-token'], kind: 'string', group: 'Pagination', help: 'Token to specify where to start paginating: the token printed by a previous, truncated run.' },
      );
    }

    const parentNoun = op === 'list' && params.length > 2 ? paramNouns(params[params.length - 1]) : undefined;
    const stage = stages.get(name);
    const summary = summaryOf(op, verb, noun, parentNoun);
    const exampleArgs = args
      .filter((a) => a.required || (generatedWait && a.dest === 'created'))
      .map((a) => {
        const option = a.options.find((o) => o.startsWith('--')) ?? a.options[0];
        if (a.kind === 'flag') return option;
        const value = a.choices?.[0] ?? (a.pathParam ? `${a.pathParam}` : a.kind === 'shape' ? '...' : camel(option));
        return `${option} ${value}`;
      });
    const def: CommandDef = {
      path: command.path,
      summary,
      args,
      examples: [{ title: summary.replace(/\.$/, ''), command: `azemu ${command.path.join(' ')} ${exampleArgs.join(' ')}`.trim() }],
      run,
      arm: true,
      stage: stage === 'Preview' ? 'Preview' : 'Stable',
      shipped: shipped.get(name) ?? false,
    };
    if (confirm) def.confirmation = 'Are you sure you want to perform this operation?';
    commands.push(def);
    for (let i = 1; i < groupPath.length + 1; i++) {
      const gp = groupPath.slice(0, i);
      const key = gp.join(' ');
      if (groups.has(key)) continue;
      const last = gp[gp.length - 1];
      groups.set(key, { path: gp, summary: gp.length === 1 ? 'Manage Network Cloud (Azure Operator Nexus) resources.' : last === 'identity' ? 'Manage the managed identities of a resource.' : `Manage ${plural(groupNoun(model, gp, ops) ?? last)}.` });
    }
  }
  commands.sort((a, b) => a.path.join(' ').localeCompare(b.path.join(' ')));
  return { version, groups: [...groups.values()].sort((a, b) => a.path.join(' ').localeCompare(b.path.join(' '))), commands };
}

function groupNoun(model: ModelCommand[], groupPath: string[], ops: Map<string, Operation>): string | undefined {
  const show = model.find((c) => c.path.join(' ') === [...groupPath, 'show'].join(' '));
  const opName = show?.meta.operations?.split(',')[0].trim();
  const op = opName ? ops.get(opName) : undefined;
  if (!op) return undefined;
  const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  return nounFromParam(params[params.length - 1]);
}
